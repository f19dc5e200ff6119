import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateNodesResult } from '@nx/devkit';
import { SourceReads, sourceReadsHold } from '@hashdock/core/source-reads';

/** Everything inference reads: Dockerfiles (any name), ignore files, and the files that name projects. */
// The package manager's workspace files decide which package.json files Nx reads (nxReadPackageJsonRoots).
const READ_GLOBS = ['**/*ockerfile*', '**/*ontainerfile*', '**/.dockerignore', '**/*.dockerignore', '**/project.json', '**/package.json', 'pnpm-workspace.yaml', 'lerna.json'];

type Internal = {
  hashWithWorkspaceContext: (root: string, globs: string[]) => Promise<string>;
  hashObject: (value: object) => string;
  workspaceDataDirectory: string;
};

/**
 * Nx's own hashing of workspace files and its data directory (the API @nx/docker caches with), when
 * this Nx has them. The three modules that hold them first: a plugin worker has them loaded already,
 * while `@nx/devkit/internal` loads most of Nx again (167 of the 173 ms createNodes took at 200
 * projects, warm). Then the public re-export, for an Nx whose files moved.
 */
function nxInternals(): Internal | undefined {
  const complete = (internal: Partial<Internal>) => (internal.hashWithWorkspaceContext && internal.hashObject && internal.workspaceDataDirectory ? (internal as Internal) : undefined);
  try {
    const found = complete({
      hashWithWorkspaceContext: (require('nx/src/utils/workspace-context') as Partial<Internal>).hashWithWorkspaceContext,
      hashObject: (require('nx/src/hasher/file-hasher') as Partial<Internal>).hashObject,
      workspaceDataDirectory: (require('nx/src/utils/cache-directory') as Partial<Internal>).workspaceDataDirectory,
    });
    if (found) return found;
  } catch {
    // an Nx laid out otherwise
  }
  try {
    return complete(require('@nx/devkit/internal') as Partial<Internal>);
  } catch {
    return undefined;
  }
}

/** What a cache file holds: the results, and what inference read on disk to follow symlinks (see SourceReads). */
interface CachedInference {
  results: [string, CreateNodesResult][];
  paths: Record<string, string | null>;
  dirs: Record<string, string[]>;
}

/**
 * The inferred targets of the whole workspace, cached in Nx's workspace data
 * directory under a key made of the plugin options, the Dockerfile list, the
 * plugin's version and Nx's hashes of every file inference reads (computed by
 * Nx's native workspace context, so a warm graph reads none of them). Where
 * COPY sources' symlinks lead is not in those files: `infer` records what it
 * looked up on disk (SourceReads) and a cached answer holds only while that reads the same.
 * Without those Nx internals, or on any cache fault, inference simply runs.
 */
export async function cachedInference(workspaceRoot: string, inputs: object, infer: (reads: SourceReads) => Promise<[string, CreateNodesResult][]>): Promise<[string, CreateNodesResult][]> {
  const internal = nxInternals();
  let file: string | undefined;
  try {
    if (internal) {
      // The code that infers is part of the key: its version, and when its built files were written (a rebuilt plugin in development).
      const version = (require('../../package.json') as { version: string }).version;
      const built = [__filename, require.resolve('@hashdock/core')].map((path) => statSync(path).mtimeMs);
      const files = await internal.hashWithWorkspaceContext(workspaceRoot, READ_GLOBS);
      file = join(internal.workspaceDataDirectory, `hashdock-targets-${internal.hashObject({ inputs, files, version, built })}.json`);
      const cached = JSON.parse(readFileSync(file, 'utf8')) as Partial<CachedInference>;
      if (Array.isArray(cached.results) && cached.paths && cached.dirs && sourceReadsHold(workspaceRoot, { paths: cached.paths, dirs: cached.dirs })) return cached.results;
    }
  } catch {
    // Not cached yet (or no workspace context, as in unit tests): infer.
  }
  const reads: SourceReads = { paths: new Map(), dirs: new Map() };
  const results = await infer(reads);
  if (file) {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      const cached: CachedInference = { results, paths: Object.fromEntries(reads.paths), dirs: Object.fromEntries(reads.dirs) };
      writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(cached));
      renameSync(`${file}.${process.pid}.tmp`, file);
    } catch {
      // A cache that cannot be written only costs the next run its inference.
    }
  }
  return results;
}

import { mkdirSync, readFileSync, readlinkSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CreateNodesResult } from '@nx/devkit';

/** Everything inference reads: Dockerfiles (any name), ignore files, and the files that name projects. */
const READ_GLOBS = ['**/*ockerfile*', '**/*ontainerfile*', '**/.dockerignore', '**/*.dockerignore', '**/project.json', '**/package.json'];

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

/** What a cache file holds: the results, and the symlinks inference followed (workspace path → text). */
interface CachedInference {
  results: [string, CreateNodesResult][];
  links: Record<string, string>;
}

/** Whether every symlink inference followed still says what it said (a retargeted link leaves the files it read). */
function linksHold(workspaceRoot: string, links: Record<string, string>): boolean {
  for (const [path, text] of Object.entries(links)) {
    try {
      if (readlinkSync(resolve(workspaceRoot, path), 'utf8') !== text) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * The inferred targets of the whole workspace, cached in Nx's workspace data
 * directory under a key made of the plugin options, the Dockerfile list, the
 * plugin's version and Nx's hashes of every file inference reads (computed by
 * Nx's native workspace context, so a warm graph reads none of them). The
 * symlinks COPY sources went through are not among those files: `infer` records
 * each (path and text) and a cached answer holds only while they read the same.
 * Without those Nx internals, or on any cache fault, inference simply runs.
 */
export async function cachedInference(workspaceRoot: string, inputs: object, infer: (links: Map<string, string>) => Promise<[string, CreateNodesResult][]>): Promise<[string, CreateNodesResult][]> {
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
      if (Array.isArray(cached.results) && cached.links && linksHold(workspaceRoot, cached.links)) return cached.results;
    }
  } catch {
    // Not cached yet (or no workspace context, as in unit tests): infer.
  }
  const links = new Map<string, string>();
  const results = await infer(links);
  if (file) {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      const cached: CachedInference = { results, links: Object.fromEntries(links) };
      writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(cached));
      renameSync(`${file}.${process.pid}.tmp`, file);
    } catch {
      // A cache that cannot be written only costs the next run its inference.
    }
  }
  return results;
}

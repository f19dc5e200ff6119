import { accessSync, constants, Dirent, promises as fs, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidDockerignoreError } from '../errors';
import { directoryPruner, DockerignoreSyntaxError, IgnorePattern, matchWithParents, ParentMatches, parseDockerignore } from './dockerignore';

export interface ContextEntry {
  /** Slash-separated path relative to the context root (invalid UTF-8 shown as U+FFFD). */
  path: string;
  kind: 'file' | 'symlink' | 'dir';
  /** The path's exact bytes, only when a name in it is not valid UTF-8. */
  pathBytes?: Buffer;
}

/**
 * The ignore file Docker (BuildKit) applies: `<Dockerfile>.dockerignore`
 * beside the Dockerfile replaces the context root's `.dockerignore`.
 */
export async function findIgnoreFile(contextDir: string, dockerfile: string): Promise<string | undefined> {
  for (const candidate of [`${dockerfile}.dockerignore`, join(contextDir, '.dockerignore')]) {
    // A stat that answers "none" without an error: most Dockerfiles have neither file, and a failed
    // fs.access rejects with an Error and its stack (~0.2 ms each, 0.2 s of cold inference at 500 images).
    if (!statSync(candidate, { throwIfNoEntry: false })) continue;
    try {
      accessSync(candidate, constants.R_OK);
      return candidate;
    } catch {
      // there but unreadable: the next one
    }
  }
  return undefined;
}

export async function readIgnorePatterns(ignoreFile: string | undefined): Promise<IgnorePattern[]> {
  return ignoreFile ? ignorePatternsOf(await fs.readFile(ignoreFile, 'utf8'), ignoreFile) : [];
}

/** Ignore text parsed as Docker parses it; a line Docker refuses is an error naming `where` (the file, or the context). */
export function ignorePatternsOf(text: string, where: string): IgnorePattern[] {
  try {
    return parseDockerignore(text);
  } catch (error) {
    if (error instanceof DockerignoreSyntaxError) throw new InvalidDockerignoreError(where, error.message);
    throw error;
  }
}

interface Listed {
  name: string;
  nameBytes?: Buffer;
  dirent: Dirent<string> | Dirent<Buffer>;
}

const SLASH = Buffer.from('/');
const utf8 = new TextDecoder('utf-8');

/** A directory's entries; names that are not valid UTF-8 keep their bytes so the file can still be opened. */
function listDirectory(absolute: string | Buffer): Listed[] {
  if (typeof absolute === 'string') {
    const dirents = readdirSync(absolute, { withFileTypes: true });
    if (!dirents.some((dirent) => dirent.name.includes('\uFFFD'))) return dirents.map((dirent) => ({ name: dirent.name, dirent }));
  }
  return readdirSync(absolute, { withFileTypes: true, encoding: 'buffer' }).map((dirent) => {
    const name = utf8.decode(dirent.name);
    return Buffer.from(name).equals(dirent.name) ? { name, dirent } : { name, nameBytes: dirent.name, dirent };
  });
}

/**
 * Every entry Docker (BuildKit's fsutil walker) sends as the build context:
 * files and symlinks not ignored, directories not ignored, and ignored
 * directories that hold something re-included. Sorted by path. Each entry's
 * ignore decision uses its parent directory's per-pattern results, as
 * patternmatcher's MatchesUsingParentResults does, and ignored directories
 * are skipped unseen exactly when fsutil skips them.
 *
 * A synchronous readdir walk: on a 12k-file tree it is about 5x faster than a glob library.
 */
export async function listContextEntries(contextDir: string, patterns: readonly IgnorePattern[]): Promise<ContextEntry[]> {
  const canSkip = directoryPruner(patterns);
  const kept: ContextEntry[] = [];
  // Returns whether anything below `absolute` was kept.
  const walk = (absolute: string | Buffer, relative: string, relativeBytes: Buffer | undefined, parent: ParentMatches | undefined): boolean => {
    let keptBelow = false;
    for (const { name, nameBytes, dirent } of listDirectory(absolute)) {
      const path = relative ? `${relative}/${name}` : name;
      const bytes = nameBytes || relativeBytes ? Buffer.concat([...(relativeBytes ? [relativeBytes, SLASH] : relative ? [Buffer.from(relative), SLASH] : []), nameBytes ?? Buffer.from(name)]) : undefined;
      const { ignored, matches } = patterns.length ? matchWithParents(patterns, path, parent) : { ignored: false, matches: [] };
      if (dirent.isDirectory()) {
        if (ignored && canSkip?.(path)) continue;
        const child = typeof absolute === 'string' && !nameBytes ? `${absolute}/${name}` : Buffer.concat([Buffer.from(absolute), SLASH, nameBytes ?? Buffer.from(name)]);
        const inner = walk(child, path, bytes, matches);
        if (!ignored || inner) {
          kept.push({ path, kind: 'dir', ...(bytes ? { pathBytes: bytes } : {}) });
          keptBelow = true;
        }
      } else if (!ignored) {
        const kind = dirent.isSymbolicLink() ? 'symlink' : dirent.isFile() ? 'file' : undefined;
        if (!kind) continue;
        kept.push({ path, kind, ...(bytes ? { pathBytes: bytes } : {}) });
        keptBelow = true;
      }
    }
    return keptBelow;
  };
  walk(contextDir, '', undefined, undefined);
  return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The absolute path to open for an entry (bytes when its name is not valid UTF-8). */
export function entryLocation(contextDir: string, entry: ContextEntry): string | Buffer {
  return entry.pathBytes ? Buffer.concat([Buffer.from(contextDir), SLASH, entry.pathBytes]) : join(contextDir, entry.path);
}

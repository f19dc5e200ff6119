import { Dirent, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What inference read on disk beyond the files Nx hashes, by workspace path (see imageTargetInputs' `reads`). */
export interface SourceReads {
  /** Each path looked up: the symlink's text, or null where there was none (a file, a directory, nothing). */
  paths: Map<string, string | null>;
  /** Each directory a wildcard read: the names of the symlinks in it. */
  dirs: Map<string, string[]>;
}

/** The symlinks among a directory's entries, sorted (an entry of a type the file system did not say is looked up). */
export function linkNames(dir: string, entries: readonly Dirent[]): string[] {
  const unknown = (entry: Dirent) =>
    !entry.isFile() && !entry.isDirectory() && !entry.isSymbolicLink() && !entry.isFIFO() && !entry.isSocket() && !entry.isBlockDevice() && !entry.isCharacterDevice();
  return entries
    .filter((entry) => entry.isSymbolicLink() || (unknown(entry) && lstatSync(join(dir, entry.name), { throwIfNoEntry: false })?.isSymbolicLink()))
    .map((entry) => entry.name)
    .sort();
}

/** A directory's entries; none when it cannot be read (not there, not a directory). */
export function readEntries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** The text of the symlink at `path`, or null where there is none. */
export function linkAt(path: string): string | null {
  try {
    // No error for a path that is not there (most sources before their build): an Error and its stack cost more than the lookup.
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ? readlinkSync(path, 'utf8') : null;
  } catch {
    return null;
  }
}

/**
 * Whether the disk still reads as inference read it: each path the same link (or still none: a file that
 * became a link leads elsewhere), each directory a wildcard read the same symlinks (a new one may match).
 */
export function sourceReadsHold(workspaceRoot: string, reads: { paths: Record<string, string | null>; dirs: Record<string, string[]> }): boolean {
  for (const [path, link] of Object.entries(reads.paths)) if (linkAt(resolve(workspaceRoot, path)) !== link) return false;
  for (const [dir, links] of Object.entries(reads.dirs)) {
    const at = resolve(workspaceRoot, dir);
    const now = linkNames(at, readEntries(at));
    if (now.length !== links.length || now.some((name, index) => name !== links[index])) return false;
  }
  return true;
}

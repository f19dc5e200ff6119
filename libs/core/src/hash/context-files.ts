import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import fg from 'fast-glob';
import { InvalidDockerignoreError } from '../errors';
import { DockerignoreSyntaxError, IgnorePattern, isIgnored, parseDockerignore } from './dockerignore';

export interface ContextEntry {
  /** Slash-separated path relative to the context root. */
  path: string;
  kind: 'file' | 'symlink' | 'dir';
  executable: boolean;
  size: number;
}

/**
 * The ignore file Docker (BuildKit) applies: `<Dockerfile>.dockerignore`
 * beside the Dockerfile replaces the context root's `.dockerignore`.
 */
export async function findIgnoreFile(contextDir: string, dockerfile: string): Promise<string | undefined> {
  for (const candidate of [`${dockerfile}.dockerignore`, join(contextDir, '.dockerignore')]) {
    try {
      await fs.access(candidate, constants.R_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export async function readIgnorePatterns(ignoreFile: string | undefined): Promise<IgnorePattern[]> {
  if (!ignoreFile) return [];
  const text = await fs.readFile(ignoreFile, 'utf8');
  try {
    return parseDockerignore(text);
  } catch (error) {
    if (error instanceof DockerignoreSyntaxError) throw new InvalidDockerignoreError(ignoreFile, error.message);
    throw error;
  }
}

/**
 * Every entry Docker would send as the build context: files and symlinks not
 * ignored, plus empty directories (they appear in `COPY . .`). Sorted by path.
 */
export async function listContextEntries(
  contextDir: string,
  patterns: readonly IgnorePattern[],
): Promise<ContextEntry[]> {
  const found = await fg('**', {
    cwd: contextDir,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    stats: true,
    // A directory Docker ignores without exceptions need not be walked at all.
    deep: Infinity,
  });
  const kept: ContextEntry[] = [];
  const nonEmptyDirs = new Set<string>();
  for (const entry of found) {
    const path = entry.path;
    if (isIgnored(patterns, path)) continue;
    const stats = entry.stats!;
    const kind = stats.isSymbolicLink() ? 'symlink' : stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : undefined;
    if (!kind) continue;
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    if (parent) {
      let dir = parent;
      while (dir && !nonEmptyDirs.has(dir)) {
        nonEmptyDirs.add(dir);
        dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
      }
    }
    kept.push({ path, kind, executable: kind === 'file' && (stats.mode & 0o111) !== 0, size: stats.size });
  }
  return kept
    .filter((entry) => entry.kind !== 'dir' || !nonEmptyDirs.has(entry.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

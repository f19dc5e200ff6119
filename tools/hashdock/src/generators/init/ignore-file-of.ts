import { posix } from 'node:path';
import { Tree } from '@nx/devkit';
import { IgnorePattern, parseDockerignore } from '@hashdock/core';

export interface IgnoreFileOf {
  /** The file Docker reads for the build: `<Dockerfile>.dockerignore`, else `<context>/.dockerignore` (perhaps absent). */
  file: string;
  exists: boolean;
  text: string;
  /** Its patterns; undefined when Docker would refuse the file (the build says why). */
  patterns?: IgnorePattern[];
}

/** The ignore file a build of `dockerfile` from `context` reads, as BuildKit picks it, and what it leaves out. */
export function ignoreFileOf(tree: Tree, dockerfile: string, context: string): IgnoreFileOf {
  const own = `${dockerfile}.dockerignore`;
  const file = tree.exists(own) ? own : posix.join(context, '.dockerignore');
  const exists = tree.exists(file);
  const text = exists ? (tree.read(file, 'utf8') ?? '') : '';
  try {
    return { file, exists, text, patterns: parseDockerignore(text) };
  } catch {
    return { file, exists, text };
  }
}

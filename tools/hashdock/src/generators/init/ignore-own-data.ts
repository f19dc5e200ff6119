import { posix } from 'node:path';
import { Tree } from '@nx/devkit';
import { isIgnored } from '@hashdock/core';
import { DockerfileContext } from './context-evidence';
import { wholeContextCopies } from './whole-context-copies';
import { ignoreFileOf } from './ignore-file-of';

/**
 * For each image that copies its whole build context, the data Nx and Hashdock write inside that context every run
 * (`.nx`, the manifest directory) added to the ignore file Docker reads for it (`<Dockerfile>.dockerignore`, else the
 * context's `.dockerignore`, created if there is none): otherwise every run is a new content hash, never found in the
 * registry. Only these two, which no image needs; what else a context should leave out (`.git`, `.turbo`) is said
 * (see selfChangingContexts), not written. Returns one line per file written: the file and what it now leaves out.
 */
export function ignoreOwnData(tree: Tree, dockerfiles: readonly string[], chosen: readonly DockerfileContext[], policy: 'workspace' | 'project' | undefined, manifestDir: string): string[] {
  const written = new Map<string, string[]>();
  for (const { dockerfile, context } of wholeContextCopies(tree, dockerfiles, chosen, policy)) {
    const { file, text, patterns } = ignoreFileOf(tree, dockerfile, context);
    // Docker refuses it (patterns undefined): the build says why; nothing is added to a file that cannot be read.
    if (written.has(file) || !patterns) continue;
    const manifests = posix.relative(context, manifestDir);
    const own = ['.nx', ...(manifests && !manifests.startsWith('..') ? [manifests] : [])];
    const missing = own.filter((path) => tree.exists(posix.join(context, path)) || path === manifests).filter((path) => !isIgnored(patterns, path));
    if (!missing.length) continue;
    const lead = text === '' || text.endsWith('\n') ? text : `${text}\n`;
    tree.write(file, `${lead}${lead ? '\n' : ''}# Nx's data and Hashdock's image manifests change on every run (added by nx add @hashdock/nx-plugin)\n${missing.join('\n')}\n`);
    written.set(file, missing);
  }
  return [...written].map(([file, lines]) => `${file} (${lines.join(', ')})`);
}

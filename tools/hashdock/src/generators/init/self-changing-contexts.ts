import { posix } from 'node:path';
import { Tree } from '@nx/devkit';
import { DockerfileContext } from './context-evidence';
import { wholeContextCopies } from './whole-context-copies';

/** What differs from clone to clone or run to run, which a context should not send: see selfChangingWarning. */
const CHANGING = ['.git', '.nx'];

/**
 * The Dockerfiles that copy their whole build context (`COPY . .`) from a folder holding `.git` or `.nx`
 * with no ignore file Docker would read (`<Dockerfile>.dockerignore`, else the context's
 * `.dockerignore`): each would have a new content hash on every run, never found in the registry (the
 * build says so too). One line each: the Dockerfile, its context and what it would copy. `chosen`: the
 * Dockerfiles the workspace's builds said a context for; the others build with the `policy`.
 */
export function selfChangingContexts(tree: Tree, dockerfiles: readonly string[], chosen: readonly DockerfileContext[], policy: 'workspace' | 'project' | undefined): string[] {
  const lines: string[] = [];
  for (const { dockerfile, context } of wholeContextCopies(tree, dockerfiles, chosen, policy)) {
    if (tree.exists(`${dockerfile}.dockerignore`) || tree.exists(posix.join(context, '.dockerignore'))) continue;
    const held = CHANGING.filter((folder) => tree.exists(posix.join(context, folder)));
    if (held.length) lines.push(`${dockerfile} (from ${context === '.' ? 'the workspace root' : context}, with ${held.join(' and ')})`);
  }
  return lines;
}

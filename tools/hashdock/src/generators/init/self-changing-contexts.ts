import { posix } from 'node:path';
import { getProjects, Tree } from '@nx/devkit';
import { isIgnored, spokenList } from '@hashdock/core';
import { DockerfileContext } from './context-evidence';
import { wholeContextCopies } from './whole-context-copies';
import { ignoreFileOf } from './ignore-file-of';

/** What differs from clone to clone or run to run, which a context should not send: see selfChangingWarning. */
const CHANGING = ['.git', '.nx', '.turbo'];

/**
 * The Dockerfiles that copy their whole build context (`COPY . .`) from a folder holding `.git` or `.nx` that the
 * ignore file Docker would read (`<Dockerfile>.dockerignore`, else the context's `.dockerignore`) does not leave out,
 * or there is none: each would have a new content hash on every run, never found in the registry (the build says so
 * too). One line each: the Dockerfile, its context, what it would copy and the ignore file that lets it through.
 * `chosen`: the Dockerfiles the workspace's builds said a context for; the others build with the `policy`.
 */
export function selfChangingContexts(tree: Tree, dockerfiles: readonly string[], chosen: readonly DockerfileContext[], policy: 'workspace' | 'project' | undefined): string[] {
  const lines: string[] = [];
  const projectRoots = [...new Set([...getProjects(tree).values()].map((project) => project.root))].filter((root) => root !== '.' && root !== '');
  for (const { dockerfile, context } of wholeContextCopies(tree, dockerfiles, chosen, policy)) {
    const { file, exists, patterns } = ignoreFileOf(tree, dockerfile, context);
    // An ignore file Docker would refuse fails the build anyway; the build says why.
    if (!patterns) continue;
    const sent = (folder: string) => tree.exists(posix.join(context, folder)) && !isIgnored(patterns, folder);
    const held = CHANGING.filter(sent);
    // turbo also logs each task in the package's own .turbo, which a root `.turbo` line does not leave out.
    const logs = projectRoots
      .filter((root) => context === '.' || root.startsWith(`${context}/`))
      .map((root) => posix.join(posix.relative(context, root), '.turbo'))
      .filter(sent);
    if (logs.length && !held.includes('.turbo')) held.push(logs.length > 1 ? `${logs[0]} and ${logs.length - 1} more .turbo folders` : logs[0]);
    if (held.length) lines.push(`${dockerfile} (from ${context === '.' ? 'the workspace root' : context}, with ${spokenList(held)}${exists ? `, which ${file} does not leave out` : ''})`);
  }
  return lines;
}

import { Tree } from '@nx/devkit';
import { contextScopeOf } from '@hashdock/core';
import { DockerfileContext } from './context-evidence';
import { buildFolderOf } from './build-folder';

/**
 * The Dockerfiles that copy their whole build context (`COPY . .`, a line read as the whole context), each with
 * the context it is built from. `chosen`: the Dockerfiles the workspace's builds said a context for; the others
 * build with the `policy`.
 */
export function wholeContextCopies(tree: Tree, dockerfiles: readonly string[], chosen: readonly DockerfileContext[], policy: 'workspace' | 'project' | undefined): { dockerfile: string; context: string }[] {
  const copies: { dockerfile: string; context: string }[] = [];
  for (const dockerfile of dockerfiles) {
    const { context } = buildFolderOf(tree, dockerfile, chosen, policy);
    if (context === undefined) continue;
    const scope = contextScopeOf(tree.read(dockerfile, 'utf8') ?? '');
    if (scope.kind === 'context' || scope.sources.some((source) => source.path === '.')) copies.push({ dockerfile, context });
  }
  return copies;
}

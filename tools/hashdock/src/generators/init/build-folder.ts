import { Tree } from '@nx/devkit';
import { owningProjectRoot } from '@hashdock/core';
import { DockerfileContext } from './context-evidence';

/**
 * Where a Dockerfile's image target builds from once nx add is done, and the project holding it: the
 * context the workspace's builds said for it (`chosen`, see ContextChoice), else the `policy`'s (the
 * workspace root, or the project's folder). No context under a path-template policy (not judged by
 * nx add) or for a Dockerfile no project holds.
 */
export function buildFolderOf(tree: Tree, dockerfile: string, chosen: readonly DockerfileContext[], policy: 'workspace' | 'project' | undefined): { root?: string; context?: string } {
  const root = owningProjectRoot(tree.root, dockerfile, (path) => tree.exists(path));
  const value = chosen.find((entry) => entry.dockerfile === dockerfile)?.value ?? policy;
  const context = value === 'workspace' ? '.' : value === 'project' ? root : value;
  return { ...(root !== undefined ? { root } : {}), ...(root !== undefined && context !== undefined ? { context } : {}) };
}

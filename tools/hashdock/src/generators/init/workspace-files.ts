import { Tree } from '@nx/devkit';
import { isDockerfileName, isToolingPath } from '@hashdock/core';
import { isComposeFileName } from './compose-builds';

/** Folders that hold no project's Dockerfile: version control, caches, installed packages, build output, scratch. */
const NOT_PROJECT_FOLDERS = new Set(['.git', '.nx', '.hashdock', '.turbo', '.yarn', 'node_modules', 'dist', 'tmp', 'out', 'coverage']);

/**
 * The Dockerfiles and compose files under `dir` in the tree, except tools' own (isToolingPath:
 * .devcontainer/, .github/, .gitpod.dockerfile) and those in folders no project lives in; a folder's
 * own files before its subfolders'. A walk of the tree's own: @nx/devkit's visitNotIgnoredFiles needs
 * the ignore checkers of an nx of its major.
 */
export function workspaceFiles(tree: Tree, dir: string, found = { dockerfiles: [] as string[], composeFiles: [] as string[] }): { dockerfiles: string[]; composeFiles: string[] } {
  const folders: string[] = [];
  for (const child of tree.children(dir)) {
    if (NOT_PROJECT_FOLDERS.has(child)) continue;
    const path = dir ? `${dir}/${child}` : child;
    if (!tree.isFile(path)) folders.push(path);
    else if (isToolingPath(path)) continue;
    else if (isDockerfileName(child)) found.dockerfiles.push(path);
    else if (isComposeFileName(child)) found.composeFiles.push(path);
  }
  for (const folder of folders) workspaceFiles(tree, folder, found);
  return found;
}

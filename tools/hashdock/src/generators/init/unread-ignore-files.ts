import { posix } from 'node:path';
import { Tree } from '@nx/devkit';
import { DockerfileContext } from './context-evidence';
import { buildFolderOf } from './build-folder';

/**
 * The `.dockerignore` files beside a Dockerfile that Docker will not read, because the image is
 * built from another folder (BuildKit reads `<context>/.dockerignore`, or `<Dockerfile>.dockerignore`
 * beside the Dockerfile): one line each, naming the file and what is read instead. `chosen`: the
 * Dockerfiles the workspace's builds said a context for (see ContextChoice); the others build with
 * the `policy` (`workspace`, `project`; none for a path template, which is not followed here).
 */
export function unreadIgnoreFiles(tree: Tree, dockerfiles: readonly string[], chosen: readonly DockerfileContext[], policy: 'workspace' | 'project' | undefined): string[] {
  const lines: string[] = [];
  for (const dockerfile of dockerfiles) {
    const dir = posix.dirname(dockerfile);
    const beside = dir === '.' ? '.dockerignore' : `${dir}/.dockerignore`;
    if (!tree.exists(beside) || tree.exists(`${dockerfile}.dockerignore`)) continue;
    const { context } = buildFolderOf(tree, dockerfile, chosen, policy);
    if (context === undefined || posix.normalize(context) === dir) continue;
    const read = posix.join(context, '.dockerignore');
    lines.push(`${beside} (${dockerfile} is built from ${context === '.' ? 'the workspace root' : context}: Docker reads ${tree.exists(read) ? read : `${read} (none)`} or ${dockerfile}.dockerignore)`);
  }
  return lines;
}

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
  // Where each Dockerfile is built from, worked out once for both checks.
  const built = dockerfiles.map((dockerfile) => ({ dockerfile, dir: posix.dirname(dockerfile), context: buildFolderOf(tree, dockerfile, chosen, policy).context }));
  // `.Dockerignore` (hyperdx's): macOS and Windows find it as .dockerignore, Linux never does, so one commit makes other images there.
  const cased = new Set<string>();
  for (const { dir: own, context } of built) {
    for (const dir of new Set([own, ...(context === undefined ? [] : [posix.normalize(context)])])) {
      // By the names listed, not by a lookup: on macOS, `.dockerignore` "exists" when only `.Dockerignore` does.
      const names = tree.children(dir);
      if (names.includes('.dockerignore')) continue;
      for (const name of names) if (/^\.dockerignore$/i.test(name)) cased.add(dir === '.' ? name : `${dir}/${name}`);
    }
  }
  for (const file of [...cased].sort())
    lines.push(`${file} (Docker reads .dockerignore in lower case: on Linux, CI's usual system, it never reads this one, while macOS and Windows do, so one commit builds other images there; rename it)`);
  for (const { dockerfile, dir, context } of built) {
    const beside = dir === '.' ? '.dockerignore' : `${dir}/.dockerignore`;
    if (!tree.exists(beside) || tree.exists(`${dockerfile}.dockerignore`)) continue;
    if (context === undefined || posix.normalize(context) === dir) continue;
    const read = posix.join(context, '.dockerignore');
    lines.push(`${beside} (${dockerfile} is built from ${context === '.' ? 'the workspace root' : context}: Docker reads ${tree.exists(read) ? read : `${read} (none)`} or ${dockerfile}.dockerignore)`);
  }
  return lines;
}

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { HashdockError } from '../errors';
import { BuildImageResult } from '../image/build-image';
import { imageTargetOptions } from '../image/image-target-options';
import { ImageTargetOptions } from '../image/resolve-image-options';
import { runImageTarget } from '../image/run-image-target';
import { discoverImageProjects, readProjectIdentity } from '../workspace/discover-images';
import { readHashdockConfig } from '../workspace/hashdock-config';

export function findWorkspaceRoot(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new HashdockError('NO_WORKSPACE', `No nx.json above ${from}: not inside a Hashdock workspace`);
    dir = parent;
  }
  return dir;
}

/**
 * `hashdock image` in a project directory: the same options as the Nx target
 * (nx.json plugin options, then the project's own `targets.image.options`),
 * the same core call, the same manifest. This is what `turbo run image` runs.
 */
export async function imageCommand(projectDir: string, overrides: ImageTargetOptions, env: NodeJS.ProcessEnv = process.env): Promise<BuildImageResult> {
  const workspaceRoot = findWorkspaceRoot(projectDir);
  const root = relative(workspaceRoot, resolve(projectDir));
  const project = readProjectIdentity(workspaceRoot, root);
  if (!project || !existsSync(join(workspaceRoot, root, 'Dockerfile'))) throw new HashdockError('NOT_AN_IMAGE_PROJECT', `${projectDir} is not a project with a Dockerfile`);
  const config = await readHashdockConfig(workspaceRoot);
  const own = ((project.targets[config.targetName] as { options?: ImageTargetOptions } | undefined)?.options ?? {}) as ImageTargetOptions;
  const options: ImageTargetOptions = { ...imageTargetOptions(config, readFileSync(join(workspaceRoot, root, 'Dockerfile'), 'utf8')), ...own, ...overrides };
  const result = await runImageTarget(options, {
    workspaceRoot,
    projectName: project.name,
    projectRoot: root,
    imageProjects: discoverImageProjects(workspaceRoot).map((p) => p.name),
    env,
  });
  return result;
}

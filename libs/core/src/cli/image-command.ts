import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { HashdockError } from '../errors';
import { BuildImageResult } from '../image/build-image';
import { orderImageTargets } from '../image/build-workspace-images';
import { ImageTargetOptions } from '../image/resolve-image-options';
import { runImageTarget } from '../image/run-image-target';
import { discoverImageTargets } from '../workspace/discover-images';
import { PLUGIN_NAME, readHashdockConfig } from '../workspace/hashdock-config';
import { workspaceImageNames } from '../workspace/image-targets';
import { imagesRunByName } from '../workspace/images-run-by-name';
import { packageGraph } from '../workspace/package-graph';

export function findWorkspaceRoot(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new HashdockError(
        'NO_WORKSPACE',
        `No nx.json above ${from}: not inside a Hashdock workspace. Hashdock reads its options from the "${PLUGIN_NAME}" entry of ` +
          `nx.json at the workspace root; a workspace without Nx (turbo alone) needs only that file, and no Nx installed: ` +
          `{ "plugins": [{ "plugin": "${PLUGIN_NAME}", "options": { "registry": "ghcr.io", "namespace": "acme" } }] }. ` +
          `Or let nx add write it from how the images are built today (and wire turbo): npm install -D nx, then npx nx add ${PLUGIN_NAME}.`,
      );
    dir = parent;
  }
  return dir;
}

/**
 * `hashdock image` in a project directory: the image targets the project's
 * `image` target runs in Nx (imagesRunByName: that target, or its variants but
 * the development ones), or the one named with `--target`, with the options Nx
 * would run it with, through the same core call, writing the same manifests.
 * This is what `turbo run image` runs.
 */
export async function imageCommand(projectDir: string, overrides: ImageTargetOptions, targetName?: string, env: NodeJS.ProcessEnv = process.env): Promise<BuildImageResult[]> {
  const workspaceRoot = findWorkspaceRoot(projectDir);
  const root = relative(workspaceRoot, resolve(projectDir)).split('\\').join('/') || '.';
  const config = readHashdockConfig(workspaceRoot);
  const targets = await discoverImageTargets(workspaceRoot, config);
  const own = orderImageTargets(targets).filter((target) => target.projectRoot === root);
  const runs = targetName ? [targetName] : imagesRunByName(own.map((target) => target.targetName), config.targetName);
  const mine = own.filter((target) => runs.includes(target.targetName));
  if (mine.length === 0 && own.length > 0 && !targetName)
    throw new HashdockError(
      'NOT_AN_IMAGE_PROJECT',
      `${projectDir} has development images only (${own.map((target) => target.targetName).join(', ')}), which "${config.targetName}" does not build: name one with --target`,
    );
  if (mine.length === 0)
    throw new HashdockError('NOT_AN_IMAGE_PROJECT', `${projectDir} has no image target${targetName ? ` named "${targetName}"` : ''} (no Dockerfile in it, and no target declared with the image executor)`);
  const workspaceImages = workspaceImageNames(targets, config.namespace);
  // pruneContext reads the package graph turbo runs on (package.json dependencies between workspace packages).
  const projectGraph = mine.some((target) => ({ ...target.options, ...overrides }).pruneContext) ? await packageGraph(workspaceRoot) : undefined;
  const results: BuildImageResult[] = [];
  for (const target of mine)
    results.push(
      await runImageTarget(
        { ...target.options, ...overrides },
        { workspaceRoot, projectName: target.project, projectRoot: target.projectRoot, workspaceImages, ...(projectGraph ? { projectGraph } : {}), env },
      ),
    );
  return results;
}

import { join } from 'node:path';
import { hostPlatform, ImageBuildOptions } from '@hashdock/core';

/**
 * Resolved build options for an image whose Dockerfile and context are the
 * directory `dir`: what the integration suites build, with overrides.
 */
export function imageBuildOptions(name: string, dir: string, repository: string, overrides: Partial<ImageBuildOptions> = {}): ImageBuildOptions {
  return {
    project: name,
    imageName: name,
    workspaceRoot: dir,
    contextDir: dir,
    dockerfile: join(dir, 'Dockerfile'),
    repository,
    tagTemplates: ['{contentHash}'],
    buildArgs: {},
    env: {},
    platform: hostPlatform(),
    push: true,
    dryRun: false,
    noCache: false,
    builder: 'auto',
    sourceDateEpoch: 0,
    manifestDir: join(dir, 'dist/images'),
    cacheFrom: [],
    workspaceImages: {},
    ...overrides,
  };
}

import { addProjectConfiguration, logger, readJson, readNxJson, readProjectConfiguration, Tree, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { loadEnvironments } from '@hashdock/core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import releaseGenerator from './release';

describe('release generator', () => {
  let tree: Tree;
  let info: string[];

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'ghcr.io', namespace: 'acme/shop', manifestDir: 'out/images' } }] });
    info = [];
    vi.spyOn(logger, 'info').mockImplementation((line) => void info.push(String(line)));
  });
  afterEach(() => vi.restoreAllMocks());

  it('a promote target and environments from the plugin options: dev is what the image targets push, then staging and prod', async () => {
    await releaseGenerator(tree, {});
    expect(readProjectConfiguration(tree, 'release')).toMatchObject({
      root: 'release',
      targets: { promote: { executor: '@hashdock/nx-plugin:promote', options: { environments: 'release/environments.json' }, cache: false } },
    });
    expect(readJson(tree, 'release/environments.json')).toEqual({
      environments: {
        dev: { registry: 'ghcr.io', namespace: 'acme/shop', release: 'out/images' },
        staging: { registry: 'ghcr.io', namespace: 'acme/shop/staging', release: 'release/releases/staging.json' },
        prod: { registry: 'ghcr.io', namespace: 'acme/shop/prod', release: 'release/releases/prod.json' },
      },
    });
    expect(info.join('\n')).toContain('nx run release:promote --from=dev --to=staging; then nx run release:promote --from=staging --to=prod');
  });

  it('Docker Hub has one level of namespace: there each environment is a sibling namespace', async () => {
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'docker.io', namespace: 'acme' } }] });
    await releaseGenerator(tree, { environments: 'prod' });
    expect(readJson(tree, 'release/environments.json').environments.prod).toEqual({ registry: 'docker.io', namespace: 'acme-prod', release: 'release/releases/prod.json' });
  });

  it('writes a file the promote executor reads as it is', async () => {
    await releaseGenerator(tree, { directory: 'deploy', project: 'deploy', environments: 'qa, live' });
    const dir = await mkdtemp(join(tmpdir(), 'hashdock-release-'));
    try {
      const path = join(dir, 'environments.json');
      await writeFile(path, tree.read('deploy/environments.json', 'utf8') ?? '');
      const file = await loadEnvironments(path);
      expect(Object.keys(file.environments)).toEqual(['dev', 'qa', 'live']);
      expect(file.environments.live.release).toBe('deploy/releases/live.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--nxRelease gives every project with an image an nx-release-publish target after its image target, keeping one of its own', async () => {
    const warnings: string[] = [];
    vi.spyOn(logger, 'warn').mockImplementation((line) => void warnings.push(String(line)));
    addProjectConfiguration(tree, 'api', { root: 'apps/api' });
    tree.write('apps/api/Dockerfile', 'FROM scratch\n');
    addProjectConfiguration(tree, 'jobs', { root: 'apps/jobs' });
    // A Dockerfile in a folder of the project is the project's, as inference files it.
    tree.write('apps/jobs/docker/Containerfile', 'FROM scratch\n');
    addProjectConfiguration(tree, 'shared-image', { root: 'apps/shared-image', targets: { image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'docker/node.Dockerfile' } } } });
    addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: { 'nx-release-publish': { executor: '@nx/js:release-publish' } } });
    tree.write('apps/web/Dockerfile', 'FROM scratch\n');
    addProjectConfiguration(tree, 'utils', { root: 'libs/utils' });
    tree.write('libs/utils/index.ts', 'export {};\n');
    await releaseGenerator(tree, { nxRelease: true });
    for (const name of ['api', 'jobs', 'shared-image'])
      expect(readProjectConfiguration(tree, name).targets?.['nx-release-publish'], name).toEqual({ executor: '@hashdock/nx-plugin:release-publish', dependsOn: ['image'] });
    expect(readProjectConfiguration(tree, 'shared-image').targets?.image).toMatchObject({ executor: '@hashdock/nx-plugin:image' });
    expect(readProjectConfiguration(tree, 'web').targets?.['nx-release-publish']).toEqual({ executor: '@nx/js:release-publish' });
    expect(readProjectConfiguration(tree, 'utils').targets?.['nx-release-publish']).toBeUndefined();
    expect(info.join('\n')).toContain('nx-release-publish added to api, jobs, shared-image');
    expect(warnings).toEqual(['@hashdock/nx-plugin: web already has an nx-release-publish target of its own; left as it is.']);
  });

  it('refuses what it would overwrite or could not promote to, writing nothing', async () => {
    addProjectConfiguration(tree, 'release', { root: 'apps/release' });
    await expect(releaseGenerator(tree, {})).rejects.toThrow('A project named "release" already exists; pass --project=<another>');
    tree.write('ops/environments.json', '{}');
    await expect(releaseGenerator(tree, { directory: 'ops', project: 'ops' })).rejects.toThrow('ops/environments.json already exists');
    await expect(releaseGenerator(tree, { directory: '../x', project: 'x' })).rejects.toThrow('"../x" must be a folder inside the workspace');
    await expect(releaseGenerator(tree, { project: 'promo', environments: 'dev,prod' })).rejects.toThrow('not "dev"');
    await expect(releaseGenerator(tree, { project: 'promo', environments: 'Prod' })).rejects.toThrow('Environment "Prod"');
    await expect(releaseGenerator(tree, { project: 'promo', environments: 'qa,qa' })).rejects.toThrow('distinct environments');
    expect(tree.exists('release/environments.json')).toBe(false);
  });
});

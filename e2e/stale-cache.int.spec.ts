import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, runCommand } from '@hashdock/core';
import { checkEnvironment, skopeoDigest } from './support/environment';
import { builtProjects, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment({ skopeo: true });
const IMAGES = ['api', 'base', 'indexer', 'status'];

describe.skipIf(!environment.available)('npm run images when the Nx cache is ahead of the registry', () => {
  let ws: SandboxWorkspace;
  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-stale-${Date.now().toString(36)}`);
  });
  afterAll(() => ws?.remove());

  const images = async () => {
    try {
      return (await runCommand('bash', [join(ws.root, 'tools/scripts/images.sh')], { cwd: ws.root, env: ws.env() })).stdout;
    } catch (error) {
      throw new Error((error as CommandError).message);
    }
  };

  it('notices manifests whose images are gone, rebuilds them, and ends with every ref resolvable', async () => {
    await images();
    expect(builtProjects(await ws.takeDockerCalls())).toEqual(IMAGES);
    // The registry loses the images (wiped storage, another registry): Nx's cache still has the manifests.
    for (const project of IMAGES) {
      const manifest = await ws.manifest(project);
      await runCommand('skopeo', ['delete', '--tls-verify=false', `docker://${manifest.ref}`]);
    }
    const output = await images();
    expect(builtProjects(await ws.takeDockerCalls())).toEqual(IMAGES);
    expect(output).toContain('every digest is in its registry');
    for (const project of IMAGES) {
      const manifest = await ws.manifest(project);
      expect(await skopeoDigest(`${manifest.repository}:${manifest.contentHash}`)).toBe(manifest.digest);
    }
  });
});

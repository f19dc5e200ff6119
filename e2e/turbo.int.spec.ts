import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, runCommand } from '@hashdock/core';
import { checkEnvironment } from './support/environment';
import { builtProjects, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();
const IMAGES = ['api', 'base', 'indexer', 'status'];

describe.skipIf(!environment.available)('turbo parity: turbo run image calls the same core library', () => {
  let nxClone: SandboxWorkspace;
  let turboClone: SandboxWorkspace;

  beforeAll(async () => {
    nxClone = await SandboxWorkspace.create(`e2e-turbo-${Date.now().toString(36)}`);
    turboClone = await SandboxWorkspace.cloneOf(nxClone);
  });
  afterAll(async () => {
    await nxClone?.remove();
    await turboClone?.remove();
  });

  it('a fresh clone running turbo gets manifests identical (hash, tags, digest) to the Nx run', async () => {
    const nx = await nxClone.nx(['run-many', '-t', 'image']);
    expect(nx.exitCode, nx.output).toBe(0);
    let output = '';
    try {
      ({ stdout: output } = await runCommand(join(turboClone.root, 'node_modules/.bin/turbo'), ['run', 'image'], {
        cwd: turboClone.root,
        env: { ...turboClone.env(), TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
      }));
    } catch (error) {
      throw new Error((error as CommandError).message);
    }
    expect(output).toMatch(/Tasks:\s+7 successful, 7 total/);
    // Everything was already in the registry under the same content hashes: turbo built nothing.
    expect(builtProjects(await turboClone.takeDockerCalls())).toEqual([]);
    for (const project of IMAGES) {
      const fromNx = await nxClone.manifest(project);
      const fromTurbo = await turboClone.manifest(project);
      expect(fromTurbo.status).toBe('exists');
      expect({ ...fromTurbo, status: fromNx.status, builder: fromNx.builder }).toEqual(fromNx);
    }
  });
});

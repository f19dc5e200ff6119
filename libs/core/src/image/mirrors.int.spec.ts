import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { REPO_ROOT } from '../../../../e2e/support/sandbox-workspace';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { getManifest } from '../registry/manifest-io';
import { buildImage } from './build-image';
import { hostPlatform } from './image-options';

const environment = await checkEnvironment();

/**
 * Bases read through a mirror, as CI behind a pull-through cache (or with no
 * route to Docker Hub) reads them. Nothing listens on 127.0.0.1:5999, the
 * "upstream" here: whatever works, works through the mirror (the local
 * registry). The Docker Hub case uses the root image's own name, unqualified,
 * with Docker Hub mirrored locally, so Docker Hub is never asked.
 */
describe.skipIf(!environment.available)('registry mirrors against the real engine and registry', () => {
  let dir = '';
  let root = '';
  let rootDigest = '';
  const namespace = `mirrors-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
  const cli = join(REPO_ROOT, 'libs/core/dist/cli/main.js');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-mirrors-int-'));
    await writeFile(join(dir, 'a.txt'), `a ${namespace}\n`);
    root = await localRootImage();
    const colon = root.lastIndexOf(':');
    rootDigest = (await getManifest(deps.registry, root.slice(0, colon), root.slice(colon + 1))).digest;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const build = async (name: string, dockerfile: string, mirrors: Record<string, string> | undefined, builder: 'auto' | 'docker' = 'auto') => {
    const sub = join(dir, name);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, 'Dockerfile'), dockerfile);
    await writeFile(join(sub, 'a.txt'), `a ${namespace}\n`);
    return buildImage(imageBuildOptions(name, sub, `localhost:5000/${namespace}/${name}`, { builder, ...(mirrors ? { mirrors } : {}) }), deps);
  };
  const upstream = () => root.replace(/^localhost:5000\//, '127.0.0.1:5999/');

  it('reads and builds on a base whose registry is down, through its mirror, by both builders', async () => {
    const mirrors = { '127.0.0.1:5999': 'localhost:5000' };
    const assembled = await build('assembled', `FROM ${upstream()}\nCOPY a.txt /a.txt\n`, mirrors);
    expect(assembled.manifest).toMatchObject({ status: 'built', builder: { name: 'registry' }, externalBases: { [upstream()]: { digest: rootDigest } } });
    const docker = await build('docker', `ARG ROOT_IMAGE=${upstream()}\nFROM \${ROOT_IMAGE}\nRUN ["node", "-e", "require('fs').writeFileSync('/ran', '1')"]\n`, mirrors, 'docker');
    expect(docker.manifest).toMatchObject({ status: 'built', builder: { name: 'docker' }, externalBases: { [upstream()]: { digest: rootDigest } } });
    // Without the mirror, the error names the registry that is down.
    const down = await build('down', `FROM ${upstream()}\nCOPY a.txt /a.txt\n`, undefined).catch((error: Error) => error);
    expect((down as Error).message).toContain(`base image ${upstream()}: could not be resolved to a digest`);
    expect((down as Error).message).toContain('127.0.0.1:5999');
  });

  it('gives the same content hash whichever mirror serves the base (the digest is what counts)', async () => {
    const dockerfile = `FROM ${upstream()}\nCOPY a.txt /a.txt\n`;
    const one = await build('same-a', dockerfile, { '127.0.0.1:5999': 'localhost:5000' });
    const two = await build('same-b', dockerfile, { '127.0.0.1:5999': '127.0.0.1:5000' });
    expect(two.manifest.contentHash).toBe(one.manifest.contentHash);
  });

  it('hashdock base-digest (the Nx runtime input) reads Docker Hub names through --mirror or HASHDOCK_MIRRORS', async () => {
    const hubName = root.replace(/^localhost:5000\//, '');
    const line = `${hubName} ${hostPlatform()} ${rootDigest}`;
    expect((await runCommand('node', [cli, 'base-digest', hubName, '--mirror', 'docker.io=localhost:5000'])).stdout.trim()).toBe(line);
    // The environment wins over the flags, as in the executor (nothing listens where the flag points).
    expect((await runCommand('node', [cli, 'base-digest', hubName, '--mirror', 'docker.io=127.0.0.1:5998'], { env: { HASHDOCK_MIRRORS: 'docker.io=127.0.0.1:5000' } })).stdout.trim()).toBe(line);
    // A mirror of another registry changes nothing for this one.
    const refused = await runCommand('node', [cli, 'base-digest', upstream(), '--mirror', 'docker.io=localhost:5000']).catch((error: Error) => error);
    expect((refused as Error).message).toContain('127.0.0.1:5999');
  });
});

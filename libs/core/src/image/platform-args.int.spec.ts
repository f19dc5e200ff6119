import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { DockerDriver } from '../docker/docker-driver';
import { runCommand } from '../process/run-command';
import { RegistryClient } from '../registry/client';
import { buildImage } from './build-image';
import { hostPlatform } from './image-options';

const environment = await checkEnvironment();

/**
 * BuildKit defines TARGETARCH (and the other platform args) for every build: a final stage chosen by it
 * (`FROM build-${TARGETARCH}`) is a stage, not an image. Before, Hashdock read that FROM as the
 * external image "build-" and failed looking it up.
 */
describe.skipIf(!environment.available)('a stage chosen by ${TARGETARCH}, against the real engine and registry', () => {
  const ns = `platform-args-int-${Date.now().toString(36)}`;
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-platform-args-'));
    await mkdir(join(dir, 'bin'));
    for (const arch of ['amd64', 'arm64']) await writeFile(join(dir, `bin/${arch}.txt`), `${arch} build`);
    await writeFile(
      join(dir, 'Dockerfile'),
      'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE} AS build-amd64\nCOPY bin/amd64.txt /arch.txt\nFROM ${ROOT_IMAGE} AS build-arm64\nCOPY bin/arm64.txt /arch.txt\n' +
        'FROM build-${TARGETARCH}\nCMD ["node", "-e", "process.stdout.write(require(\'fs\').readFileSync(\'/arch.txt\', \'utf8\'))"]\n',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('builds the stage for this machine\'s architecture, with only the root image as its base', async () => {
    const options = imageBuildOptions('svc', dir, `localhost:5000/${ns}/svc`, { buildArgs: { ROOT_IMAGE: await localRootImage() } });
    const result = await buildImage(options, { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined });
    expect(result.manifest.status).toBe('built');
    expect(Object.keys(result.manifest.externalBases ?? {})).toEqual([await localRootImage()]);
    const arch = hostPlatform().split('/')[1];
    expect((await runCommand('/usr/bin/docker', ['run', '--rm', result.manifest.ref!])).stdout).toBe(`${arch} build`);
  });
});

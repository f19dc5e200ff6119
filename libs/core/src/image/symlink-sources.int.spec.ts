import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { DockerDriver } from '../docker/docker-driver';
import { runCommand } from '../process/run-command';
import { RegistryClient } from '../registry/client';
import { buildImage } from './build-image';

const environment = await checkEnvironment();

/**
 * A COPY source that is a symlink (`config.json → shared/config.json`, as monorepos share one config):
 * BuildKit copies what it points to. Before, the hash read only the link's text, so an edit to the
 * shared file kept the tag, the registry held it, and the image kept the old config.
 */
describe.skipIf(!environment.available)('COPY of a symlink, against the real engine and registry', () => {
  const ns = `links-int-${Date.now().toString(36)}`;
  let dir = '';
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-links-int-'));
    await mkdir(join(dir, 'shared'));
    await writeFile(join(dir, 'shared/config.json'), '{"level":"info"}');
    await symlink('shared/config.json', join(dir, 'config.json'));
    await writeFile(join(dir, 'Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nCOPY config.json /app/config.json\nCMD ["node", "-e", "process.stdout.write(require(\'fs\').readFileSync(\'/app/config.json\', \'utf8\'))"]\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('hashes the file the link leads to, and docker (not the registry builder) copies it', async () => {
    const options = imageBuildOptions('svc', dir, `localhost:5000/${ns}/svc`, { buildArgs: { ROOT_IMAGE: await localRootImage() } });
    const first = await buildImage(options, deps);
    expect(first.manifest).toMatchObject({ status: 'built', builder: { name: 'docker' } });
    expect(first.manifest.builder?.reason).toContain('COPY source config.json is a symbolic link');
    expect(first.hash.files.map((file) => file.path)).toEqual(['config.json', 'shared/config.json']);
    const show = async (ref: string) => (await runCommand('/usr/bin/docker', ['run', '--rm', ref])).stdout;
    expect(await show(first.manifest.ref!)).toBe('{"level":"info"}');

    await writeFile(join(dir, 'shared/config.json'), '{"level":"debug"}');
    const second = await buildImage(options, deps);
    expect(second.manifest.contentHash).not.toBe(first.manifest.contentHash);
    expect(await show(second.manifest.ref!)).toBe('{"level":"debug"}');
  });
});

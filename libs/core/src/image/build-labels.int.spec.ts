import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { buildImage } from './build-image';
import { LABEL_CONTENT_HASH, LABEL_PROJECT } from './image-labels';
import { ImageBuildOptions } from './image-options';

const environment = await checkEnvironment({ skopeo: true });

/** The image's labels as an independent client (skopeo) reads them from the registry. */
async function registryLabels(ref: string): Promise<Record<string, string>> {
  const { stdout } = await runCommand('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]);
  return (JSON.parse(stdout) as { Labels: Record<string, string> }).Labels;
}

describe.skipIf(!environment.available)('the labels option against the real engine and registry', () => {
  let dir = '';
  let options: ImageBuildOptions;
  const namespace = `labels-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
  const source = { 'org.opencontainers.image.source': 'https://github.com/acme/shop', 'org.opencontainers.image.licenses': 'MIT' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-labels-int-'));
    // A Dockerfile LABEL that the option overrides, as docker build --label does.
    await writeFile(join(dir, 'Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nLABEL org.opencontainers.image.licenses=UNLICENSED team=shop\nCOPY app.txt /app.txt\n');
    await writeFile(join(dir, 'app.txt'), `app ${namespace}\n`);
    options = imageBuildOptions('svc', dir, `localhost:5000/${namespace}/svc`, { buildArgs: { ROOT_IMAGE: await localRootImage() }, labels: source });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([['registry'], ['docker']] as const)('the %s builder sets the labels over the Dockerfile\'s, beside Hashdock\'s own', async (builder) => {
    const built = await buildImage({ ...options, builder, repository: `${options.repository}-${builder}`, imageName: `svc-${builder}` }, deps);
    expect(built.manifest).toMatchObject({ status: 'built', builder: { name: builder } });
    expect(await registryLabels(built.manifest.ref!)).toMatchObject({
      ...source,
      team: 'shop',
      [LABEL_CONTENT_HASH]: built.manifest.contentHash,
      [LABEL_PROJECT]: 'svc',
    });
  });

  it('a new label value is a new content hash, and the rebuild names it', async () => {
    const first = await buildImage(options, deps);
    const relabelled = await buildImage({ ...options, labels: { ...source, 'org.opencontainers.image.source': 'https://github.com/acme/shop-v2' } }, deps);
    expect(relabelled.manifest.status).toBe('built');
    expect(relabelled.manifest.contentHash).not.toBe(first.manifest.contentHash);
    expect(relabelled.reasons?.changes).toEqual([{ input: 'label:org.opencontainers.image.source', change: 'changed' }]);
  });
});

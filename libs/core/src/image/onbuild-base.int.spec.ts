import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { DockerDriver } from '../docker/docker-driver';
import { cacheDirFor } from '../hash/cache-dir';
import { runCommand } from '../process/run-command';
import { RegistryClient } from '../registry/client';
import { buildImage } from './build-image';
import { ImageBuildOptions } from './image-options';

const environment = await checkEnvironment();

/** What the image's /app/greeting.txt says, read by running it. */
async function greeting(ref: string): Promise<string> {
  return (await runCommand('/usr/bin/docker', ['run', '--rm', ref, 'node', '-e', "process.stdout.write(require('fs').readFileSync('/app/greeting.txt', 'utf8'))"])).stdout.trim();
}

/**
 * A workspace base with ONBUILD triggers (`ONBUILD COPY greeting.txt ./`): docker runs them in each image
 * built FROM it, on that image's context. The service's Dockerfile reads nothing of its context itself,
 * so before Hashdock read the base's triggers an edit to greeting.txt kept the tag: the registry held
 * it, nothing was rebuilt, and the image served the old file.
 */
describe.skipIf(!environment.available)('a workspace base with ONBUILD triggers, against the real engine and registry', () => {
  const ns = `onbuild-int-${Date.now().toString(36)}`;
  let workspace = '';
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
  const options = (name: string, extra: Partial<ImageBuildOptions> = {}) =>
    imageBuildOptions(name, join(workspace, name), `localhost:5000/${ns}/${name}`, {
      workspaceRoot: workspace,
      manifestDir: join(workspace, 'dist/images'),
      workspaceImages: { [`${ns}/base`]: 'base' },
      ...extra,
    });

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'hashdock-onbuild-'));
    await mkdir(join(workspace, 'base'), { recursive: true });
    await writeFile(join(workspace, 'base/Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nWORKDIR /app\nONBUILD COPY greeting.txt ./\n');
    await mkdir(join(workspace, 'svc'), { recursive: true });
    await writeFile(join(workspace, 'svc/Dockerfile'), `ARG BASE_IMAGE=${ns}/base\nFROM \${BASE_IMAGE}\nCMD ["node", "-e", "0"]\n`);
    await writeFile(join(workspace, 'svc/greeting.txt'), 'hello\n');
    await writeFile(join(workspace, 'svc/unrelated.txt'), 'one\n');
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it('hashes what the triggers copy, builds with docker (which runs them), and rebuilds when that file changes', async () => {
    const base = await buildImage(options('base', { buildArgs: { ROOT_IMAGE: await localRootImage() } }), deps);
    expect(base.manifest).toMatchObject({ status: 'built', onbuild: ['COPY greeting.txt ./'] });

    const svc = await buildImage(options('svc'), deps);
    // The registry builder would leave the triggers unrun: docker builds it, saying why.
    expect(svc.manifest).toMatchObject({ status: 'built', context: 'COPY/ADD sources: greeting.txt', builder: { name: 'docker' } });
    expect(svc.manifest.builder?.reason).toContain('ONBUILD');
    expect(await greeting(svc.manifest.ref!)).toBe('hello');

    // A file the triggers do not read changes nothing.
    await writeFile(join(workspace, 'svc/unrelated.txt'), 'two\n');
    const same = await buildImage(options('svc'), { ...deps, docker: new DockerDriver({ binary: '/bin/false' }) });
    expect(same.manifest).toMatchObject({ status: 'exists', contentHash: svc.manifest.contentHash, digest: svc.manifest.digest });

    await writeFile(join(workspace, 'svc/greeting.txt'), 'bonjour\n');
    const edited = await buildImage(options('svc'), deps);
    expect(edited.manifest.contentHash).not.toBe(svc.manifest.contentHash);
    expect(edited.manifest.status).toBe('built');
    expect(await greeting(edited.manifest.ref!)).toBe('bonjour');
  });

  it('an external base with ONBUILD triggers: its config is read, the hash covers what they copy, docker builds it, and the build warns', async () => {
    // Built FROM the base as an external image (not a workspace one): the triggers are found in its config.
    const base = await buildImage(options('base', { buildArgs: { ROOT_IMAGE: await localRootImage() } }), deps);
    await mkdir(join(workspace, 'ext'), { recursive: true });
    await writeFile(join(workspace, 'ext/Dockerfile'), `FROM ${base.manifest.ref}\nCOPY other.txt /other.txt\n`);
    await writeFile(join(workspace, 'ext/other.txt'), 'other\n');
    await writeFile(join(workspace, 'ext/greeting.txt'), 'hi\n');
    const refused = buildImage(options('ext', { builder: 'registry', workspaceImages: {} }), deps);
    await expect(refused).rejects.toThrow(/ext\/Dockerfile:1: the base image localhost:5000\/onbuild-int-\w+\/base@sha256:[0-9a-f]{64} has ONBUILD triggers \(COPY greeting.txt \.\/\), which docker runs in this build; this image needs the docker builder/);

    const logs: string[] = [];
    const ext = await buildImage(options('ext', { workspaceImages: {} }), { ...deps, log: (line: string) => logs.push(line) });
    expect(ext.manifest).toMatchObject({ status: 'built', builder: { name: 'docker' } });
    expect(ext.hash.files.map((file) => file.path)).toEqual(['greeting.txt', 'other.txt']);
    expect(logs.join('\n')).toContain(`ext/Dockerfile:1: the base ${base.manifest.ref} has ONBUILD triggers (COPY greeting.txt ./): the content hash covers what they read of the context`);
    expect(await greeting(ext.manifest.ref!)).toBe('hi');
    await writeFile(join(workspace, 'ext/greeting.txt'), 'salut\n');
    const edited = await buildImage(options('ext', { workspaceImages: {} }), deps);
    expect(edited.manifest.contentHash).not.toBe(ext.manifest.contentHash);
    expect(await greeting(edited.manifest.ref!)).toBe('salut');

    // The base's manifest and triggers are kept by digest in the checkout's cache: the next run (a new process,
    // its own client) GETs nothing of the base (Docker Hub counts manifest GETs against its pull limit).
    const cacheDir = cacheDirFor(workspace, 'registry');
    const digest = (await new RegistryClient().request(`localhost:5000/${ns}/base`, { method: 'HEAD', path: `manifests/${base.manifest.digest}`, expect: [200] })).headers.get('docker-content-digest')!;
    expect(JSON.parse(await readFile(join(cacheDir, 'base-onbuild', `${digest.replace('sha256:', '')}.json`), 'utf8'))).toEqual(['COPY greeting.txt ./']);
    const gets = async () => {
      const registry = new RegistryClient();
      const again = await buildImage(options('ext', { workspaceImages: {} }), { ...deps, registry, docker: new DockerDriver({ binary: '/bin/false' }) });
      expect(again.manifest).toMatchObject({ status: 'exists', contentHash: edited.manifest.contentHash });
      return registry.stats.requests.GET ?? 0;
    };
    await gets();
    expect(await gets()).toBe(0);
    // Without the triggers kept, the base's config is read again (one GET), and kept.
    await rm(join(cacheDir, 'base-onbuild'), { recursive: true, force: true });
    expect(await gets()).toBe(1);
    expect(await gets()).toBe(0);
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getManifest, ImageManifest, RegistryClient } from '@hashdock/core';
import { checkEnvironment } from './support/environment';
import { runCapturing } from './support/run-capturing';
import { requestFromImage } from './support/run-container';
import { rootFilesystem, runtimeConfig } from './support/root-filesystem';
import { builtProjects, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();
const IMAGES = ['base', 'api', 'indexer', 'status'];

/** Every sample image's manifest after a run. */
async function manifests(workspace: SandboxWorkspace): Promise<Record<string, ImageManifest>> {
  return Object.fromEntries(await Promise.all(IMAGES.map(async (image) => [image, await workspace.manifest(image)] as const)));
}

/**
 * The registry builder (daemonless images) against docker on the sample
 * workspace: the same content hash, file tree and runtime config; the same
 * digest from another clone with other timestamps and umask; images built and
 * pushed with no docker daemon at all.
 */
describe.skipIf(!environment.available)('registry builder: daemonless, reproducible, equivalent to docker', () => {
  const stamp = Date.now().toString(36);
  let workspace: SandboxWorkspace;
  const clones: SandboxWorkspace[] = [];
  let byDocker: Record<string, ImageManifest>;
  let byRegistry: Record<string, ImageManifest>;

  beforeAll(async () => {
    workspace = await SandboxWorkspace.create(`e2e-regb-${stamp}`);
    const docker = await workspace.nx(['run-many', '-t', 'image', '--skip-nx-cache'], { HASHDOCK_BUILDER: 'docker', HASHDOCK_NAMESPACE: `e2e-regb-docker-${stamp}` });
    expect(docker.exitCode, docker.output).toBe(0);
    byDocker = await manifests(workspace);
    await workspace.takeDockerCalls();
    const registry = await workspace.nx(['run-many', '-t', 'image', '--skip-nx-cache'], { HASHDOCK_BUILDER: 'auto', HASHDOCK_NAMESPACE: `e2e-regb-registry-${stamp}` });
    expect(registry.exitCode, registry.output).toBe(0);
    byRegistry = await manifests(workspace);
  });
  afterAll(async () => {
    await workspace?.remove();
    for (const clone of clones) await clone.remove();
  });

  it('auto picks the registry builder for every sample image and docker builds nothing; the hash is the same as docker’s', async () => {
    expect(builtProjects(await workspace.takeDockerCalls())).toEqual([]);
    for (const image of IMAGES) {
      expect(byRegistry[image]).toMatchObject({ status: 'built', pushed: true, builder: { name: 'registry' } });
      expect(byDocker[image]).toMatchObject({ status: 'built', builder: { name: 'docker', reason: 'builder option is "docker"' } });
      expect(byRegistry[image].contentHash).toBe(byDocker[image].contentHash);
      expect(byRegistry[image].digest).not.toBe(byDocker[image].digest);
    }
  });

  it('each image has docker’s file tree (paths, types, modes, owners, bytes) and runtime config; the api answers /health', async () => {
    for (const image of IMAGES) {
      const [ours, theirs] = await Promise.all([rootFilesystem(byRegistry[image].ref!), rootFilesystem(byDocker[image].ref!)]);
      const differences = [...new Set([...ours.keys(), ...theirs.keys()])].filter((path) => ours.get(path) !== theirs.get(path)).map((path) => `${path}: registry ${ours.get(path)} / docker ${theirs.get(path)}`);
      expect(differences, image).toEqual([]);
      expect(ours.size, image).toBeGreaterThan(20);
      if (image !== 'base') expect(ours.get('app/main.js'), image).toMatch(/^file 644 0:0 \d+ [0-9a-f]{64}$/);
      expect(await runtimeConfig(byRegistry[image].ref!), image).toEqual(await runtimeConfig(byDocker[image].ref!));
    }
    expect(await requestFromImage(byRegistry.api.ref!, 3000, '/health')).toMatchObject({ status: 200, body: { status: 'ok', service: 'api' } });
  });

  it('a clone at another path with other timestamps, and one with umask 002 as well, assemble the identical digest for every image', async () => {
    const layersOf = async (manifest: ImageManifest) => {
      const raw = await getManifest(new RegistryClient(), manifest.repository, manifest.digest!);
      return (JSON.parse(Buffer.from(raw.bytes).toString('utf8')) as { layers: { digest: string }[] }).layers.map((layer) => layer.digest);
    };
    const build = async (umask: string, namespace: string) => {
      const clone = await SandboxWorkspace.cloneOf(workspace);
      clones.push(clone);
      const touched = await runCapturing('sh', ['-c', `find . -path ./node_modules -prune -o -exec touch -h -d "2001-02-03 04:05:06" {} + && if [ ${umask} = 002 ]; then find apps libs -type f -exec chmod g+w {} +; fi`], { cwd: clone.root, env: {} });
      expect(touched.exitCode, touched.output).toBe(0);
      const run = await runCapturing('sh', ['-c', `umask ${umask} && exec "$0" "$@"`, join(clone.root, 'node_modules/.bin/nx'), 'run-many', '-t', 'image', '--skip-nx-cache', '--outputStyle=stream'], {
        cwd: clone.root,
        env: clone.env({ HASHDOCK_BUILDER: 'registry', HASHDOCK_NAMESPACE: namespace }),
      });
      expect(run.exitCode, run.output).toBe(0);
      return manifests(clone);
    };
    const elsewhere = await build('022', `e2e-regb-clone-${stamp}`);
    for (const image of IMAGES) {
      expect(elsewhere[image].status, image).toBe('built');
      expect(elsewhere[image].repository).not.toBe(byRegistry[image].repository);
      expect(elsewhere[image].digest, image).toBe(byRegistry[image].digest);
    }
    // umask 002 makes the checkout's and the bundle's files 0664 (directories 0775). The registry builder writes
    // git's modes, and its hash records those: same hash, same layers, same config, same digest.
    const groupWritable = await build('002', `e2e-regb-umask-${stamp}`);
    for (const image of IMAGES) {
      expect(groupWritable[image].contentHash, image).toBe(byRegistry[image].contentHash);
      expect(await layersOf(groupWritable[image]), image).toEqual(await layersOf(byRegistry[image]));
      expect(groupWritable[image].digest, image).toBe(byRegistry[image].digest);
    }
  });

  it('with no docker daemon, eligible images build and push; an ineligible one fails naming why it needed docker', async () => {
    const nowhere = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', HASHDOCK_BUILDER: 'auto', HASHDOCK_NAMESPACE: `e2e-regb-nodaemon-${stamp}` };
    const run = await workspace.nx(['run-many', '-t', 'image', '--skip-nx-cache'], nowhere);
    expect(run.exitCode, run.output).toBe(0);
    for (const image of IMAGES) expect(await workspace.manifest(image), image).toMatchObject({ status: 'built', pushed: true, builder: { name: 'registry' } });

    await workspace.edit('apps/status/Dockerfile', (text) => text.replace(/^CMD/m, 'RUN echo needs a daemon\nCMD'));
    const failed = await workspace.nx(['run', 'status:image', '--skip-nx-cache'], nowhere);
    expect(failed.exitCode).not.toBe(0);
    expect(failed.output).toMatch(/status: docker builder \(line \d+ \(RUN\) needs docker\)/);
    expect(failed.output).toMatch(/Cannot connect to the Docker daemon|nonexistent\/docker\.sock/);
  });
});

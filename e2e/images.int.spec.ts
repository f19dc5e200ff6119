import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageManifest, runCommand } from '@hashdock/core';
import { checkEnvironment, localRootImage, skopeoDigest } from './support/environment';
import { requestFromImage } from './support/run-container';
import { builtProjects, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment({ skopeo: true });
const IMAGES = ['api', 'base', 'indexer', 'status'];
const DOCKER = '/usr/bin/docker';

async function manifests(ws: SandboxWorkspace): Promise<Record<string, ImageManifest>> {
  return Object.fromEntries(await Promise.all(IMAGES.map(async (p) => [p, await ws.manifest(p)] as const)));
}

const hashes = (all: Record<string, ImageManifest>) => Object.fromEntries(Object.entries(all).map(([p, m]) => [p, m.contentHash]));

/**
 * The daemon of a fresh runner has none of the images: this workspace's are removed. (BuildKit's cache stays: it is the
 * engine's, shared with the test files running beside this one, and the case below builds nothing that could use it.)
 */
async function removeLocalImages(namespace: string): Promise<void> {
  const { stdout } = await runCommand(DOCKER, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=*/${namespace}/*`]);
  const references = stdout.split('\n').filter(Boolean);
  if (references.length) await runCommand(DOCKER, ['rmi', '--force', ...references]);
}

/** A TCP port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!environment.available)('content-addressed images end to end (real engine, registry, nx)', () => {
  let ws: SandboxWorkspace;
  let first: Record<string, ImageManifest>;

  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-${Date.now().toString(36)}`);
  });
  afterAll(async () => {
    await ws?.remove();
  });

  it('builds and pushes every image, base first; refs resolve to the recorded digests; api answers /health', async () => {
    const run = await ws.nx(['run-many', '-t', 'image']);
    expect(run.exitCode, run.output).toBe(0);
    first = await manifests(ws);
    for (const project of IMAGES) {
      const m = first[project];
      expect(m).toMatchObject({ project, status: 'built', pushed: true, repository: `localhost:5000/${ws.namespace}/${project}` });
      expect(m.ref).toBe(`${m.repository}@${m.digest}`);
      expect(await skopeoDigest(`${m.repository}:${m.contentHash}`)).toBe(m.digest);
      expect(m.tags).toContain(`git-${(await ws.git('rev-parse', '--short=12', 'HEAD')).trim()}`);
    }
    expect(first.api.baseImages).toEqual({ base: first.base.contentHash });
    expect(first.status.baseImages).toEqual({ base: first.base.contentHash });
    expect(builtProjects(await ws.takeDockerCalls())).toEqual(IMAGES);
    expect(run.output).toMatch(/hashdock built\s+api\s+[0-9a-f]{16} \S+@sha256:[0-9a-f]{64} \d+\.\d+s/);
    expect((await requestFromImage(first.api.ref!, 3000, '/health')).body).toMatchObject({ status: 'ok', service: 'api' });
    // The bundles are gitignored but are their build tasks' outputs: Nx sees them, so no image is said to copy unseen files.
    expect(run.output).not.toContain('git ignores');
  });

  it('runs no docker build again when nothing changed', async () => {
    const run = await ws.nx(['run-many', '-t', 'image']);
    expect(run.exitCode, run.output).toBe(0);
    expect(builtProjects(await ws.takeDockerCalls())).toEqual([]);
    expect(await manifests(ws)).toEqual(first);
  });

  it('nx run api:run-image runs the image by the digest the image target recorded, until Ctrl-C stops it; no container is left', async () => {
    const port = await freePort();
    await ws.edit('apps/api/project.json', (text) => {
      const project = JSON.parse(text);
      project.targets['run-image'] = { executor: '@hashdock/nx-plugin:run', dependsOn: ['image'], continuous: true, options: { ports: [`127.0.0.1:${port}:3000`] } };
      return JSON.stringify(project, null, 2);
    });
    const containers = async () => (await runCommand(DOCKER, ['ps', '--all', '--format', '{{.Names}} {{.Image}}', '--filter', 'name=hashdock-run-api-'])).stdout.split('\n').filter(Boolean);
    const stop = new AbortController();
    let nxPid = 0;
    const running = runCommand(join(ws.root, 'node_modules/.bin/nx'), ['run', 'api:run-image', '--outputStyle=stream'], { cwd: ws.root, env: ws.env(), signal: stop.signal, onSpawn: (pid) => (nxPid = pid) }).catch((error: Error) => error);
    try {
      let health: unknown;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && health === undefined; ) {
        health = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).then((response) => response.json(), () => undefined);
        if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(health).toMatchObject({ status: 'ok', service: 'api' });
      const [container] = await containers();
      expect(container).toMatch(/^hashdock-run-api-\d+ /);
      // The image it runs is the one the manifest records, by digest.
      const imageId = (await runCommand(DOCKER, ['inspect', '--format', '{{.Image}}', container.split(' ')[0]])).stdout.trim();
      expect(JSON.parse((await runCommand(DOCKER, ['image', 'inspect', '--format', '{{json .RepoDigests}}', imageId])).stdout)).toContain(first.api.ref);
      // What Ctrl-C sends nx.
      process.kill(nxPid, 'SIGINT');
      await running;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline && (await containers()).length > 0; ) await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await containers()).toEqual([]);
    } finally {
      stop.abort();
      await running;
      for (const line of await containers()) await runCommand(DOCKER, ['rm', '--force', line.split(' ')[0]]);
    }
  });

  it("finds everything in the registry after the daemon's images, the Nx cache and dist/ are wiped", async () => {
    await removeLocalImages(ws.namespace);
    expect((await ws.nx(['reset'])).exitCode).toBe(0);
    await rm(join(ws.root, 'dist'), { recursive: true, force: true });
    const run = await ws.nx(['run-many', '-t', 'image']);
    expect(run.exitCode, run.output).toBe(0);
    const calls = await ws.takeDockerCalls();
    expect(builtProjects(calls)).toEqual([]);
    expect(calls.filter((call) => call.startsWith('push '))).toEqual([]);
    const again = await manifests(ws);
    for (const project of IMAGES) {
      expect(again[project].status).toBe('exists');
      expect({ ...again[project], status: 'built', builder: first[project].builder }).toEqual(first[project]);
    }
  });

  it('a dockerignored edit changes no hash; a shared edit rebuilds exactly api and indexer under nx affected', async () => {
    await ws.edit('apps/api/README.md', (text) => `${text}\nMore words nobody ships.\n`);
    await ws.commit('docs only');
    let run = await ws.nx(['affected', '-t', 'image', '--base=HEAD~1', '--head=HEAD']);
    expect(run.exitCode, run.output).toBe(0);
    expect(builtProjects(await ws.takeDockerCalls())).toEqual([]);
    expect(hashes(await manifests(ws))).toEqual(hashes(first));

    // tokenize is bundled into both services (esbuild drops unused code, so an edit
    // to a function only api uses would rebuild api alone, which is right too).
    await ws.edit('libs/shared/src/text.ts', (text) => text.replace('/[a-z0-9]+/g', '/[a-z0-9]+/gu'));
    await ws.commit('shared: unicode-aware tokenizer');
    run = await ws.nx(['affected', '-t', 'image', '--base=HEAD~1', '--head=HEAD']);
    expect(run.exitCode, run.output).toBe(0);
    expect(builtProjects(await ws.takeDockerCalls())).toEqual(['api', 'indexer']);
    const after = hashes(await manifests(ws));
    expect(after.base).toBe(first.base.contentHash);
    expect(after.status).toBe(first.status.contentHash);
    expect(after.api).not.toBe(first.api.contentHash);
    expect(after.indexer).not.toBe(first.indexer.contentHash);
  });

  it('an edit to the base Dockerfile changes every image hash (dry run: nothing built or pushed)', async () => {
    const before = hashes(await manifests(ws));
    await ws.edit('apps/base/Dockerfile', (text) => text.replace('ENV NODE_ENV=production', 'ENV NODE_ENV=production TZ=UTC'));
    // The graph's image → base edges: nx affected reaches every image built FROM the base.
    const affected = await ws.nx(['show', 'projects', '--affected', '--files=apps/base/Dockerfile']);
    expect(affected.exitCode, affected.output).toBe(0);
    expect(affected.output.split('\n').map((line) => line.trim())).toEqual(expect.arrayContaining(IMAGES));
    const run = await ws.nx(['run-many', '-t', 'image', '--dryRun']);
    expect(run.exitCode, run.output).toBe(0);
    const calls = await ws.takeDockerCalls();
    expect(calls.filter((call) => /^(build|push) /.test(call))).toEqual([]);
    const planned = await manifests(ws);
    for (const project of IMAGES) {
      expect(planned[project]).toMatchObject({ status: 'planned', plan: 'build', digest: null, ref: null });
      expect(planned[project].contentHash).not.toBe(before[project]);
    }
    expect(run.output).toMatch(/hashdock: plan api: build /);
    await ws.git('checkout', '--', 'apps/base/Dockerfile');
  });

  it('computes identical hashes in a second clone at another path', async () => {
    const other = await SandboxWorkspace.cloneOf(ws, join(ws.root, '..'));
    try {
      const runs = await Promise.all([ws.nx(['run-many', '-t', 'image', '--dryRun', '--skip-nx-cache']), other.nx(['run-many', '-t', 'image', '--dryRun'])]);
      for (const run of runs) expect(run.exitCode, run.output).toBe(0);
      expect(hashes(await manifests(other))).toEqual(hashes(await manifests(ws)));
      expect(other.root).not.toBe(ws.root);
    } finally {
      await other.remove();
    }
  });

  it('HASHDOCK_BUILD_ARG_<NAME> overrides a build arg: base and everything FROM it get new hashes', async () => {
    const before = hashes(await manifests(ws));
    // The arg names an image by tag; the hash takes its digest, so the other root must really be another image.
    const anotherRoot = `localhost:5000/${ws.namespace}/another-root:1`;
    await runCommand(DOCKER, ['build', '--build-arg', `ROOT=${await localRootImage()}`, '--tag', anotherRoot, '-'], {
      env: { DOCKER_BUILDKIT: '1' },
      input: 'ARG ROOT\nFROM ${ROOT}\nENV HASHDOCK_E2E=another-root\n',
    });
    await runCommand(DOCKER, ['push', anotherRoot]);
    const run = await ws.nx(['run-many', '-t', 'image', '--dryRun'], { HASHDOCK_BUILD_ARG_ROOT_IMAGE: anotherRoot });
    expect(run.exitCode, run.output).toBe(0);
    const after = hashes(await manifests(ws));
    for (const project of IMAGES) expect(after[project], project).not.toBe(before[project]);
  });
});

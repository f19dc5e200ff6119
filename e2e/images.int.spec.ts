import { rm } from 'node:fs/promises';
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

async function removeLocalImages(namespace: string): Promise<void> {
  const { stdout } = await runCommand(DOCKER, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=*/${namespace}/*`]);
  const references = stdout.split('\n').filter(Boolean);
  if (references.length) await runCommand(DOCKER, ['rmi', '--force', ...references]);
  await runCommand(DOCKER, ['builder', 'prune', '--all', '--force']);
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
  });

  it('runs no docker build again when nothing changed', async () => {
    const run = await ws.nx(['run-many', '-t', 'image']);
    expect(run.exitCode, run.output).toBe(0);
    expect(builtProjects(await ws.takeDockerCalls())).toEqual([]);
    expect(await manifests(ws)).toEqual(first);
  });

  it('finds everything in the registry after the daemon, the Nx cache and dist/ are wiped', async () => {
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

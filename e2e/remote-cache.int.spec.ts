import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';
import { createCacheServer } from '../libs/remote-cache/src/cache-server';
import { DirectoryStorage } from '../libs/remote-cache/src/storage/directory-storage';
import { checkEnvironment } from './support/environment';
import { builtProjects, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();
const IMAGES = ['api', 'base', 'indexer', 'status'];

describe.skipIf(!environment.available)('two fresh clones sharing the Nx remote cache server', () => {
  let storageDir = '';
  let server: Server;
  let url = '';
  const log: string[] = [];
  let first: SandboxWorkspace;
  let second: SandboxWorkspace;

  const cacheEnv = (token: string) => ({ NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token });
  const entries = async () => (await readdir(storageDir)).filter((name) => !name.startsWith('.')).sort();

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'hashdock-nx-cache-'));
    server = createCacheServer({ storage: new DirectoryStorage(storageDir), readWriteTokens: ['main-token'], readOnlyTokens: ['pr-token'], log: (line) => log.push(line) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    first = await SandboxWorkspace.create(`e2e-cache-${Date.now().toString(36)}`);
    second = await SandboxWorkspace.cloneOf(first);
  });
  afterAll(async () => {
    await first?.remove();
    await second?.remove();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(storageDir, { recursive: true, force: true });
  });

  it('the first clone computes everything and uploads it', async () => {
    const run = await first.nx(['run-many', '-t', 'build', 'image', '-p', IMAGES.join(',')], cacheEnv('main-token'));
    expect(run.exitCode, run.output).toBe(0);
    expect(builtProjects(await first.takeDockerCalls())).toEqual(IMAGES);
    expect((await entries()).length).toBe(IMAGES.length + 3);
  });

  it('the second clone restores every task from the remote cache: no compile, no docker build', async () => {
    log.length = 0;
    const run = await second.nx(['run-many', '-t', 'build', 'image', '-p', IMAGES.join(',')], cacheEnv('main-token'));
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/Nx read the output from the cache instead of running the command for 7 out of 7 tasks/);
    // Every entry came from the server (the clone's own .nx/cache started empty).
    expect(log.filter((line) => /^GET \S+ 200 /.test(line))).toHaveLength(7);
    expect(await second.takeDockerCalls()).toEqual([]);
    for (const project of IMAGES) expect(await second.manifest(project)).toEqual(await first.manifest(project));
  });

  it('a read-only (pull request) token reads but cannot write', async () => {
    await runCommand(join(second.root, 'node_modules/.bin/nx'), ['reset'], { cwd: second.root, env: second.env() });
    const before = await entries();
    await second.edit('apps/status/src/status.ts', (text) => text.replace("service: 'status'", "service: 'status-pr'"));
    log.length = 0;
    const run = await second.nx(['run-many', '-t', 'build', 'image', '-p', IMAGES.join(',')], cacheEnv('pr-token'));
    expect(run.exitCode, run.output).toBe(0);
    expect(log.filter((line) => /^GET \S+ 200 /.test(line))).toHaveLength(5);
    expect(builtProjects(await second.takeDockerCalls())).toEqual(['status']);
    expect(await entries()).toEqual(before);
  });
});

import { spawn, ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';
import { waitUntil } from './support/processes';
import { checkEnvironment } from './support/environment';
import { freePort } from './support/registry-process';
import { REPO_ROOT, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();

describe.skipIf(!environment.available)('turbo with a local turborepo-remote-cache', () => {
  let server: ChildProcess;
  let storage = '';
  let api = '';
  let first: SandboxWorkspace;
  let second: SandboxWorkspace;
  const token = 'turbo-test-token';

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), 'hashdock-turbo-cache-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    server = spawn(join(REPO_ROOT, 'node_modules/.bin/turborepo-remote-cache'), [], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), STORAGE_PROVIDER: 'local', STORAGE_PATH: storage, TURBO_TOKEN: token },
      stdio: 'ignore',
    });
    // Not ready within 10 s is a failure here, not a silent fall-through into misleading cache misses.
    await waitUntil('turborepo-remote-cache answering', 10_000, () =>
      fetch(`${api}/v8/artifacts/status`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.ok, () => false),
    );
    first = await SandboxWorkspace.create(`e2e-tcache-${Date.now().toString(36)}`);
    second = await SandboxWorkspace.cloneOf(first);
  });
  afterAll(async () => {
    server?.kill();
    await first?.remove();
    await second?.remove();
    await rm(storage, { recursive: true, force: true });
  });

  const turbo = (ws: SandboxWorkspace) =>
    runCommand(join(ws.root, 'node_modules/.bin/turbo'), ['run', 'build'], {
      cwd: ws.root,
      env: { ...ws.env(), TURBO_API: api, TURBO_TEAM: 'hashdock', TURBO_TOKEN: token, TURBO_TELEMETRY_DISABLED: '1', TURBO_CACHE_DIR: join(ws.root, '.turbo/cache') },
    });

  it('a second clone replays every build from the remote cache', async () => {
    const cold = await turbo(first);
    expect(cold.stdout).toMatch(/Cached:\s+0 cached, 3 total/);
    const warm = await turbo(second);
    expect(warm.stdout).toMatch(/Cached:\s+3 cached, 3 total/);
    expect(warm.stdout).toContain('FULL TURBO');
    expect(warm.stdout).toMatch(/cache hit \(outputs already on disk\)|cache hit, replaying logs/);
  });
});

import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsEnvName } from '@hashdock/core';
import { checkEnvironment } from './support/environment';
import { freePort, RegistryProcess } from './support/registry-process';
import { SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();
const PASSWORD = 'hashdock-test-password';

describe.skipIf(!environment.available)('bad input: non-zero exit, the culprit named, no manifest', () => {
  let ws: SandboxWorkspace;
  let secured: RegistryProcess;
  let failing: Server;
  let failingAddress = '';
  let closedPort = 0;

  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-bad-${Date.now().toString(36)}`);
    secured = await RegistryProcess.start({ htpasswdFile: join(import.meta.dirname, 'fixtures/htpasswd') });
    failing = createServer((_, res) => res.writeHead(500).end('storage backend down'));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    failingAddress = `127.0.0.1:${(failing.address() as AddressInfo).port}`;
    closedPort = await freePort();
  });
  afterAll(async () => {
    await ws?.remove();
    await secured?.stop();
    failing?.close();
  });

  const cases: [string, () => string[], () => Record<string, string>, () => RegExp][] = [
    ['a missing Dockerfile', () => ['--dockerfile=apps/base/Dockerfile.missing'], () => ({}), () => /Dockerfile not found: \S*apps\/base\/Dockerfile\.missing/],
    ['a context outside the workspace', () => ['--context=/tmp'], () => ({}), () => /Build context \/tmp is outside the workspace/],
    ['a relative context escaping the workspace', () => ['--context=../..'], () => ({}), () => /Build context \S+ is outside the workspace/],
    ['an invalid repository name', () => ['--repository=localhost:5000/Bad/Name'], () => ({}), () => /Invalid image reference "localhost:5000\/Bad\/Name"/],
    ['an invalid tag', () => ['--extraTags=bad!tag'], () => ({}), () => /tag "bad!tag"/],
    ['an unreachable registry', () => [], () => ({ HASHDOCK_REGISTRY: `127.0.0.1:${closedPort}` }), () => new RegExp(`Registry unreachable at http://127\\.0\\.0\\.1:${closedPort}/v2/[^\n]*Nothing listens at 127\\.0\\.0\\.1:${closedPort}: start the registry there`)],
    // Credentials are supplied (a wrong user with the real password), so the no-leak check below has something to catch.
    ['a registry answering 401', () => [], () => ({ HASHDOCK_REGISTRY: secured.address, [credentialsEnvName(secured.address)]: `nobody:${PASSWORD}` }), () => new RegExp(`refused access to ${secured.address.replace(/\./g, '\\.')}/\\S+/base \\(401`)],
    ['a registry answering 500', () => [], () => ({ HASHDOCK_REGISTRY: failingAddress }), () => new RegExp(`HEAD http://${failingAddress.replace(/\./g, '\\.')}/v2/\\S+/base/manifests/[0-9a-f]{16} answered 500`)],
  ];

  it.each(cases)('%s', async (name, args, env, pattern) => {
    const manifestDir = `dist/bad-${name.replace(/\W+/g, '-')}`;
    const run = await ws.nx(['run', 'base:image', `--manifestDir=${manifestDir}`, '--skip-nx-cache', ...args()], env());
    expect(run.exitCode, run.output).not.toBe(0);
    expect(run.output).toMatch(pattern());
    expect(run.output).toMatch(/hashdock failed\s+base/);
    expect(await ws.manifestExists('base', manifestDir)).toBe(false);
    expect(run.output).not.toContain(PASSWORD);
    expect(run.output).not.toContain(Buffer.from(`nobody:${PASSWORD}`).toString('base64'));
  });
});

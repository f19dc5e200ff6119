import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { waitUntil } from '../../../../e2e/support/processes';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { buildImage } from './build-image';
import { ImageBuildOptions } from './image-options';

const environment = await checkEnvironment();

// Inside the RUN: ask the forwarded agent for its identities (SSH2_AGENTC_REQUEST_IDENTITIES), exit 0 only if it lists one.
// The answer (length, type 12, count) may come through BuildKit's forwarding in pieces: read until its first 9 bytes are in.
const ASK_AGENT =
  "const c = require('net').connect(process.env.SSH_AUTH_SOCK); c.write(Buffer.from([0, 0, 0, 1, 11])); let d = Buffer.alloc(0); " +
  "c.on('data', (chunk) => { d = Buffer.concat([d, chunk]); if (d.length < 9) return; require('fs').writeFileSync('/identities', String(d.readUInt32BE(5))); process.exit(d[4] === 12 && d.readUInt32BE(5) >= 1 ? 0 : 5); }); " +
  "c.on('end', () => process.exit(7)); c.on('error', () => process.exit(6));";

describe.skipIf(!environment.available)('the ssh option (RUN --mount=type=ssh) against the real engine, with a real ssh-agent', () => {
  let dir = '';
  let agent: ChildProcess | undefined;
  let socket = '';
  let options: ImageBuildOptions;
  const namespace = `ssh-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-ssh-int-'));
    socket = join(dir, 'agent.sock');
    await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hashdock-test', '-f', join(dir, 'id_ed25519')]);
    agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    await waitUntil('ssh-agent listening', 10_000, async () => existsSync(socket));
    await runCommand('ssh-add', [join(dir, 'id_ed25519')], { env: { SSH_AUTH_SOCK: socket } });
    // The context apart from the key and the socket.
    const context = join(dir, 'context');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), `ARG ROOT_IMAGE\nFROM \${ROOT_IMAGE}\nRUN --mount=type=ssh ["node", "-e", ${JSON.stringify(ASK_AGENT)}]\n`);
    options = imageBuildOptions('ssh', context, `localhost:5000/${namespace}/ssh`, { buildArgs: { ROOT_IMAGE: await localRootImage() }, noCache: true });
  });
  afterAll(async () => {
    agent?.kill();
    await rm(dir, { recursive: true, force: true });
  });

  it('forwards the agent to the RUN that mounts it, and how it is forwarded is not part of the hash', async () => {
    const before = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = socket;
    try {
      const built = await buildImage({ ...options, ssh: ['default'] }, deps);
      expect(built.manifest).toMatchObject({ status: 'built', builder: { name: 'docker' } });
      const { stdout } = await runCommand('/usr/bin/docker', ['run', '--rm', built.manifest.ref!, 'node', '-e', "process.stdout.write(require('fs').readFileSync('/identities', 'utf8'))"]);
      expect(stdout).toBe('1');
      // The same image, forwarded by socket path instead: the same content hash, found in the registry.
      const again = await buildImage({ ...options, ssh: [`default=${socket}`] }, { ...deps, docker: new DockerDriver({ binary: '/bin/false' }) });
      expect(again.manifest).toMatchObject({ status: 'exists', contentHash: built.manifest.contentHash });
    } finally {
      if (before === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = before;
    }
  });

  it('without the agent the RUN cannot reach it; with ssh "default" and no SSH_AUTH_SOCK, the option is named before docker runs', async () => {
    const before = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      // Other repositories, so neither finds the image the first test pushed.
      const error = await buildImage({ ...options, ssh: ['default'], repository: `${options.repository}-missing` }, { ...deps, docker: new DockerDriver({ binary: '/bin/false' }) }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(/^ssh "default" forwards the agent at SSH_AUTH_SOCK, which is not set/);
      // No ssh option at all: the RUN finds no agent behind its socket, and the build fails (no manifest).
      const refused = await buildImage({ ...options, repository: `${options.repository}-refused`, manifestDir: join(dir, 'refused') }, deps).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      // The RUN's own exit code for "no agent at SSH_AUTH_SOCK".
      expect((refused as Error).message).toContain('exit code: 6');
      expect(existsSync(join(dir, 'refused'))).toBe(false);
    } finally {
      if (before !== undefined) process.env.SSH_AUTH_SOCK = before;
    }
  });
});

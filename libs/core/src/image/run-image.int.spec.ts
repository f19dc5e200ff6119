import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { DockerDriver } from '../docker/docker-driver';
import { ImageManifest } from '../manifest/image-manifest';
import { runCommand } from '../process/run-command';
import { containerName, runImage } from './run-image';

const environment = await checkEnvironment();

/** A container that runs until stopped. */
const FOREVER = ['node', '-e', 'setInterval(() => {}, 1000)'];

describe.skipIf(!environment.available)('running an image: no container outlives its run (real engine)', () => {
  const docker = new DockerDriver();
  const repository = `localhost:5000/hashdock-run-int-${Date.now().toString(36)}/app`;
  const contentHash = '0123456789abcdef';
  let manifestDir = '';

  beforeAll(async () => {
    manifestDir = await mkdtemp(join(tmpdir(), 'hashdock-run-int-'));
    // A --no-push build's result: the local image repository:contentHash.
    await runCommand('/usr/bin/docker', ['tag', await localRootImage(), `${repository}:${contentHash}`]);
    const manifest: ImageManifest = { schemaVersion: 1, project: 'app', repository, contentHash, tags: [contentHash], digest: null, ref: null, status: 'built', pushed: false, platform: 'linux/amd64', baseImages: {} };
    await writeFile(join(manifestDir, 'app.json'), JSON.stringify(manifest));
  });
  afterAll(async () => {
    await runCommand('/usr/bin/docker', ['rmi', `${repository}:${contentHash}`]).catch(() => undefined);
    await rm(manifestDir, { recursive: true, force: true });
  });

  const exists = async (name: string) => (await runCommand('/usr/bin/docker', ['ps', '--all', '--quiet', '--filter', `name=^${name}$`])).stdout.trim() !== '';
  const whenRunning = async (name: string) => {
    for (let tries = 0; tries < 150; tries++) {
      const { stdout } = await runCommand('/usr/bin/docker', ['ps', '--quiet', '--filter', `name=^${name}$`, '--filter', 'status=running']);
      if (stdout.trim()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`container ${name} never ran`);
  };

  it('a docker client killed (SIGKILL) while its container runs on: the run fails and the container is removed', async () => {
    const runId = `kill-${process.pid}`;
    const name = containerName('app', runId);
    const run = runImage({ manifestDir, image: 'app', command: FOREVER, docker, runId });
    run.catch(() => undefined);
    await whenRunning(name);
    // The client alone dies: it cannot stop the container or let --rm remove it.
    const { stdout } = await runCommand('pgrep', ['-f', '--', `--name ${name}`]);
    for (const pid of stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
    await expect(run).rejects.toThrow();
    expect(await exists(name)).toBe(false);
  }, 60_000);

  it('a stopped run (its signal aborted) ends quietly with no container left', async () => {
    const runId = `stop-${process.pid}`;
    const name = containerName('app', runId);
    const controller = new AbortController();
    const run = runImage({ manifestDir, image: 'app', command: FOREVER, docker, runId, signal: controller.signal });
    await whenRunning(name);
    controller.abort();
    await expect(run).resolves.toBeUndefined();
    expect(await exists(name)).toBe(false);
  }, 60_000);

  it("a command that exits with an error fails the run with docker's exit code; nothing is left", async () => {
    const runId = `exit-${process.pid}`;
    await expect(runImage({ manifestDir, image: 'app', command: ['node', '-e', 'process.exit(3)'], docker, runId })).rejects.toThrow(/exit code 3|exited with 3|code 3/);
    expect(await exists(containerName('app', runId))).toBe(false);
  }, 60_000);
});

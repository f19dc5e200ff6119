import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
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
import { ImageBuildOptions } from './image-options';

const environment = await checkEnvironment();

// The RUN fetches URL (a service on the runner's loopback, as a local npm registry would be) and keeps the answer.
const FETCH = "fetch(process.env.URL).then((r) => r.text()).then((t) => require('fs').writeFileSync('/fetched', t), () => process.exit(7))";

describe.skipIf(!environment.available)('the network and addHosts options against the real engine', () => {
  let dir = '';
  let server: Server;
  let port = 0;
  let options: ImageBuildOptions;
  const namespace = `network-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };

  beforeAll(async () => {
    server = createServer((_, response) => response.end(`served ${namespace}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'hashdock-network-int-'));
    await writeFile(join(dir, 'Dockerfile'), `ARG ROOT_IMAGE\nFROM \${ROOT_IMAGE}\nARG URL\nRUN ["node", "-e", ${JSON.stringify(FETCH)}]\n`);
    options = imageBuildOptions('net', dir, `localhost:5000/${namespace}/net`, { buildArgs: { ROOT_IMAGE: await localRootImage() } });
  });
  afterAll(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('RUN reaches a service on the runner\'s loopback with network host, under a name addHosts gives it', async () => {
    const built = await buildImage({ ...options, network: 'host', addHosts: ['npm.internal:127.0.0.1'], buildArgs: { ...options.buildArgs, URL: `http://npm.internal:${port}/` } }, deps);
    expect(built.manifest.status).toBe('built');
    const { stdout } = await runCommand('/usr/bin/docker', ['run', '--rm', built.manifest.ref!, 'node', '-e', "process.stdout.write(require('fs').readFileSync('/fetched', 'utf8'))"]);
    expect(stdout).toBe(`served ${namespace}`);
  });

  it('without them the same RUN cannot, and the build fails with no manifest', async () => {
    const manifestDir = join(dir, 'isolated');
    const error = await buildImage({ ...options, manifestDir, buildArgs: { ...options.buildArgs, URL: `http://127.0.0.1:${port}/` } }, deps).catch((e: Error) => e);
    expect((error as Error).message).toContain('exit code: 7');
    await expect(runCommand('ls', [manifestDir])).rejects.toThrow();
  });
});

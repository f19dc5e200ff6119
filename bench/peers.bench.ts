import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createCacheServer } from '../libs/remote-cache/src/cache-server';
import { DirectoryStorage } from '../libs/remote-cache/src/storage/directory-storage';
import { join } from 'node:path';
import { RegistryClient, runCommand } from '@hashdock/core';
import { localRootImage } from '../e2e/support/environment';
import { REPO_ROOT } from '../e2e/support/sandbox-workspace';
import { candidates, generateWorkspace } from './scale.bench';
import { Row } from './support';

/** The peers as published on npm; @nx/docker has no 23.3 (its latest is 23.2.1), so the peers workspace runs Nx 23.2.1 for all. */
const PEERS = { nx: '23.2.1', '@nx/docker': '23.2.1', '@nx-tools/nx-container': '7.3.0' };

/** node_modules with the peers from npm and Hashdock from this checkout (installed once, under .hashdock/peers). */
export async function peersNodeModules(): Promise<string> {
  const dir = join(REPO_ROOT, '.hashdock/peers');
  if (!existsSync(join(dir, 'node_modules/@nx/docker/package.json'))) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'hashdock-bench-peers', private: true, devDependencies: PEERS }, null, 2));
    await runCommand('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, timeoutMs: 600_000 });
  }
  await mkdir(join(dir, 'node_modules/@hashdock'), { recursive: true });
  for (const [name, path] of [['core', 'libs/core'], ['nx-plugin', 'tools/hashdock']])
    if (!existsSync(join(dir, 'node_modules/@hashdock', name))) await symlink(join(REPO_ROOT, path), join(dir, 'node_modules/@hashdock', name), 'dir');
  return join(dir, 'node_modules');
}

/** Tasks Nx ran itself (not replayed from its cache), from its closing lines. */
function ranTasks(output: string): number {
  const total = Number(/Successfully ran target \S+ for (\d+) project/.exec(output)?.[1] ?? 0);
  const cached = Number(/from the cache instead of running the command for (\d+) out of/.exec(output)?.[1] ?? 0);
  return total - cached;
}

/**
 * @nx-tools/nx-container has no inference: each project gets the `container`
 * target its README shows (buildx, `push: true`, the workspace root as
 * context, the project's Dockerfile), tagged into its own namespace. Not
 * cacheable, as its README leaves it: an image push is a side effect.
 */
export async function addNxContainerTargets(root: string, count: number, baseImage: string, namespace: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const file = join(root, 'apps', `svc-${i}`, 'project.json');
    const project = JSON.parse(await readFile(file, 'utf8'));
    project.targets.container = {
      executor: '@nx-tools/nx-container:build',
      options: { engine: 'docker', context: '.', file: `apps/svc-${i}/Dockerfile`, push: true, quiet: true, tags: [`localhost:5000/${namespace}-nxc/svc-${i}:latest`], 'build-args': [`BASE_IMAGE=${baseImage}`] },
    };
    await writeFile(file, JSON.stringify(project));
  }
}

/**
 * Hashdock, @nx/docker and @nx-tools/nx-container side by side: one
 * generated workspace, copied once per tool so that each runs in the
 * configuration its users have (its own plugin in nx.json, its own .nx),
 * on the same sources, registry and remote cache server: the same scenarios
 * as `bench scale`. (Until session 7 all three shared one nx.json, and every
 * graph computed after a wipe ran every tool's inference: @nx/docker's cold
 * createNodes alone took 3.6 s of Hashdock's 6.3 s fresh runner at 200.)
 * @nx/docker's target is `docker build` only (it pushes through
 * `nx release publish`), so its times are lower bounds; nx-container builds
 * with buildx and pushes, as Hashdock does. Peers' builds are the tasks Nx
 * ran. Services build FROM the base Hashdock pushed before the timed runs
 * (so "cold" builds the services; the base exists).
 */
export async function benchPeers(count = 50): Promise<Row[]> {
  const nodeModules = await peersNodeModules();
  const parent = await mkdtemp(join(tmpdir(), 'hashdock-bench-peers-'));
  const roots = { hashdock: join(parent, 'hashdock'), nxDocker: join(parent, 'nx-docker'), nxContainer: join(parent, 'nx-container') };
  const namespace = `bench-peers-${Date.now().toString(36)}`;
  const client = new RegistryClient();
  const rootImage = await localRootImage();
  const nxDocker = (baseImage: string) => ({
    plugin: '@nx/docker',
    options: { buildTarget: { name: 'docker:build', cwd: '.', args: ['-q', '-f {projectRoot}/Dockerfile', `--build-arg ROOT_IMAGE=${rootImage}`, `--build-arg BASE_IMAGE=${baseImage}`] } },
  });
  // The Nx remote cache server of this repo (libs/remote-cache), as a fresh CI runner of a real team has it.
  const cacheDir = await mkdtemp(join(tmpdir(), 'hashdock-bench-peers-cache-'));
  const server = createCacheServer({ storage: new DirectoryStorage(cacheDir), readWriteTokens: ['bench'], readOnlyTokens: [] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const remoteCache = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'bench' };
  const env = (root: string) => ({ ...remoteCache, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', HASHDOCK_BUILDER: 'auto', NX_CACHE_DIRECTORY: join(root, '.nx/cache'), NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx/workspace-data') });
  const nx = async (root: string, target: string) => {
    const start = performance.now();
    const { stdout, stderr } = await runCommand(join(root, 'node_modules/.bin/nx'), ['run-many', '-t', target, '--outputStyle=static', '--parallel=3'], { cwd: root, env: env(root), timeoutMs: 1_800_000 });
    return { seconds: (performance.now() - start) / 1000, output: `${stdout}\n${stderr}` };
  };
  const setPlugins = async (root: string, plugins: unknown[]) => {
    const nxJson = JSON.parse(await readFile(join(root, 'nx.json'), 'utf8'));
    await writeFile(join(root, 'nx.json'), JSON.stringify({ ...nxJson, plugins }, null, 2));
  };
  try {
    await mkdir(roots.hashdock);
    await generateWorkspace(count, roots.hashdock, namespace, { nodeModules });
    // Untimed: the base, pushed by Hashdock, is what the peers' services build FROM.
    await runCommand(join(roots.hashdock, 'node_modules/.bin/nx'), ['run', 'base:image', '--outputStyle=static'], { cwd: roots.hashdock, env: env(roots.hashdock), timeoutMs: 300_000 });
    const base = JSON.parse(await readFile(join(roots.hashdock, 'dist/images/base.json'), 'utf8')) as { ref: string };
    // The peers' checkouts: the same commit (and sources), their own tool only.
    for (const root of [roots.nxDocker, roots.nxContainer]) await runCommand('cp', ['-a', roots.hashdock, root]);
    for (const root of [roots.nxDocker, roots.nxContainer]) await rm(join(root, '.nx'), { recursive: true, force: true });
    await setPlugins(roots.nxDocker, [nxDocker(base.ref)]);
    await setPlugins(roots.nxContainer, []);
    await addNxContainerTargets(roots.nxContainer, count, base.ref, namespace);
    // Hashdock first (it pushes the base the peers' services build FROM).
    type Figure = { seconds: number; builds: number };
    const figures: Record<string, { hashdock: Figure; nxDocker: Figure; nxContainer?: Figure }> = {};
    // A fresh runner has no .nx: each tool starts from a wiped local cache and workspace data (so the first run
    // also computes the project graph cold).
    const wipeLocal = (root: string) => rm(join(root, '.nx'), { recursive: true, force: true });
    const wipeAll = async () => {
      for (const root of Object.values(roots)) await wipeLocal(root);
    };
    const scenario = async (name: string, prepare: () => Promise<void>) => {
      await prepare();
      const before = await candidates(client, namespace, count);
      const hashdock = await nx(roots.hashdock, 'image');
      const builds = (await candidates(client, namespace, count)) - before;
      const peer = await nx(roots.nxDocker, 'docker:build');
      // nx-container's targets are not cacheable: every scenario is the same full rebuild and push, so it is
      // measured where the comparison matters (cold, and a fresh runner with the remote cache).
      const container = name === 'cold' || name.startsWith('fresh runner with the') ? await nx(roots.nxContainer, 'container') : undefined;
      figures[name] = {
        hashdock: { seconds: hashdock.seconds, builds },
        nxDocker: { seconds: peer.seconds, builds: ranTasks(peer.output) },
        ...(container ? { nxContainer: { seconds: container.seconds, builds: ranTasks(container.output) } } : {}),
      };
    };
    await scenario('cold', async () => undefined);
    await scenario('nothing changed', async () => undefined);
    // The remote cache holds every task of the runs above: a fresh runner replays from it.
    await scenario('fresh runner with the Nx remote cache (local cache wiped, registry full)', wipeAll);
    await scenario('fresh runner without a remote cache (local cache wiped, registry full)', async () => {
      await wipeAll();
      await rm(cacheDir, { recursive: true, force: true });
      await mkdir(cacheDir, { recursive: true });
    });
    await scenario('one-lib change', async () => {
      for (const root of Object.values(roots)) await writeFile(join(root, 'libs/shared/index.js'), 'exports.greeting = "changed";\n');
    });
    const goal = (name: string) => (name.startsWith('fresh runner with the') ? 0.1 : name === 'cold' ? 1.0 : name === 'one-lib change' ? 0.3 : undefined);
    return Object.entries(figures).flatMap(([name, f]) => [
      {
        benchmark: `${count} services, ${name}: Hashdock (${f.hashdock.builds} builds, pushed) vs @nx/docker ${PEERS['@nx/docker']} (${f.nxDocker.builds} docker builds, not pushed)`,
        subject: 'hashdock',
        baseline: '@nx/docker',
        subjectSeconds: f.hashdock.seconds,
        baselineSeconds: f.nxDocker.seconds,
        goal: goal(name) === undefined ? 'report' : `≤ ${goal(name)}`,
        met: goal(name) === undefined || f.hashdock.seconds <= goal(name)! * f.nxDocker.seconds,
      },
      ...(f.nxContainer
        ? [
            {
              benchmark: `${count} services, ${name}: Hashdock vs @nx-tools/nx-container ${PEERS['@nx-tools/nx-container']} (${f.nxContainer.builds} buildx builds, pushed)`,
              subject: 'hashdock',
              baseline: 'nx-container',
              subjectSeconds: f.hashdock.seconds,
              baselineSeconds: f.nxContainer.seconds,
              goal: 'report',
              met: true,
            },
          ]
        : []),
    ]);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(parent, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  }
}

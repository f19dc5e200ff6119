import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, DockerDriver, hostPlatform, ImageBuildOptions, RegistryClient, runCommand } from '@hashdock/core';
import { localRootImage } from '../e2e/support/environment';
import { SandboxWorkspace } from '../e2e/support/sandbox-workspace';
import { medianSeconds, Row } from './support';

const DOCKER = '/usr/bin/docker';

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** What a fresh CI runner has: no images of this namespace, no build cache. */
async function freshDaemon(namespace: string): Promise<void> {
  const { stdout } = await runCommand(DOCKER, ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=*/${namespace}/*`]);
  const refs = stdout.split('\n').filter(Boolean);
  if (refs.length) await runCommand(DOCKER, ['rmi', '--force', ...refs]);
  await runCommand(DOCKER, ['builder', 'prune', '--all', '--force']);
}

async function mustSucceed(run: Promise<{ exitCode: number; output: string }>): Promise<string> {
  const result = await run;
  if (result.exitCode !== 0) throw new Error(result.output);
  return result.output;
}

/** Seconds the image executors themselves reported (summary lines), without Nx's start-up. */
function executorSeconds(output: string): number {
  return [...output.matchAll(/hashdock (?:built|exists)\s+\S+\s+[0-9a-f]{16} \S+ (\d+\.\d+)s/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Fresh runner, every tag in the registry, vs the full build; and nx cached vs a no-op target. */
export async function benchWorkspace(): Promise<Row[]> {
  const ws = await SandboxWorkspace.create(`bench-${Date.now().toString(36)}`);
  try {
    for (const project of ['apps/api', 'apps/indexer', 'apps/status', 'apps/base']) {
      const file = join(ws.root, project, 'project.json');
      const config = JSON.parse(await readFile(file, 'utf8'));
      config.targets.noop = { executor: 'nx:noop', cache: true };
      await writeFile(file, JSON.stringify(config, null, 2));
    }
    await ws.commit('bench: noop targets');
    await mustSucceed(ws.nx(['run-many', '-t', 'build']));
    let output = '';
    const full = await timed(async () => (output = await mustSucceed(ws.nx(['run-many', '-t', 'image', '--exclude-task-dependencies', '--skip-nx-cache']))));
    const fullExecutors = executorSeconds(output);
    const manifestsAfterFull = await readFile(join(ws.root, 'dist/images/api.json'), 'utf8');
    await freshDaemon(ws.namespace);
    await rm(join(ws.root, 'dist'), { recursive: true, force: true });
    const present = await timed(async () => (output = await mustSucceed(ws.nx(['run-many', '-t', 'image', '--exclude-task-dependencies', '--skip-nx-cache']))));
    const presentExecutors = executorSeconds(output);
    if (JSON.parse(await readFile(join(ws.root, 'dist/images/api.json'), 'utf8')).digest !== JSON.parse(manifestsAfterFull).digest)
      throw new Error('fresh-runner run produced a different digest');
    await mustSucceed(ws.nx(['run-many', '-t', 'image', 'noop']));
    const affectedImage = await medianSeconds(5, () => mustSucceed(ws.nx(['affected', '-t', 'image', '--base=HEAD~1'])));
    const affectedNoop = await medianSeconds(5, () => mustSucceed(ws.nx(['affected', '-t', 'noop', '--base=HEAD~1'])));
    return [
      { benchmark: 'fresh runner, all tags present vs full build', subject: 'all exist', baseline: 'full build', subjectSeconds: present, baselineSeconds: full, goal: '≤ 0.05', met: present <= full * 0.05 },
      { benchmark: 'same, image executors only (sum)', subject: 'all exist', baseline: 'full build', subjectSeconds: presentExecutors, baselineSeconds: fullExecutors, goal: '≤ 0.05', met: presentExecutors <= fullExecutors * 0.05 },
      { benchmark: 'nx affected -t image, nothing changed vs no-op target', subject: 'image', baseline: 'noop', subjectSeconds: affectedImage, baselineSeconds: affectedNoop, goal: '≤ 1.1', met: affectedImage <= affectedNoop * 1.1 },
    ];
  } finally {
    await ws.remove();
  }
}

/** A one-line change rebuilt on a fresh daemon with --cache-from vs --no-cache. */
export async function benchCacheFrom(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hashdock-bench-cache-'));
  const namespace = `bench-cache-${Date.now().toString(36)}`;
  try {
    await mkdir(join(dir, 'app'));
    // An expensive dependency layer (about 8 s of CPU standing in for npm ci or a compile), then the app.
    await writeFile(join(dir, 'app', 'Dockerfile'), [
      'ARG ROOT_IMAGE',
      'FROM ${ROOT_IMAGE}',
      'COPY deps.js /deps.js',
      'RUN ["node", "/deps.js"]',
      'COPY app.js /app.js',
      'CMD ["node", "/app.js"]',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'app', 'deps.js'), "const c=require('crypto');let h=Buffer.alloc(32);const end=Date.now()+8000;while(Date.now()<end)h=c.createHash('sha256').update(h).digest();require('fs').writeFileSync('/deps.out',h);\n");
    await writeFile(join(dir, 'app', 'app.js'), "console.log('v1');\n");
    const options: ImageBuildOptions = {
      project: 'app', imageName: 'app', workspaceRoot: dir, contextDir: join(dir, 'app'), dockerfile: join(dir, 'app', 'Dockerfile'),
      repository: `localhost:5000/${namespace}/app`, tagTemplates: ['{contentHash}', 'latest'], buildArgs: { ROOT_IMAGE: await localRootImage() },
      env: {}, platform: hostPlatform(), push: true, dryRun: false, noCache: false, builder: 'docker', sourceDateEpoch: 0, manifestDir: join(dir, 'dist'), cacheFrom: [], workspaceImages: {},
    };
    const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
    await buildImage(options, deps);
    await writeFile(join(dir, 'app', 'app.js'), "console.log('v2');\n");
    await freshDaemon(namespace);
    const cached = await timed(() => buildImage(options, deps));
    await writeFile(join(dir, 'app', 'app.js'), "console.log('v3');\n");
    await freshDaemon(namespace);
    const uncached = await timed(() => buildImage({ ...options, noCache: true }, deps));
    // A fresh runner whose registry already has this exact image: hash + one HEAD.
    await freshDaemon(namespace);
    const present = await timed(() => buildImage(options, deps));
    return [
      { benchmark: 'fresh runner, tag present vs full build (8 s image)', subject: 'exists', baseline: 'full build', subjectSeconds: present, baselineSeconds: uncached, goal: '≤ 0.05', met: present <= uncached * 0.05 },{ benchmark: 'one-line change, fresh daemon', subject: '--cache-from', baseline: '--no-cache', subjectSeconds: cached, baselineSeconds: uncached, goal: '≤ 0.20', met: cached <= uncached * 0.2 }];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

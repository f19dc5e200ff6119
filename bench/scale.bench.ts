import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listTags, RegistryClient, runCommand } from '@hashdock/core';
import { localRootImage } from '../e2e/support/environment';
import { REPO_ROOT } from '../e2e/support/sandbox-workspace';
import { replayVsNoop } from './nothing-changed.bench';
import { median, Row } from './support';

const LIB_USERS = 10;

/**
 * A workspace of `count` services FROM a workspace base, built from the
 * workspace root (`COPY apps/svc-N/dist/`), the first 10 also copying one
 * shared lib; each project has an `nx:noop` target as the floor of what Nx
 * itself costs.
 */
export async function generateWorkspace(count: number, root: string, namespace: string, extra: { plugins?: unknown[]; nodeModules?: string; cachedFloor?: boolean } = {}): Promise<void> {
  // With cachedFloor, each project also gets `stamp`: an ordinary cached Nx target shaped like the
  // image target (the project's files as inputs, one output file, after the base's), the floor of
  // what replaying any cached target costs Nx.
  const targets = (name: string) => ({
    noop: { executor: 'nx:noop' },
    ...(extra.cachedFloor
      ? { stamp: { executor: 'nx:run-commands', cache: true, dependsOn: ['^stamp'], inputs: ['{projectRoot}/**/*'], outputs: [`{workspaceRoot}/dist/stamps/${name}.json`], options: { command: `mkdir -p dist/stamps && echo {} > dist/stamps/${name}.json` } } }
      : {}),
  });
  const plugin = { plugin: '@hashdock/nx-plugin', options: { namespace, context: 'workspace', tags: ['{contentHash}'], buildTarget: false, buildArgs: { ROOT_IMAGE: await localRootImage() } } };
  await writeFile(join(root, 'nx.json'), JSON.stringify({ plugins: [plugin, ...(extra.plugins ?? [])], useDaemonProcess: false, targetDefaults: { noop: { cache: true } } }, null, 2));
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'scale', private: true }));
  // `/dist` only: each service's own dist/ is committed, so Nx sees what its Dockerfile copies (no task builds it here).
  await writeFile(join(root, '.gitignore'), 'node_modules\n.nx\n/dist\n');
  await mkdir(join(root, 'libs/shared'), { recursive: true });
  await writeFile(join(root, 'libs/shared/index.js'), 'exports.greeting = "hello";\n');
  await mkdir(join(root, 'apps/base'), { recursive: true });
  await writeFile(join(root, 'apps/base/project.json'), JSON.stringify({ name: 'base', targets: targets('base') }));
  await writeFile(join(root, 'apps/base/Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nENV NODE_ENV=production\nWORKDIR /app\nCMD ["node", "--version"]\n');
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'apps', `svc-${i}`);
    await mkdir(join(dir, 'dist'), { recursive: true });
    await writeFile(join(dir, 'project.json'), JSON.stringify({ name: `svc-${i}`, targets: targets(`svc-${i}`) }));
    const shared = i < LIB_USERS ? 'COPY libs/shared/ /app/shared/\n' : '';
    await writeFile(join(dir, 'Dockerfile'), `ARG BASE_IMAGE=${namespace}/base\nFROM \${BASE_IMAGE}\nCOPY apps/svc-${i}/dist/ /app/\n${shared}CMD ["node", "/app/main.js"]\n`);
    await writeFile(join(dir, 'dist/main.js'), `require('http').createServer((q, s) => s.end('svc-${i}')).listen(3000);\n`);
  }
  await symlink(extra.nodeModules ?? join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  await runCommand('git', ['init', '-q', '-b', 'main'], { cwd: root });
  await runCommand('git', ['-c', 'user.name=b', '-c', 'user.email=b@b.invalid', 'add', '-A'], { cwd: root });
  await runCommand('git', ['-c', 'user.name=b', '-c', 'user.email=b@b.invalid', 'commit', '-qm', 'scale'], { cwd: root });
}

/** Images built in a namespace so far: every built image leaves its candidate tag (`<hash>.candidate-<run>`). */
export async function candidates(client: RegistryClient, namespace: string, count: number): Promise<number> {
  let total = 0;
  for (const name of ['base', ...Array.from({ length: count }, (_, i) => `svc-${i}`)]) {
    const tags = await listTags(client, `localhost:5000/${namespace}/${name}`).catch(() => [] as string[]);
    total += tags.filter((tag) => tag.includes('.candidate-')).length;
  }
  return total;
}

/**
 * Hashdock at scale: `count` services, batch executor (the default) vs one
 * process per task (`--batch=false`), each mode in its own namespace and Nx
 * cache, scenarios run in turn for both: cold, nothing changed (vs an
 * `nx:noop` target over the same projects), fresh runner (Nx cache wiped,
 * registry full), one-lib change. Builds are counted in the registry.
 */
export async function benchScale(count = 50): Promise<Row[]> {
  const stamp = Date.now().toString(36);
  const client = new RegistryClient();
  const modes = ['batch', 'per-task'] as const;
  const roots: Record<string, string> = {};
  const namespaces: Record<string, string> = {};
  for (const mode of modes) {
    roots[mode] = await mkdtemp(join(tmpdir(), `hashdock-bench-scale-${mode}-`));
    namespaces[mode] = `bench-scale-${mode}-${stamp}`;
    await generateWorkspace(count, roots[mode], namespaces[mode]);
  }
  const nx = async (mode: string, args: string[]) => {
    const start = performance.now();
    const { stdout } = await runCommand(join(roots[mode], 'node_modules/.bin/nx'), [...args, ...(mode === 'per-task' && args[1] === 'image' ? ['--batch=false'] : []), '--outputStyle=static'], {
      cwd: roots[mode],
      // The Nx cache in the workspace (Nx 23 keeps it under ~/.nx otherwise), so wiping .nx is a fresh runner.
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', HASHDOCK_BUILDER: 'auto', NX_CACHE_DIRECTORY: join(roots[mode], '.nx/cache'), NX_WORKSPACE_DATA_DIRECTORY: join(roots[mode], '.nx/workspace-data') },
      timeoutMs: 900_000,
    });
    return { seconds: (performance.now() - start) / 1000, stdout };
  };
  const figures: Record<string, Record<string, { seconds: number; builds: number }>> = {};
  const measure = async (scenario: string, prepare: (mode: string) => Promise<void>, args = ['run-many', '-t', 'image']) => {
    figures[scenario] = {};
    for (const mode of modes) {
      await prepare(mode);
      const before = await candidates(client, namespaces[mode], count);
      const { seconds } = await nx(mode, args);
      figures[scenario][mode] = { seconds, builds: (await candidates(client, namespaces[mode], count)) - before };
    }
  };
  try {
    const nothing = async () => undefined;
    await measure('cold', nothing);
    // Image task start-up: loading the executor module (in a new Node, median of 5) plus, from each image's
    // report in the per-task run, the task's time from entering the executor to its first registry request.
    const startups: number[] = [];
    const reports = join(roots['per-task'], 'dist/images/.reports');
    for (const file of await readdir(reports)) {
      const phases = (JSON.parse(await readFile(join(reports, file), 'utf8')) as { phases?: Record<string, number> }).phases;
      if (phases?.start !== undefined) startups.push(phases.start + phases.setup);
    }
    const executor = join(REPO_ROOT, 'tools/hashdock/dist/executors/image/image.impl.js');
    const loads: number[] = [];
    const bareNodes: number[] = [];
    for (let round = 0; round < 5; round++) {
      const { stdout } = await runCommand(process.execPath, ['-e', `const t = performance.now(); require(${JSON.stringify(executor)}); process.stdout.write(String(performance.now() - t))`]);
      loads.push(Number(stdout) / 1000);
      const nodeStart = performance.now();
      await runCommand(process.execPath, ['-e', '0']);
      bareNodes.push((performance.now() - nodeStart) / 1000);
    }
    await measure('nothing changed', nothing);
    // Nx itself: a no-op target over the same projects, interleaved with the image targets replayed from the Nx cache.
    for (const mode of modes) await nx(mode, ['run-many', '-t', 'noop']);
    const { replay, noop: noopSeconds } = await replayVsNoop(async (args) => (await nx('batch', args)).seconds);
    const noop = { seconds: noopSeconds };
    await measure('fresh runner (Nx cache wiped, registry full)', (mode) => rm(join(roots[mode], '.nx'), { recursive: true, force: true }));
    let edit = 0;
    await measure('one-lib change', (mode) => writeFile(join(roots[mode], 'libs/shared/index.js'), `exports.greeting = "hello ${++edit}";\n`));
    // The plain CI script: docker build + push of every image, base first, one after another.
    const plainNs = `bench-scale-plain-${stamp}`;
    const plain = async () => {
      const start = performance.now();
      const ref = (name: string) => `localhost:5000/${plainNs}/${name}:plain`;
      const build = async (name: string, buildArg: string) => {
        await runCommand('/usr/bin/docker', ['build', '-q', '-f', `apps/${name}/Dockerfile`, '--build-arg', buildArg, '-t', ref(name), '.'], { cwd: roots.batch, timeoutMs: 300_000 });
        await runCommand('/usr/bin/docker', ['push', '-q', ref(name)], { timeoutMs: 300_000 });
      };
      await build('base', `ROOT_IMAGE=${await localRootImage()}`);
      for (let i = 0; i < count; i++) await build(`svc-${i}`, `BASE_IMAGE=${ref('base')}`);
      return (performance.now() - start) / 1000;
    };
    const plainCold = await plain();
    const plainAgain = await plain();
    const rows: Row[] = [];
    rows.push({ benchmark: `${count} services, cold: Hashdock (batch, registry builder) vs a plain docker build && docker push loop (${count + 1} builds)`, subject: 'hashdock', baseline: 'plain loop', subjectSeconds: figures.cold.batch.seconds, baselineSeconds: plainCold, goal: '≤ 1.0', met: figures.cold.batch.seconds <= plainCold });
    rows.push({ benchmark: `${count} services, fresh runner: Hashdock (0 builds) vs the plain loop again (${count + 1} builds, layer cache warm)`, subject: 'hashdock', baseline: 'plain loop', subjectSeconds: figures['fresh runner (Nx cache wiped, registry full)'].batch.seconds, baselineSeconds: plainAgain, goal: '≤ 1.0', met: figures['fresh runner (Nx cache wiped, registry full)'].batch.seconds <= plainAgain });
    for (const [scenario, byMode] of Object.entries(figures)) {
      rows.push({
        benchmark: `${count} services, ${scenario}: batch executor (${byMode.batch.builds} builds) vs a process per task (${byMode['per-task'].builds} builds)`,
        subject: 'batch',
        baseline: 'per task',
        subjectSeconds: byMode.batch.seconds,
        baselineSeconds: byMode['per-task'].seconds,
        goal: 'report',
        met: true,
      });
    }
    const startup = median(loads) + median(startups);
    console.log(`scale bench: image task start-up = executor module load ${(median(loads) * 1000).toFixed(1)} ms + executor entry to first registry request ${(median(startups) * 1000).toFixed(1)} ms (median of ${startups.length} tasks)`);
    rows.push({ benchmark: 'image task start-up: executor module loaded, then the task until its first registry request (medians)', subject: 'image task', baseline: 'node -e 0', subjectSeconds: startup, baselineSeconds: median(bareNodes), goal: '≤ 0.05 s', met: startup <= 0.05 });
    rows.push({ benchmark: `${count} services, nothing changed: nx run-many -t image (from the Nx cache) vs -t noop, medians of 5 interleaved`, subject: 'image', baseline: 'noop', subjectSeconds: replay, baselineSeconds: noop.seconds, goal: '≤ 1.1', met: replay <= noop.seconds * 1.1 });
    return rows;
  } finally {
    for (const root of Object.values(roots)) await rm(root, { recursive: true, force: true });
  }
}

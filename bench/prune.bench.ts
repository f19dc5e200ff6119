import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient, runCommand } from '@hashdock/core';
import { localRootImage } from '../e2e/support/environment';
import { REPO_ROOT } from '../e2e/support/sandbox-workspace';
import { candidates } from './scale.bench';
import { Row } from './support';

const LIB_USERS = 10;

/**
 * `count` services whose Dockerfiles copy the whole workspace root (`COPY . .`, as a Dockerfile that builds
 * inside docker does), the first 10 depending on one lib in Nx's graph (implicitDependencies); `pruneContext`
 * on every image target, or not.
 */
async function generate(root: string, count: number, namespace: string, prune: boolean): Promise<void> {
  const plugin = { plugin: '@hashdock/nx-plugin', options: { namespace, context: 'workspace', tags: ['{contentHash}'], buildTarget: false } };
  await writeFile(
    join(root, 'nx.json'),
    JSON.stringify({ plugins: [plugin], useDaemonProcess: false, ...(prune ? { targetDefaults: { image: { options: { pruneContext: true } } } } : {}) }, null, 2),
  );
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'prune', private: true }));
  await writeFile(join(root, '.gitignore'), 'node_modules\n.nx\n/dist\n');
  await writeFile(join(root, '.dockerignore'), 'node_modules\n.git\n.nx\ndist\n');
  await mkdir(join(root, 'libs/shared'), { recursive: true });
  await writeFile(join(root, 'libs/shared/project.json'), JSON.stringify({ name: 'shared' }));
  await writeFile(join(root, 'libs/shared/index.js'), 'exports.greeting = "hello";\n');
  const rootImage = await localRootImage();
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'apps', `svc-${i}`);
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'project.json'), JSON.stringify({ name: `svc-${i}`, ...(i < LIB_USERS ? { implicitDependencies: ['shared'] } : {}) }));
    await writeFile(join(dir, 'Dockerfile'), `FROM ${rootImage}\nWORKDIR /ws\nCOPY . .\nCMD ["node", "apps/svc-${i}/src/main.js"]\n`);
    await writeFile(join(dir, 'src/main.js'), `console.log('svc-${i}');\n`);
  }
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  await runCommand('git', ['init', '-q', '-b', 'main'], { cwd: root });
  await runCommand('git', ['-c', 'user.name=b', '-c', 'user.email=b@b.invalid', 'add', '-A'], { cwd: root });
  await runCommand('git', ['-c', 'user.name=b', '-c', 'user.email=b@b.invalid', 'commit', '-qm', 'prune'], { cwd: root });
}

/**
 * Whole-root Dockerfiles with and without `pruneContext`, each in its own workspace and namespace, the same
 * edits in turn: cold, one service's source edited, the lib ten of them depend on edited. Builds counted in
 * the registry (candidate tags). A plain `docker build -f apps/svc-N/Dockerfile . && docker push` loop over
 * the same edits is the CI script such a workspace has today.
 */
export async function benchPrune(count = 30): Promise<Row[]> {
  const stamp = Date.now().toString(36);
  const client = new RegistryClient();
  const modes = ['pruned', 'whole'] as const;
  const roots: Record<string, string> = {};
  const namespaces: Record<string, string> = {};
  for (const mode of modes) {
    roots[mode] = await mkdtemp(join(tmpdir(), `hashdock-bench-prune-${mode}-`));
    namespaces[mode] = `bench-prune-${mode}-${stamp}`;
    await generate(roots[mode], count, namespaces[mode], mode === 'pruned');
  }
  const nx = async (mode: string) => {
    const start = performance.now();
    await runCommand(join(roots[mode], 'node_modules/.bin/nx'), ['run-many', '-t', 'image', '--outputStyle=static'], {
      cwd: roots[mode],
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', HASHDOCK_BUILDER: 'auto', NX_CACHE_DIRECTORY: join(roots[mode], '.nx/cache'), NX_WORKSPACE_DATA_DIRECTORY: join(roots[mode], '.nx/workspace-data') },
      timeoutMs: 900_000,
    });
    return (performance.now() - start) / 1000;
  };
  const plainNs = `bench-prune-plain-${stamp}`;
  const plain = async () => {
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const ref = `localhost:5000/${plainNs}/svc-${i}:plain`;
      await runCommand('/usr/bin/docker', ['build', '-q', '-f', `apps/svc-${i}/Dockerfile`, '-t', ref, '.'], { cwd: roots.whole, timeoutMs: 300_000 });
      await runCommand('/usr/bin/docker', ['push', '-q', ref], { timeoutMs: 300_000 });
    }
    return (performance.now() - start) / 1000;
  };
  const rows: Row[] = [];
  const scenario = async (name: string, edit: (root: string) => Promise<void>, prunedBuilds: number) => {
    const figures: Record<string, { seconds: number; builds: number }> = {};
    for (const mode of modes) {
      await edit(roots[mode]);
      const before = await candidates(client, namespaces[mode], count);
      const seconds = await nx(mode);
      figures[mode] = { seconds, builds: (await candidates(client, namespaces[mode], count)) - before };
    }
    const plainSeconds = await plain();
    console.log(`prune bench: ${name}: pruned ${figures.pruned.builds} builds, whole ${figures.whole.builds} builds`);
    rows.push({
      benchmark: `${count} whole-root images, ${name}: pruneContext (${figures.pruned.builds} builds) vs the whole context (${figures.whole.builds})`,
      subject: 'pruned',
      baseline: 'whole',
      subjectSeconds: figures.pruned.seconds,
      baselineSeconds: figures.whole.seconds,
      goal: `exactly ${prunedBuilds} builds`,
      met: figures.pruned.builds === prunedBuilds,
    });
    rows.push({
      benchmark: `${count} whole-root images, ${name}: pruneContext vs a plain docker build && docker push loop (${count} builds, layer cache warm after cold)`,
      subject: 'pruned',
      baseline: 'plain loop',
      subjectSeconds: figures.pruned.seconds,
      baselineSeconds: plainSeconds,
      goal: 'report',
      met: true,
    });
  };
  try {
    await scenario('cold', async () => undefined, count);
    await scenario('one service edited', (root) => writeFile(join(root, `apps/svc-${count - 1}/src/main.js`), "console.log('edited');\n"), 1);
    await scenario('the lib 10 depend on edited', (root) => writeFile(join(root, 'libs/shared/index.js'), 'exports.greeting = "hello again";\n'), LIB_USERS);
    return rows;
  } finally {
    for (const root of Object.values(roots)) await rm(root, { recursive: true, force: true });
  }
}

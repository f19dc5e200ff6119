import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@hashdock/core';
import { REPO_ROOT } from '../e2e/support/sandbox-workspace';
import { median, Row, timed } from './support';

/** A workspace of `count` projects, each with a Dockerfile, and nx.json with or without Hashdock. */
async function generateWorkspace(count: number, withPlugin: boolean): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `hashdock-bench-infer-${withPlugin ? 'plugin' : 'bare'}-`));
  const plugins = withPlugin ? [{ plugin: '@hashdock/nx-plugin', options: { namespace: 'bench', context: 'workspace' } }] : [];
  await writeFile(join(root, 'nx.json'), JSON.stringify({ plugins, useDaemonProcess: false }));
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'bench', private: true }));
  for (let i = 0; i < count; i++) {
    const dir = join(root, 'apps', `svc-${i}`);
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'project.json'), JSON.stringify({ name: `svc-${i}`, targets: { build: { command: 'true' } } }));
    await writeFile(join(dir, 'Dockerfile'), 'ARG BASE_IMAGE=bench/base\nFROM ${BASE_IMAGE}\nCOPY apps/svc-' + i + '/dist /app\n');
    await writeFile(join(dir, 'src', 'main.ts'), `export const id = ${i};\n`);
  }
  await mkdir(join(root, 'apps', 'base'), { recursive: true });
  await writeFile(join(root, 'apps/base/project.json'), JSON.stringify({ name: 'base' }));
  await writeFile(join(root, 'apps/base/Dockerfile'), 'FROM node:24-slim\n');
  await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  await runCommand('git', ['init', '-q'], { cwd: root });
  return root;
}

/** `nx show projects` with the plugin vs without it, same generated workspace, cold and warm. */
export async function benchInference(count = 200): Promise<Row[]> {
  const bare = await generateWorkspace(count, false);
  const withPlugin = await generateWorkspace(count, true);
  const env = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
  const show = (root: string, cold: boolean) => async () => {
    if (cold) await rm(join(root, '.nx'), { recursive: true, force: true });
    await runCommand(join(root, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: root, env });
  };
  try {
    const rows: Row[] = [];
    for (const cold of [true, false]) {
      // Interleaved: each round measures both, so machine noise hits both alike (9 rounds after a warm-up of each).
      await show(withPlugin, cold)();
      await show(bare, cold)();
      const plugin: number[] = [];
      const without: number[] = [];
      for (let round = 0; round < 9; round++) {
        plugin.push(await timed(show(withPlugin, cold)));
        without.push(await timed(show(bare, cold)));
      }
      const [pluginSeconds, bareSeconds] = [median(plugin), median(without)];
      rows.push({
        benchmark: `nx show projects, ${count + 1} projects with a Dockerfile (${cold ? 'cold' : 'warm'})`,
        subject: 'with @hashdock/nx-plugin',
        baseline: 'without',
        subjectSeconds: pluginSeconds,
        baselineSeconds: bareSeconds,
        // Issue 13's goal is for a warm graph at 500 projects; other rows are reported.
        ...(!cold && count >= 500 ? { goal: '≤ 1.2', met: pluginSeconds <= 1.2 * bareSeconds } : { goal: 'report', met: true }),
      });
    }
    return rows;
  } finally {
    await rm(bare, { recursive: true, force: true });
    await rm(withPlugin, { recursive: true, force: true });
  }
}

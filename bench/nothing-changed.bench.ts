import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@hashdock/core';
import { generateWorkspace } from './scale.bench';
import { median, Row } from './support';

type NxRun = (args: string[]) => Promise<number>;

/**
 * Nothing changed: `nx run-many -t image` replayed from the Nx cache against
 * `-t noop` over the same projects (Nx neither hashes nor restores nx:noop
 * tasks) and, when asked, `-t stamp` (a cached target of the image target's
 * shape, see generateWorkspace), after a warm-up of each, interleaved,
 * medians of `rounds`.
 */
export async function replayVsNoop(nx: NxRun, rounds = 5, floors: string[] = []): Promise<{ replay: number; noop: number; floors: Record<string, number> }> {
  const targets = ['image', 'noop', ...floors];
  for (const target of targets) await nx(['run-many', '-t', target]);
  const times: Record<string, number[]> = Object.fromEntries(targets.map((target) => [target, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) times[target].push(await nx(['run-many', '-t', target]));
  }
  return { replay: median(times.image), noop: median(times.noop), floors: Object.fromEntries(floors.map((target) => [target, median(times[target])])) };
}

/**
 * Each project's `twin`: an `nx:run-commands` target with exactly the inputs and dependencies Nx
 * has for its inferred image target (read from `nx graph`), writing one output file. What replaying a
 * cached target with the image target's inputs costs, without any Hashdock code: the executor and
 * batch path are what `image` adds over it, the inputs what it adds over `stamp`.
 */
async function addTwinTargets(root: string, nx: NxRun): Promise<void> {
  await nx(['graph', '--file=dist/graph.json']);
  const graph = JSON.parse(await readFile(join(root, 'dist/graph.json'), 'utf8')) as {
    graph: { nodes: Record<string, { data: { root: string; targets: Record<string, { inputs?: unknown[]; dependsOn?: (string | { projects?: string[]; target: string })[] }> } }> };
  };
  for (const [name, node] of Object.entries(graph.graph.nodes)) {
    const image = node.data.targets.image;
    if (!image) continue;
    const file = join(root, node.data.root, 'project.json');
    const project = JSON.parse(await readFile(file, 'utf8')) as { targets: Record<string, unknown> };
    project.targets.twin = {
      executor: 'nx:run-commands',
      cache: true,
      inputs: image.inputs,
      dependsOn: (image.dependsOn ?? []).map((dependency) => (typeof dependency === 'object' && dependency.target === 'image' ? { ...dependency, target: 'twin' } : dependency)),
      outputs: [`{workspaceRoot}/dist/twins/${name}.json`],
      options: { command: `mkdir -p dist/twins && echo {} > dist/twins/${name}.json` },
    };
    await writeFile(file, JSON.stringify(project));
  }
  await runCommand('git', ['-c', 'user.name=b', '-c', 'user.email=b@b.invalid', 'commit', '-qam', 'twin targets'], { cwd: root });
}

/** `npm run bench nothing-changed [N]`: only that goal of `bench scale`, quicker to re-measure (7 rounds). */
export async function benchNothingChanged(count = 50): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'hashdock-bench-nothing-'));
  try {
    await generateWorkspace(count, root, `bench-nothing-${Date.now().toString(36)}`, { cachedFloor: true });
    const nx: NxRun = async (args) => {
      const start = performance.now();
      await runCommand(join(root, 'node_modules/.bin/nx'), [...args, '--outputStyle=static'], {
        cwd: root,
        env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', HASHDOCK_BUILDER: 'auto', NX_CACHE_DIRECTORY: join(root, '.nx/cache'), NX_WORKSPACE_DATA_DIRECTORY: join(root, '.nx/workspace-data') },
        timeoutMs: 900_000,
      });
      return (performance.now() - start) / 1000;
    };
    await addTwinTargets(root, nx);
    const { replay, noop, floors } = await replayVsNoop(nx, 7, ['stamp', 'twin']);
    const benchmark = `${count} services, nothing changed: nx run-many -t <target> (from the Nx cache), medians of 7 interleaved`;
    return [
      { benchmark, subject: 'image', baseline: 'noop', subjectSeconds: replay, baselineSeconds: noop, goal: '≤ 1.1', met: replay <= noop * 1.1 },
      // The floors under that goal: Nx hashing and replaying any cached target of the same shape (nx:noop is neither hashed nor replayed),
      // and one with the image target's own inputs.
      { benchmark, subject: 'stamp (a cached run-commands target)', baseline: 'noop', subjectSeconds: floors.stamp, baselineSeconds: noop, goal: 'report', met: true },
      { benchmark, subject: "twin (run-commands, the image target's inputs)", baseline: 'noop', subjectSeconds: floors.twin, baselineSeconds: noop, goal: 'report', met: true },
      { benchmark, subject: 'image', baseline: 'twin', subjectSeconds: replay, baselineSeconds: floors.twin, goal: 'report', met: true },
    ];
  } finally {
    // HASHDOCK_BENCH_KEEP=1 leaves the workspace for profiling (NX_PERF_LOGGING=true, --cpu-prof).
    if (process.env.HASHDOCK_BENCH_KEEP === '1') console.log(`nothing-changed bench: workspace kept at ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
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
export async function replayVsNoop(nx: NxRun, rounds = 5, withStamp = false): Promise<{ replay: number; noop: number; stamp?: number }> {
  const targets = ['image', 'noop', ...(withStamp ? ['stamp'] : [])];
  for (const target of targets) await nx(['run-many', '-t', target]);
  const times: Record<string, number[]> = Object.fromEntries(targets.map((target) => [target, []]));
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) times[target].push(await nx(['run-many', '-t', target]));
  }
  return { replay: median(times.image), noop: median(times.noop), ...(withStamp ? { stamp: median(times.stamp) } : {}) };
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
    const { replay, noop, stamp = Number.NaN } = await replayVsNoop(nx, 7, true);
    const benchmark = `${count} services, nothing changed: nx run-many -t <target> (from the Nx cache), medians of 7 interleaved`;
    return [
      { benchmark, subject: 'image', baseline: 'noop', subjectSeconds: replay, baselineSeconds: noop, goal: '≤ 1.1', met: replay <= noop * 1.1 },
      // The floor under that goal: Nx hashing and replaying any cached target of the same shape (nx:noop is neither hashed nor replayed).
      { benchmark, subject: 'stamp (a cached run-commands target)', baseline: 'noop', subjectSeconds: stamp, baselineSeconds: noop, goal: 'report', met: true },
      { benchmark, subject: 'image', baseline: 'stamp', subjectSeconds: replay, baselineSeconds: stamp, goal: 'report', met: true },
    ];
  } finally {
    // HASHDOCK_BENCH_KEEP=1 leaves the workspace for profiling (NX_PERF_LOGGING=true, --cpu-prof).
    if (process.env.HASHDOCK_BENCH_KEEP === '1') console.log(`nothing-changed bench: workspace kept at ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

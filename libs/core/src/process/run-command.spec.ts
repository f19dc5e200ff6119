import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCommand } from './run-command';

/** Pids whose command line holds `text` and that still run (not zombies), from /proc. */
function running(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Run `sh -c <script>`, wait until `sleep <marker>` runs (when `waitForSleep`; else a moment), cancel it, and settle:
 * the pids of `sleep <marker>` still running after, and how long the cancel took.
 */
async function cancelRun(script: string, marker: string, waitForSleep: boolean): Promise<{ left: number[]; ms: number }> {
  const controller = new AbortController();
  const run = runCommand('sh', ['-c', script], { signal: controller.signal });
  if (waitForSleep) {
    const deadline = Date.now() + 5000;
    while (running(`sleep\0${marker}`).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(running(`sleep\0${marker}`)).toHaveLength(1);
  } else await new Promise((resolve) => setTimeout(resolve, 300));
  const cancelledAt = Date.now();
  controller.abort();
  await run.catch(() => undefined);
  return { left: running(`sleep\0${marker}`), ms: Date.now() - cancelledAt };
}

describe.skipIf(process.platform !== 'linux')('runCommand cancelled', () => {
  it('leaves nothing running: a process the child started that ignores SIGTERM and outlives the child is killed after the grace', async () => {
    // The shape of `docker buildx build`: the docker CLI exits on SIGTERM, its buildx plugin goes on (here: ignores it).
    const marker = `987.${process.pid}${Date.now() % 1000}`;
    const { left, ms } = await cancelRun(`(trap '' TERM; exec sleep ${marker}) & trap 'exit 0' TERM; wait`, marker, true);
    // Settled only once the tree is gone: the grace (3 s), then SIGKILL.
    expect(left).toEqual([]);
    expect(ms).toBeLessThan(6000);
  }, 15_000);

  it('stops a process the child left behind before the cancel: the child is gone, its orphan holds the pipes', async () => {
    // The docker CLI gone and its buildx plugin orphaned: nothing below the child's pid to find any more.
    const marker = `988.${process.pid}${Date.now() % 1000}`;
    const { left, ms } = await cancelRun(`sleep ${marker} & exit 0`, marker, true);
    expect(left).toEqual([]);
    expect(ms).toBeLessThan(6000);
  }, 15_000);

  it('stops a process the child starts after the cancel and leaves behind as it exits', async () => {
    // On SIGTERM the child starts one more process that ignores SIGTERM, and exits: started after the cancel looked.
    const marker = `989.${process.pid}${Date.now() % 1000}`;
    const { left, ms } = await cancelRun(`trap '(trap "" TERM; exec sleep ${marker}) & exit 0' TERM; while :; do sleep 0.05; done`, marker, false);
    expect(left).toEqual([]);
    expect(ms).toBeLessThan(6000);
  }, 15_000);
});

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

describe.skipIf(process.platform !== 'linux')('runCommand cancelled', () => {
  it('leaves nothing running: a process the child started that ignores SIGTERM and outlives the child is killed after the grace', async () => {
    // The shape of `docker buildx build`: the docker CLI exits on SIGTERM, its buildx plugin goes on (here: ignores it).
    const marker = `987.${process.pid}${Date.now() % 1000}`;
    const controller = new AbortController();
    const run = runCommand('sh', ['-c', `(trap '' TERM; exec sleep ${marker}) & trap 'exit 0' TERM; wait`], { signal: controller.signal });
    const deadline = Date.now() + 5000;
    while (running(`sleep\0${marker}`).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(running(`sleep\0${marker}`)).toHaveLength(1);
    const cancelledAt = Date.now();
    controller.abort();
    await run.catch(() => undefined);
    // Settled only once the tree is gone: the grace (3 s), then SIGKILL.
    expect(running(`sleep\0${marker}`)).toEqual([]);
    expect(Date.now() - cancelledAt).toBeLessThan(6000);
  }, 15_000);
});

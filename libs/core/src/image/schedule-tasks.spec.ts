import { describe, expect, it } from 'vitest';
import { scheduleTasks } from './schedule-tasks';

const collect = async <T>(source: AsyncIterable<T>) => {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
};

describe('scheduleTasks (the batch executor order)', () => {
  it('runs a task only after its dependencies, at most `concurrency` at once', async () => {
    const events: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const run = async (task: { id: string }) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      events.push(`start ${task.id}`);
      await new Promise((resolve) => setTimeout(resolve, task.id === 'base' ? 20 : 5));
      inFlight--;
      events.push(`end ${task.id}`);
      return true;
    };
    const tasks = [
      { id: 'api', dependsOn: ['base', 'api:build'] },
      { id: 'web', dependsOn: ['base'] },
      { id: 'base', dependsOn: [] },
      { id: 'worker', dependsOn: ['base'] },
      { id: 'tool', dependsOn: [] },
    ];
    const outcomes = await collect(scheduleTasks(tasks, 2, run, (ok) => ok));
    expect(outcomes.map((outcome) => outcome.id).sort()).toEqual(['api', 'base', 'tool', 'web', 'worker']);
    expect(peak).toBe(2);
    for (const service of ['api', 'web', 'worker']) expect(events.indexOf(`start ${service}`)).toBeGreaterThan(events.indexOf('end base'));
  });

  it('skips what depends on a failure, naming it, and never runs it', async () => {
    const ran: string[] = [];
    const outcomes = await collect(
      scheduleTasks(
        [
          { id: 'base', dependsOn: [] },
          { id: 'api', dependsOn: ['base'] },
          { id: 'edge', dependsOn: ['api'] },
          { id: 'tool', dependsOn: [] },
        ],
        4,
        async (task) => (ran.push(task.id), task.id !== 'base'),
        (ok) => ok,
      ),
    );
    expect(ran.sort()).toEqual(['base', 'tool']);
    expect(outcomes.filter((outcome) => outcome.status === 'skipped')).toEqual([
      { id: 'api', status: 'skipped', reason: 'base did not succeed' },
      { id: 'edge', status: 'skipped', reason: 'api did not succeed' },
    ]);
  });

  it('a cycle ends with its tasks skipped instead of waiting forever', async () => {
    const outcomes = await collect(scheduleTasks([{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }], 4, async () => true, (ok) => ok));
    expect(outcomes).toEqual([
      { id: 'a', status: 'skipped', reason: 'its dependencies form a cycle' },
      { id: 'b', status: 'skipped', reason: 'its dependencies form a cycle' },
    ]);
  });
});

import type { Hash, Task, TaskGraph, TaskHasher } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { hashTogether } from './hash-together';

const task = (project: string): Task => ({ id: `${project}:image`, target: { project, target: 'image' }, overrides: {}, outputs: [], parallelism: true }) as unknown as Task;
const graph = { tasks: {}, dependencies: {}, roots: [] } as unknown as TaskGraph;

/** A TaskHasher that records each call it gets and answers `<task id>@<env's X>`. */
function recordingHasher(fail?: string) {
  const calls: { ids: string[]; env: NodeJS.ProcessEnv }[] = [];
  const hasher = {
    hashTasks: async (tasks: Task[], _graph: TaskGraph, env: NodeJS.ProcessEnv): Promise<Hash[]> => {
      calls.push({ ids: tasks.map((t) => t.id), env });
      if (fail && tasks.some((t) => t.id === fail)) throw new Error(`cannot hash ${fail}`);
      return tasks.map((t) => ({ value: `${t.id}@${env.X}`, details: { command: '', nodes: {} } }));
    },
  } as unknown as TaskHasher;
  return { hasher, calls };
}

describe('hashTogether', () => {
  it('hashes the tasks asked for in one pass with one call per distinct environment, each getting its own hash', async () => {
    const { hasher, calls } = recordingHasher();
    const hashes = await Promise.all([
      hashTogether(hasher, task('a'), graph, { X: '1' }),
      hashTogether(hasher, task('b'), graph, { X: '1' }),
      hashTogether(hasher, task('c'), graph, { X: '2' }),
      hashTogether(hasher, task('d'), graph, { X: '1' }),
    ]);
    expect(hashes.map((hash) => hash.value)).toEqual(['a:image@1', 'b:image@1', 'c:image@2', 'd:image@1']);
    expect(calls.map((call) => call.ids)).toEqual([['a:image', 'b:image', 'd:image'], ['c:image']]);
  });

  it('starts a new call for a later pass, and for another run\'s hasher in the same pass', async () => {
    const first = recordingHasher();
    const second = recordingHasher();
    await Promise.all([hashTogether(first.hasher, task('a'), graph, {}), hashTogether(second.hasher, task('b'), graph, {})]);
    await hashTogether(first.hasher, task('c'), graph, {});
    expect(first.calls.map((call) => call.ids)).toEqual([['a:image'], ['c:image']]);
    expect(second.calls.map((call) => call.ids)).toEqual([['b:image']]);
  });

  it('a failed call fails the tasks it held, and only those', async () => {
    const { hasher } = recordingHasher('b:image');
    const results = await Promise.allSettled([hashTogether(hasher, task('a'), graph, { X: '1' }), hashTogether(hasher, task('b'), graph, { X: '2' })]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { value: 'a:image@1' } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: new Error('cannot hash b:image') });
  });
});

export interface ScheduledTask {
  id: string;
  /** Ids this task waits for; ids not in the batch are taken as done. */
  dependsOn: readonly string[];
}

export type TaskOutcome<R> = { id: string; status: 'done'; result: R; success: boolean } | { id: string; status: 'skipped'; reason: string };

/**
 * Run tasks of a dependency graph with at most `concurrency` at a time, each
 * after everything it depends on succeeded; yield each outcome as it comes.
 * A task whose dependency failed (or was skipped) is skipped, naming it; tasks
 * left in a cycle are skipped too.
 */
export async function* scheduleTasks<T extends ScheduledTask, R>(
  tasks: readonly T[],
  concurrency: number,
  run: (task: T) => Promise<R>,
  succeeded: (result: R) => boolean,
): AsyncGenerator<TaskOutcome<R>> {
  const inBatch = new Set(tasks.map((task) => task.id));
  const pending = new Map(tasks.map((task) => [task.id, task]));
  const outcome = new Map<string, boolean>();
  const running = new Map<string, Promise<{ id: string; result: R }>>();
  while (pending.size || running.size) {
    for (const task of [...pending.values()]) {
      const waitsFor = task.dependsOn.filter((id) => inBatch.has(id));
      const failed = waitsFor.find((id) => outcome.get(id) === false);
      if (failed) {
        pending.delete(task.id);
        outcome.set(task.id, false);
        yield { id: task.id, status: 'skipped', reason: `${failed} did not succeed` };
        continue;
      }
      if (running.size >= Math.max(1, concurrency) || !waitsFor.every((id) => outcome.get(id) === true)) continue;
      pending.delete(task.id);
      running.set(task.id, run(task).then((result) => ({ id: task.id, result })));
    }
    if (!running.size) {
      for (const task of pending.values()) yield { id: task.id, status: 'skipped', reason: 'its dependencies form a cycle' };
      return;
    }
    const finished = await Promise.race(running.values());
    running.delete(finished.id);
    const success = succeeded(finished.result);
    outcome.set(finished.id, success);
    yield { id: finished.id, status: 'done', result: finished.result, success };
  }
}

import { getOutputsForTargetAndConfiguration, ProjectGraph, TaskGraph } from '@nx/devkit';
import { IMAGE_EXECUTOR } from '@hashdock/core/names';
import type { DependencyOutputs } from '@hashdock/core';

/**
 * The ids of the tasks a task depends on in Nx's task graph: Nx 22 and 23 list them as ids, Nx 24 as
 * `{ id }` objects (read as ids, a batch ran an image beside the base it builds FROM).
 */
export function taskDependencyIds(taskGraph: TaskGraph, taskId: string): string[] {
  const listed = (taskGraph.dependencies[taskId] ?? []) as readonly (string | { id?: unknown })[];
  return listed.flatMap((entry) => (typeof entry === 'string' ? [entry] : typeof entry?.id === 'string' ? [entry.id] : []));
}

/**
 * What the tasks an image task depends on write, as Nx resolves their outputs (`{options.outputPath}`
 * → `dist/apps/api`): named when a COPY source is missing (see buildOutputHint). Base images' tasks are
 * left out (they write manifests). Empty without a task graph (an executor run outside Nx's runner).
 */
export function dependencyOutputs(taskId: string, taskGraph: TaskGraph | undefined, projectGraph: ProjectGraph | undefined): DependencyOutputs[] {
  if (!taskGraph || !projectGraph) return [];
  return taskDependencyIds(taskGraph, taskId).flatMap((id) => {
    const task = taskGraph.tasks[id];
    const node = task && projectGraph.nodes[task.target.project];
    // A base image's task writes its manifest, never what a COPY reads: not a build output here.
    if (!node || node.data.targets?.[task.target.target]?.executor === IMAGE_EXECUTOR) return [];
    try {
      return [{ task: id, paths: getOutputsForTargetAndConfiguration(task.target, task.overrides ?? {}, node) }];
    } catch {
      // Outputs Nx cannot resolve say nothing here.
      return [];
    }
  });
}

/**
 * Every output of the tasks a task depends on, directly or through another, as Nx resolves them (workspace
 * paths): what its `dependentTasksOutputFiles` input (transitive) lets Nx see. Outputs Nx cannot resolve are left out.
 */
export function transitiveTaskOutputs(taskId: string, taskGraph: TaskGraph | undefined, projectGraph: ProjectGraph | undefined): string[] {
  if (!taskGraph || !projectGraph) return [];
  const seen = new Set<string>();
  const outputs = new Set<string>();
  const visit = (id: string) => {
    for (const dependency of taskDependencyIds(taskGraph, id)) {
      if (seen.has(dependency)) continue;
      seen.add(dependency);
      const task = taskGraph.tasks[dependency];
      const node = task && projectGraph.nodes[task.target.project];
      if (node) {
        try {
          for (const path of getOutputsForTargetAndConfiguration(task.target, task.overrides ?? {}, node)) outputs.add(path);
        } catch {
          // Outputs Nx cannot resolve cover nothing here.
        }
      }
      visit(dependency);
    }
  };
  visit(taskId);
  return [...outputs].sort();
}

/** Whether a target's inputs hash ignored files from disk (`{ fileset, includeIgnored: true }`: the hashIgnoredSources option). */
export function hashesIgnoredSources(inputs: readonly unknown[] | undefined): boolean {
  return (inputs ?? []).some((input) => typeof input === 'object' && input !== null && (input as { includeIgnored?: unknown }).includeIgnored === true);
}

import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { IMAGE_EXECUTOR, imageTargetsIn, INPUTS_BASIS_METADATA, runImageTargets, workspaceImageNames } from '@hashdock/core';
import type { ImageExecutorSchema } from './schema';
import { dependencyOutputs, hashesIgnoredSources, taskDependencyIds, transitiveTaskOutputs } from './task-dependencies';
import { workspaceGraph } from './workspace-graph';

/** Images run at once in one batch; HASHDOCK_BATCH_CONCURRENCY overrides it. */
const CONCURRENCY = 4;

/**
 * The image executor for many tasks in one process (Nx batch mode, preferred
 * by this executor): no process start-up per image, one registry client and
 * docker driver for all, images after the images they build FROM.
 */
export default async function* imageBatchExecutor(
  taskGraph: TaskGraph,
  inputs: Record<string, ImageExecutorSchema>,
  _overrides: ImageExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<{ task: string; result: { success: boolean; terminalOutput: string; startTime: number; endTime: number; status: 'success' | 'failure' | 'skipped' } }> {
  const projects = context.projectsConfigurations.projects;
  const targets = imageTargetsIn(projects, IMAGE_EXECUTOR);
  // One graph for every task that prunes its context.
  const graph = Object.values(inputs).some((options) => options.pruneContext) ? workspaceGraph(context.projectGraph) : undefined;
  const tasks = Object.keys(inputs).map((id) => {
    const { project, target } = taskGraph.tasks[id].target;
    // Nx has already combined each task's options with the command line (`overrides` is the raw form of the same).
    const options = inputs[id];
    return {
      id,
      options,
      facts: {
        workspaceRoot: context.root,
        projectName: project,
        projectRoot: projects[project].root,
        workspaceImages: workspaceImageNames(targets, options.namespace ?? 'hashdock'),
        inferredInputs: { task: id, basis: projects[project].targets?.[target]?.metadata?.[INPUTS_BASIS_METADATA] },
        // The batch's graph holds only its own tasks: the build tasks they depend on are in the run's.
        dependencyOutputs: dependencyOutputs(id, context.taskGraph ?? taskGraph, context.projectGraph),
        ...(options.pruneContext && graph ? { projectGraph: graph } : {}),
        // Only with the run's task graph: the batch's alone would not know the build tasks whose outputs Nx hashes.
        ...(context.taskGraph
          ? { nxSees: { taskOutputs: transitiveTaskOutputs(id, context.taskGraph, context.projectGraph), ignoredSources: hashesIgnoredSources(projects[project].targets?.[target]?.inputs) } }
          : {}),
        env: process.env,
      },
      dependsOn: taskDependencyIds(taskGraph, id),
    };
  });
  const concurrency = Number(process.env.HASHDOCK_BATCH_CONCURRENCY) || CONCURRENCY;
  for await (const result of runImageTargets(tasks, concurrency)) {
    // Each task's own lines: Nx prints them as the task finishes and keeps them as its cached output.
    yield {
      task: result.id,
      result: { success: result.success, terminalOutput: result.output, startTime: result.startTime, endTime: result.endTime, status: result.skipped ? 'skipped' : result.success ? 'success' : 'failure' },
    };
  }
}

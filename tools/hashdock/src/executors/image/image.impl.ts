import type { ExecutorContext } from '@nx/devkit';
import { IMAGE_EXECUTOR, imageTargetsIn, INPUTS_BASIS_METADATA, isHashdockError, runImageTarget, workspaceImageNames } from '@hashdock/core';
import type { ImageExecutorSchema } from './schema';
import { dependencyOutputs, hashesIgnoredSources, transitiveTaskOutputs } from './task-dependencies';
import { workspaceGraph } from './workspace-graph';

export default async function imageExecutor(options: ImageExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectName = context.projectName!;
  const projects = context.projectsConfigurations.projects;
  const started = performance.now();
  try {
    await runImageTarget(options, {
      workspaceRoot: context.root,
      projectName,
      projectRoot: projects[projectName].root,
      workspaceImages: workspaceImageNames(imageTargetsIn(projects, IMAGE_EXECUTOR), options.namespace ?? 'hashdock'),
      inferredInputs: { task: `${projectName}:${context.targetName}`, basis: projects[projectName].targets?.[context.targetName!]?.metadata?.[INPUTS_BASIS_METADATA] },
      dependencyOutputs: dependencyOutputs(taskIdOf(context), context.taskGraph, context.projectGraph),
      ...(options.pruneContext ? { projectGraph: workspaceGraph(context.projectGraph) } : {}),
      ...(context.taskGraph
        ? { nxSees: { taskOutputs: transitiveTaskOutputs(taskIdOf(context), context.taskGraph, context.projectGraph), ignoredSources: hashesIgnoredSources(projects[projectName].targets?.[context.targetName!]?.inputs) } }
        : {}),
      env: process.env,
    });
    return { success: true };
  } catch (error) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const message = isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error));
    console.error(`hashdock failed          ${projectName.padEnd(12)} ${seconds}s\n${message}`);
    return { success: false };
  }
}

/** This run's task id in Nx's task graph: `<project>:<target>`, with `:<configuration>` when one is given. */
function taskIdOf(context: ExecutorContext): string {
  const base = `${context.projectName}:${context.targetName}`;
  const tasks = context.taskGraph?.tasks ?? {};
  return context.configurationName && tasks[`${base}:${context.configurationName}`] ? `${base}:${context.configurationName}` : base;
}

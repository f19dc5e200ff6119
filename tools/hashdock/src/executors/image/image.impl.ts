import type { ExecutorContext } from '@nx/devkit';
import { isHashdockError, runImageTarget } from '@hashdock/core';
import type { ImageExecutorSchema } from './schema';

export default async function imageExecutor(options: ImageExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectName = context.projectName!;
  const projects = context.projectsConfigurations.projects;
  const targetName = context.targetName ?? 'image';
  const started = performance.now();
  try {
    await runImageTarget(options, {
      workspaceRoot: context.root,
      projectName,
      projectRoot: projects[projectName].root,
      imageProjects: Object.keys(projects).filter((name) => projects[name].targets?.[targetName]),
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

import type { ExecutorContext } from '@nx/devkit';
import { buildImage, createAuthorizer, DockerDriver, gitShortSha, isHashdockError, RegistryClient, resolveImageOptions, summaryLine, templatesUse, writeImageReport } from '@hashdock/core';
import type { ImageExecutorSchema } from './schema';

export default async function imageExecutor(options: ImageExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectName = context.projectName!;
  const projects = context.projectsConfigurations.projects;
  const targetName = context.targetName ?? 'image';
  const started = performance.now();
  try {
    const tags = [...(options.tags ?? []), ...(options.extraTags ?? [])];
    const normalized = resolveImageOptions(options, {
      workspaceRoot: context.root,
      projectName,
      projectRoot: projects[projectName].root,
      imageProjects: Object.keys(projects).filter((name) => projects[name].targets?.[targetName]),
      gitSha: tags.length === 0 || templatesUse(tags, 'gitSha') ? await gitShortSha(context.root) : undefined,
      env: process.env,
    });
    const result = await buildImage(normalized, {
      docker: new DockerDriver({ stream: true }),
      registry: new RegistryClient({ authorize: createAuthorizer() }),
      log: (line) => console.log(line),
    });
    await writeImageReport(normalized.manifestDir, result);
    console.log(summaryLine(result));
    return { success: true };
  } catch (error) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const message = isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error));
    console.error(`hashdock failed          ${projectName.padEnd(12)} ${seconds}s\n${message}`);
    return { success: false };
  }
}

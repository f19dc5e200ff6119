import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { createAuthorizer, isHashdockError, loadEnvironments, promoteRelease, RegistryClient } from '@hashdock/core';
import type { PromoteExecutorSchema } from './schema';

export default async function promoteExecutor(options: PromoteExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const environmentsPath = join(context.root, options.environments ?? 'infra/environments.json');
  const clients = new Map<string, RegistryClient>();
  const authorize = createAuthorizer();
  const clientFor = (registry: string) => {
    let client = clients.get(registry);
    if (!client) clients.set(registry, (client = new RegistryClient({ authorize })));
    return client;
  };
  try {
    const result = await promoteRelease({
      workspaceRoot: context.root,
      environments: await loadEnvironments(environmentsPath),
      environmentsPath,
      from: options.from,
      to: options.to,
      projects: options.projects,
      force: options.force,
      dryRun: options.dryRun,
      concurrency: options.concurrency,
      clientFor,
      log: (line) => console.log(line),
    });
    const conflicts = Object.entries(result.images).flatMap(([project, image]) =>
      Object.entries(image.tags).filter(([, state]) => state === 'conflict').map(([tag]) => `${project}:${tag}`),
    );
    const blobBytes = Object.values(result.images).reduce((sum, image) => sum + image.blobBytesCopied, 0);
    console.log(
      options.dryRun
        ? `hashdock promote ${options.from} -> ${options.to}: plan only, nothing written${conflicts.length ? `; tag conflicts: ${conflicts.join(', ')}` : ''}`
        : `hashdock promote ${options.from} -> ${options.to}: ${Object.keys(result.images).length} images, ${blobBytes} blob bytes copied, release ${result.releasePath}`,
    );
    return { success: conflicts.length === 0 };
  } catch (error) {
    console.error(`hashdock promote ${options.from} -> ${options.to} failed\n${isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error))}`);
    return { success: false };
  }
}

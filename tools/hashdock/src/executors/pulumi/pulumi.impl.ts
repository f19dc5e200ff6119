import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { isHashdockError, runPulumi } from '@hashdock/core';
import type { PulumiExecutorSchema } from './schema';

export default async function pulumiExecutor(options: PulumiExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const stateDir = join(context.root, '.pulumi-state');
  try {
    if (!process.env.PULUMI_BACKEND_URL && !options.backendUrl) await mkdir(stateDir, { recursive: true });
    await runPulumi({
      command: options.command,
      stack: options.stack ?? 'dev',
      cwd: join(context.root, options.cwd ?? 'infra'),
      backendUrl: process.env.PULUMI_BACKEND_URL ?? options.backendUrl ?? `file://${stateDir}`,
    });
    return { success: true };
  } catch (error) {
    console.error(isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error)));
    return { success: false };
  }
}

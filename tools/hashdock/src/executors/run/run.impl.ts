import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { DockerDriver, isHashdockError, readHashdockConfig, runImage } from '@hashdock/core';
import type { RunExecutorSchema } from './schema';

/** Run the project's image as a container until it exits, or until Nx (Ctrl-C) stops it. */
export default async function runExecutor(options: RunExecutorSchema, context: ExecutorContext): Promise<{ success: boolean }> {
  const image = options.image ?? context.projectName ?? '';
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await runImage({
      manifestDir: join(context.root, options.manifestDir ?? readHashdockConfig(context.root).manifestDir),
      image,
      ports: options.ports,
      env: options.env,
      args: options.args,
      command: options.command,
      docker: new DockerDriver(),
      signal: stop.signal,
    });
    return { success: true };
  } catch (error) {
    console.error(`hashdock run ${image} failed\n${isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error))}`);
    return { success: false };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

import { resolve } from 'node:path';
import { DockerDriver } from '../docker/docker-driver';
import { abortWhenParentDies } from '../process/parent-watch';
import { createAuthorizer } from '../registry/auth';
import { RegistryClient } from '../registry/client';
import { isHashdockError } from '../errors';
import { gitShortSha } from '../tags/git-sha';
import { gitBranch } from '../tags/git-branch';
import { BuildImageDeps } from './build-image';
import { runImageTarget } from './run-image-target';
import { FileHashCache, saveFileHashes } from '../hash/file-hash-cache';
import { imageDestination, ImageTargetFacts, ImageTargetOptions } from './resolve-image-options';
import { scheduleTasks } from './schedule-tasks';
import { ImageNameClashError } from '../workspace/image-targets';

export interface ImageTask {
  /** The runner's task id, e.g. `api:image`. */
  id: string;
  options: ImageTargetOptions;
  facts: Omit<ImageTargetFacts, 'gitSha' | 'branch'>;
  /** Ids of tasks this one waits for; ids outside the batch are taken as done. */
  dependsOn: readonly string[];
}

export interface ImageTaskResult {
  id: string;
  success: boolean;
  /** Whether it never ran because a task it depends on failed. */
  skipped: boolean;
  output: string;
  startTime: number;
  endTime: number;
}

/**
 * Many image targets in one process (Nx's batch executor): one registry
 * client (tokens, connections and content read by digest shared), one docker
 * driver, one base-digest cache, git asked once; at most `concurrency` images
 * at a time, each only after the images it builds FROM. Results are yielded
 * as tasks finish, each with its own output. A task whose dependency failed
 * is skipped, never run on a stale base.
 */
export async function* runImageTargets(tasks: readonly ImageTask[], concurrency = 4): AsyncGenerator<ImageTaskResult> {
  const controller = new AbortController();
  const stopWatching = abortWhenParentDies(controller);
  // Every task of a batch belongs to one workspace: one file hash cache, saved when the batch ends.
  const fileHashes = tasks.length ? FileHashCache.forWorkspace(tasks[0].facts.workspaceRoot) : undefined;
  const deps: Omit<BuildImageDeps, 'log'> = {
    docker: new DockerDriver(),
    registry: new RegistryClient({ authorize: createAuthorizer() }),
    signal: controller.signal,
    baseDigests: new Map(),
    warned: new Set(),
    fileHashes,
  };
  const gitShas = new Map<string, Promise<string | undefined>>();
  const gitSha = (root: string) => {
    if (!gitShas.has(root)) gitShas.set(root, gitShortSha(root));
    return gitShas.get(root)!;
  };
  const branches = new Map<string, Promise<string | undefined>>();
  const branch = (root: string) => {
    if (!branches.has(root)) branches.set(root, gitBranch(root, tasks[0]?.facts.env ?? process.env));
    return branches.get(root)!;
  };
  const clashes = nameClashes(tasks);
  const run = async (task: ImageTask): Promise<ImageTaskResult> => {
    const startTime = Date.now();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    try {
      const clash = clashes.get(task.id);
      if (clash) throw clash;
      await runImageTarget(task.options, task.facts, log, { deps, gitSha, branch });
      return { id: task.id, success: true, skipped: false, output: lines.join('\n'), startTime, endTime: Date.now() };
    } catch (error) {
      const seconds = ((Date.now() - startTime) / 1000).toFixed(1);
      log(`hashdock failed          ${task.facts.projectName.padEnd(12)} ${seconds}s\n${isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error))}`);
      return { id: task.id, success: false, skipped: false, output: lines.join('\n'), startTime, endTime: Date.now() };
    }
  };

  try {
    for await (const outcome of scheduleTasks(tasks, concurrency, run, (result) => result.success)) {
      if (outcome.status === 'done') yield outcome.result;
      else {
        const now = Date.now();
        yield { id: outcome.id, success: false, skipped: true, output: `hashdock skipped ${outcome.id}: ${outcome.reason}`, startTime: now, endTime: now };
      }
    }
  } finally {
    stopWatching();
    if (fileHashes) await saveFileHashes(fileHashes, (line) => console.error(line));
  }
}

/**
 * Tasks of one run that would write one manifest or push one repository (two targets the plugin did not infer, each
 * named after its project): each is refused, naming another, instead of the second overwriting the first.
 */
function nameClashes(tasks: readonly ImageTask[]): Map<string, ImageNameClashError> {
  const destinations = tasks.map((task) => {
    const { imageName, repository } = imageDestination(task.options, task.facts);
    return { task, imageName, manifest: resolve(task.facts.workspaceRoot, task.options.manifestDir ?? 'dist/images', imageName), repository };
  });
  const clashes = new Map<string, ImageNameClashError>();
  for (const key of ['manifest', 'repository'] as const) {
    const groups = new Map<string, typeof destinations>();
    for (const destination of destinations) {
      const group = groups.get(destination[key]);
      if (group) group.push(destination);
      else groups.set(destination[key], [destination]);
    }
    for (const same of groups.values()) {
      if (same.length < 2) continue;
      for (const { task, imageName, repository } of same) {
        const other = (same[0].task === task ? same[1] : same[0]).task.id;
        if (!clashes.has(task.id)) clashes.set(task.id, new ImageNameClashError(key === 'manifest' ? imageName : repository, other, task.id));
      }
    }
  }
  return clashes;
}

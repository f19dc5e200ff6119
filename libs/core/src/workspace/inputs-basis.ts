import { isAbsolute, relative } from 'node:path';
import { HashdockError } from '../errors';
import { contextOption, expandPathTemplate, ImageTargetOptions, targetBuildArgs } from '../image/resolve-image-options';
import type { ImageTarget } from './image-targets';
import { inputShapingArgs } from '../docker/context-reads';
import { automaticPlatformArgs } from '../docker/platform-args';
import { hostPlatform } from '../image/image-options';
import { buildContextsOption, imageContextReference } from '../image/named-contexts';

/**
 * The options an image target's Nx inputs were inferred from (recorded in the
 * target's metadata by the plugin): where the context and Dockerfile are, the
 * stage, and the build args that choose what it reads (see inputShapingArgs).
 * If the target runs with others, its inputs describe another build.
 */
export interface InputsBasis {
  /** Workspace-relative (`.` for the root), absolute outside the workspace. */
  context: string;
  dockerfile: string;
  stage?: string;
  /** Only the args named in FROM, COPY/ADD sources and `from`s; null when unset. */
  buildArgs: Record<string, string | null>;
  /** The target platform, when what the Dockerfile reads depends on it (`COPY bin/app-${TARGETARCH}`). */
  platform?: string;
  /** Named build contexts: name → directory (as `context`); absent when there are none. */
  buildContexts?: Record<string, string>;
}

/** Where an image target's metadata keeps its InputsBasis. */
export const INPUTS_BASIS_METADATA = 'hashdockInputsFrom';

export class InputsBasisMismatchError extends HashdockError {
  constructor(task: string, differences: string[]) {
    super(
      'INPUTS_BASIS_MISMATCH',
      `${task}: ${differences.join('; ')}. Hashdock inferred this target's Nx inputs from nx.json's plugin options and the project's own ` +
        'target options; this value came from somewhere it does not read (nx.json targetDefaults, a target configuration, or the command line), so Nx would hash other ' +
        'files than the build reads and could replay a stale manifest. Set it in the plugin options or in the project\'s own target options ' +
        '(project.json or package.json "nx"); another variant of the image is a target of its own (see "Two images from one Dockerfile").',
    );
  }
}

function workspaceRelative(path: string, workspaceRoot: string): string {
  const rel = relative(workspaceRoot, path).split('\\').join('/');
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** The recorded args, as the running options set them. */
function argsAsRunning(recorded: Record<string, string | null>, running: Record<string, string> | undefined): Record<string, string | null> {
  return Object.fromEntries(Object.keys(recorded).map((name) => [name, running?.[name] ?? null]));
}

/** The InputsBasis of a target as it will run (options as the executor got them); build args are picked by the caller. */
export function inputsBasisOf(options: ImageTargetOptions, facts: { workspaceRoot: string; projectRoot: string; projectName: string }): Omit<InputsBasis, 'buildArgs'> {
  const path = (value: string) => workspaceRelative(expandPathTemplate(value, facts.projectRoot, facts.projectName, facts.workspaceRoot), facts.workspaceRoot);
  // A malformed option is left to resolveImageOptions, which names what is wrong with it.
  let named: [string, string][] = [];
  try {
    named = options.buildContexts === undefined ? [] : Object.entries(buildContextsOption(options.buildContexts, `project ${facts.projectName}`));
  } catch {
    named = [];
  }
  return {
    context: path(contextOption(options.context)),
    dockerfile: path(options.dockerfile ?? '{projectRoot}/Dockerfile'),
    ...(options.stage ? { stage: options.stage.toLowerCase() } : {}),
    platform: options.platform ?? hostPlatform(),
    ...(named.length ? { buildContexts: Object.fromEntries(named.map(([name, value]) => [name, imageContextReference(value) === undefined ? path(value) : value])) } : {}),
  };
}

/** Named contexts in one order, for comparison. */
function sortedContexts(contexts: Record<string, string> | undefined): string {
  return JSON.stringify(Object.entries(contexts ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What differs between the basis the inputs were inferred from and the one the target runs with (empty: nothing). */
export function inputsBasisDifferences(inferred: InputsBasis, running: Omit<InputsBasis, 'buildArgs'> & { buildArgs?: Record<string, string> }): string[] {
  const differences: string[] = [];
  const say = (option: string, now: unknown, then: unknown) => differences.push(`option "${option}" is ${JSON.stringify(now)} when it runs, but its inputs were inferred for ${JSON.stringify(then)}`);
  if (inferred.context !== running.context) say('context', running.context, inferred.context);
  if (inferred.dockerfile !== running.dockerfile) say('dockerfile', running.dockerfile, inferred.dockerfile);
  if ((inferred.stage ?? null) !== (running.stage ?? null)) say('stage', running.stage ?? null, inferred.stage ?? null);
  if (inferred.platform !== undefined && inferred.platform !== running.platform) say('platform', running.platform ?? null, inferred.platform);
  if (sortedContexts(inferred.buildContexts) !== sortedContexts(running.buildContexts)) say('buildContexts', running.buildContexts ?? null, inferred.buildContexts ?? null);
  const args = argsAsRunning(inferred.buildArgs ?? {}, running.buildArgs);
  for (const [name, value] of Object.entries(args)) if (value !== (inferred.buildArgs[name] ?? null)) say(`buildArgs.${name}`, value, inferred.buildArgs[name] ?? null);
  return differences;
}

/** The basis the plugin infers a target's inputs from, recorded in its metadata. */
export function inferredInputsBasis(target: Pick<ImageTarget, 'context' | 'dockerfile' | 'options' | 'dockerfileText' | 'namedContexts'>): InputsBasis {
  const shaping = [...inputShapingArgs(target.dockerfileText ?? '')].sort();
  return {
    context: target.context,
    dockerfile: target.dockerfile,
    ...(target.options.stage ? { stage: target.options.stage.toLowerCase() } : {}),
    buildArgs: Object.fromEntries(shaping.map((name) => [name, targetBuildArgs(target.options)[name] ?? null])),
    // BuildKit's automatic platform args in what it reads: the files read follow the platform.
    ...(shaping.some((name) => name in automaticPlatformArgs(hostPlatform())) ? { platform: target.options.platform ?? hostPlatform() } : {}),
    ...(target.namedContexts && Object.keys(target.namedContexts).length ? { buildContexts: target.namedContexts } : {}),
  };
}

/**
 * Refuse to run a target whose options differ from those its inputs were
 * inferred from (`recorded`: the metadata value; a target without one, as
 * one declared by hand with no plugin, is not checked).
 */
export function checkInputsBasis(task: string, recorded: unknown, options: ImageTargetOptions, facts: { workspaceRoot: string; projectRoot: string; projectName: string }): void {
  if (!recorded || typeof recorded !== 'object') return;
  const differences = inputsBasisDifferences(recorded as InputsBasis, { ...inputsBasisOf(options, facts), buildArgs: targetBuildArgs(options) });
  if (differences.length) throw new InputsBasisMismatchError(task, differences);
}

import { isAbsolute, relative } from 'node:path';
import { HashdockError } from '../errors';
import { expandPathTemplate, ImageTargetOptions } from '../image/resolve-image-options';
import type { ImageTarget } from './image-targets';

/**
 * The options an image target's Nx inputs were inferred from (recorded in the
 * target's metadata by the plugin): where the context and Dockerfile are, the
 * stage, and the build args that expand COPY sources and FROM lines. If the
 * target runs with others, its inputs describe another build.
 */
export interface InputsBasis {
  /** Workspace-relative (`.` for the root), absolute outside the workspace. */
  context: string;
  dockerfile: string;
  stage?: string;
  buildArgs: Record<string, string>;
}

/** Where an image target's metadata keeps its InputsBasis. */
export const INPUTS_BASIS_METADATA = 'hashdockInputsFrom';

export class InputsBasisMismatchError extends HashdockError {
  constructor(task: string, differences: string[]) {
    super(
      'INPUTS_BASIS_MISMATCH',
      `${task}: ${differences.join('; ')}. Hashdock inferred this target's Nx inputs from nx.json's plugin options and the project's own ` +
        'target options; this value came from somewhere it does not read (nx.json targetDefaults, or the command line), so Nx would hash other ' +
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

function sameArgs(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** The InputsBasis of a target as it will run (options as the executor got them). */
export function inputsBasisOf(options: ImageTargetOptions, facts: { workspaceRoot: string; projectRoot: string; projectName: string }): InputsBasis {
  const path = (value: string) => workspaceRelative(expandPathTemplate(value, facts.projectRoot, facts.projectName, facts.workspaceRoot), facts.workspaceRoot);
  return {
    // Nx interpolates "{workspaceRoot}" in options to "": an empty context is the workspace root.
    context: path(options.context === '' ? '.' : (options.context ?? '{projectRoot}')),
    dockerfile: path(options.dockerfile ?? '{projectRoot}/Dockerfile'),
    ...(options.stage ? { stage: options.stage.toLowerCase() } : {}),
    buildArgs: { ...options.buildArgs },
  };
}

/** What differs between the basis the inputs were inferred from and the one the target runs with (empty: nothing). */
export function inputsBasisDifferences(inferred: InputsBasis, running: InputsBasis): string[] {
  const differences: string[] = [];
  const say = (option: string, now: unknown, then: unknown) => differences.push(`option "${option}" is ${JSON.stringify(now)} when it runs, but its inputs were inferred for ${JSON.stringify(then)}`);
  if (inferred.context !== running.context) say('context', running.context, inferred.context);
  if (inferred.dockerfile !== running.dockerfile) say('dockerfile', running.dockerfile, inferred.dockerfile);
  if ((inferred.stage ?? null) !== (running.stage ?? null)) say('stage', running.stage ?? null, inferred.stage ?? null);
  if (!sameArgs(inferred.buildArgs, running.buildArgs)) say('buildArgs', running.buildArgs, inferred.buildArgs);
  return differences;
}

/** The basis the plugin infers a target's inputs from, recorded in its metadata. */
export function inferredInputsBasis(target: Pick<ImageTarget, 'context' | 'dockerfile' | 'options'>): InputsBasis {
  return {
    context: target.context,
    dockerfile: target.dockerfile,
    ...(target.options.stage ? { stage: target.options.stage.toLowerCase() } : {}),
    buildArgs: { ...target.options.buildArgs },
  };
}

/**
 * Refuse to run a target whose options differ from those its inputs were
 * inferred from (`recorded`: the metadata value; a target without one, as
 * one declared by hand with no plugin, is not checked).
 */
export function checkInputsBasis(task: string, recorded: unknown, options: ImageTargetOptions, facts: { workspaceRoot: string; projectRoot: string; projectName: string }): void {
  if (!recorded || typeof recorded !== 'object') return;
  const differences = inputsBasisDifferences(recorded as InputsBasis, inputsBasisOf(options, facts));
  if (differences.length) throw new InputsBasisMismatchError(task, differences);
}

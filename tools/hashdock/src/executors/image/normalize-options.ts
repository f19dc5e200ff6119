import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_TAG_TEMPLATES, hostPlatform, ImageBuildOptions, InvalidOptionError } from '@hashdock/core';
import type { ImageExecutorSchema } from './schema';

export interface ExecutorFacts {
  workspaceRoot: string;
  projectName: string;
  projectRoot: string;
  /** Every project that has an image target. */
  imageProjects: string[];
  gitSha?: string;
  env: NodeJS.ProcessEnv;
}

function expand(value: string, facts: ExecutorFacts): string {
  return value.replace(/\{projectRoot\}/g, facts.projectRoot).replace(/\{projectName\}/g, facts.projectName).replace(/\{workspaceRoot\}\/?/g, '');
}

function workspacePath(value: string, facts: ExecutorFacts, option: string): string {
  const expanded = expand(value, facts);
  if (!expanded) throw new InvalidOptionError(option, `Option "${option}" is empty`);
  return isAbsolute(expanded) ? expanded : resolve(facts.workspaceRoot, expanded);
}

/** Options once, in full: paths absolute, env overrides applied, repository decided. */
export function normalizeOptions(options: ImageExecutorSchema, facts: ExecutorFacts): ImageBuildOptions {
  const registry = facts.env.HASHDOCK_REGISTRY || options.registry || 'localhost:5000';
  const namespace = facts.env.HASHDOCK_NAMESPACE || options.namespace || 'hashdock';
  const repository = options.repository ?? `${registry}/${namespace}/${facts.projectName}`;
  return {
    project: facts.projectName,
    workspaceRoot: facts.workspaceRoot,
    contextDir: workspacePath(options.context ?? '{projectRoot}', facts, 'context'),
    dockerfile: workspacePath(options.dockerfile ?? '{projectRoot}/Dockerfile', facts, 'dockerfile'),
    repository,
    tagTemplates: [...(options.tags ?? DEFAULT_TAG_TEMPLATES), ...(options.extraTags ?? [])],
    buildArgs: { ...options.buildArgs },
    env: { ...options.env },
    platform: options.platform ?? hostPlatform(),
    push: options.push ?? true,
    dryRun: options.dryRun ?? false,
    noCache: options.noCache ?? false,
    version: options.version,
    gitSha: facts.gitSha,
    manifestDir: workspacePath(options.manifestDir ?? 'dist/images', facts, 'manifestDir'),
    cacheFrom: options.cacheFrom ?? [],
    // Dockerfiles name workspace images with the configured namespace; an env override only moves where they go.
    workspaceImages: Object.fromEntries(
      [...new Set([options.namespace ?? 'hashdock', namespace])].flatMap((prefix) => facts.imageProjects.map((project) => [`${prefix}/${project}`, project])),
    ),
  };
}

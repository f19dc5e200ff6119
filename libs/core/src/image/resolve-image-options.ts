import { isAbsolute, resolve } from 'node:path';
import { InvalidOptionError } from '../errors';
import { DEFAULT_TAG_TEMPLATES } from '../tags/tag-policy';
import { hostPlatform, ImageBuildOptions } from './image-options';

/** What a user sets on an image target (the executor's schema). */
export interface ImageTargetOptions {
  dockerfile?: string;
  context?: string;
  registry?: string;
  namespace?: string;
  repository?: string;
  tags?: string[];
  extraTags?: string[];
  version?: string;
  buildArgs?: Record<string, string>;
  env?: Record<string, string>;
  platform?: string;
  push?: boolean;
  dryRun?: boolean;
  noCache?: boolean;
  cacheFrom?: string[];
  manifestDir?: string;
  /** esbuild metafile of the build that produced the context, for "why rebuilt" reports. */
  buildMetafile?: string;
  /** BuildKit secrets: id → environment variable name. */
  secrets?: Record<string, string>;
}

export interface ImageTargetFacts {
  workspaceRoot: string;
  projectName: string;
  projectRoot: string;
  /** Every project that has an image target. */
  imageProjects: string[];
  gitSha?: string;
  env: NodeJS.ProcessEnv;
}

export const BUILD_ARG_ENV_PREFIX = 'HASHDOCK_BUILD_ARG_';

/** `HASHDOCK_BUILD_ARG_ROOT_IMAGE=node:24-slim` overrides the build arg ROOT_IMAGE (e.g. in CI). */
export function buildArgOverrides(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([name, value]) => name.startsWith(BUILD_ARG_ENV_PREFIX) && name.length > BUILD_ARG_ENV_PREFIX.length && value !== undefined)
      .map(([name, value]) => [name.slice(BUILD_ARG_ENV_PREFIX.length), value as string]),
  );
}

function expand(value: string, facts: ImageTargetFacts): string {
  return value.replace(/\{projectRoot\}/g, facts.projectRoot).replace(/\{projectName\}/g, facts.projectName).replace(/\{workspaceRoot\}\/?/g, '');
}

function workspacePath(value: string, facts: ImageTargetFacts, option: string): string {
  const expanded = expand(value, facts);
  if (!expanded) throw new InvalidOptionError(option, `Option "${option}" is empty`);
  return isAbsolute(expanded) ? expanded : resolve(facts.workspaceRoot, expanded);
}

/**
 * Options once, in full: paths absolute, env overrides applied, repository
 * decided. The Nx executor, infra's integrated mode and the turbo command all
 * come through here, so they compute the same tag for the same bytes.
 */
export function resolveImageOptions(options: ImageTargetOptions, facts: ImageTargetFacts): ImageBuildOptions {
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
    buildArgs: { ...options.buildArgs, ...buildArgOverrides(facts.env) },
    env: { ...options.env },
    platform: options.platform ?? hostPlatform(),
    push: options.push ?? true,
    dryRun: options.dryRun ?? false,
    noCache: options.noCache ?? false,
    version: options.version,
    gitSha: facts.gitSha,
    manifestDir: workspacePath(options.manifestDir ?? 'dist/images', facts, 'manifestDir'),
    cacheFrom: options.cacheFrom ?? [],
    ...(options.secrets ? { secrets: { ...options.secrets } } : {}),
    ...(options.buildMetafile ? { buildMetafile: workspacePath(options.buildMetafile, facts, 'buildMetafile') } : {}),
    // Dockerfiles name workspace images with the configured namespace; an env override only moves where they go.
    workspaceImages: Object.fromEntries(
      [...new Set([options.namespace ?? 'hashdock', namespace])].flatMap((prefix) => facts.imageProjects.map((project) => [`${prefix}/${project}`, project])),
    ),
  };
}

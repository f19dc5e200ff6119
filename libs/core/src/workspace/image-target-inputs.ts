import { join, relative } from 'node:path';
import { contextScopeOf } from '../docker/context-reads';
import { declaredArgNames } from '../docker/dockerfile-from';
import { findIgnoreFile, readIgnorePatterns } from '../hash/context-files';
import { hasExceptions, IgnorePattern } from '../hash/dockerignore';
import { BUILD_ARG_ENV_PREFIX } from '../image/resolve-image-options';
import { DEFAULT_TAG_TEMPLATES, templatesUse } from '../tags/tag-policy';
import { IMAGE_ENV_INPUTS } from './hashdock-config';
import { ImageTarget } from './image-targets';
import { ExternalFrom } from '../image/external-bases';

/** Nx's input forms, as plain data (the core imports nothing from Nx). */
export type NxInput = string | { env: string } | { runtime: string } | { dependentTasksOutputFiles: string; transitive?: boolean };

export const GIT_SHA_RUNTIME_INPUT = 'git rev-parse --short=12 HEAD';
/**
 * The default platform is the host's: machines of another architecture must not share results.
 * `uname -m` costs ~1 ms where `node -p process.arch` costs a Node start-up (~50 ms, once per round
 * of hashing, on the path of every `nx affected`); Node answers where there is no `uname`.
 */
export const HOST_ARCH_RUNTIME_INPUT = 'uname -m || node -p process.arch';

/** The runtime input whose output is the digest an external base resolves to now (`hashdock base-digest`). */
export function baseDigestRuntimeInput(workspaceRoot: string, base: ExternalFrom, platform: string | undefined, cli = join(__dirname, '..', 'cli', 'main.js')): string {
  const words = ['node', JSON.stringify(relative(workspaceRoot, cli).split('\\').join('/')), 'base-digest', base.reference];
  if (base.arg) words.push('--arg', base.arg);
  const wanted = base.platformFlag && !base.platformFlag.startsWith('$') ? base.platformFlag : /^\$\{?BUILDPLATFORM/.test(base.platformFlag ?? '') ? undefined : platform;
  if (wanted) words.push('--platform', wanted);
  return words.join(' ');
}

/**
 * Nx fileset inputs for a build context: everything under it, minus what
 * `.dockerignore` excludes. With `!` exceptions the translation would be
 * inexact, so the whole context counts (never miss a change; the content
 * hash stays exact either way).
 */
export function contextInputs(contextToken: string, patterns: readonly IgnorePattern[] | undefined, sources?: readonly string[]): string[] {
  // Only what the Dockerfile's COPY/ADD sources reach, when that is known (see contextScopeOf).
  const inputs = sources ? sources.flatMap((source) => [`${contextToken}/${source}`, `${contextToken}/${source}/**/*`]) : [`${contextToken}/**/*`];
  // Unreadable patterns (an invalid .dockerignore fails the build itself) count the whole context too.
  if (!patterns || hasExceptions(patterns) || inputs.length === 0) return inputs;
  for (const pattern of patterns) {
    // `.` and `/` match no path in Docker: they exclude nothing.
    if (pattern.cleaned === '.' || pattern.cleaned === '/') continue;
    inputs.push(`!${contextToken}/${pattern.cleaned}`);
    if (!pattern.cleaned.endsWith('**')) inputs.push(`!${contextToken}/${pattern.cleaned}/**`);
  }
  return inputs;
}

/** How Nx names a workspace path in inputs and outputs. */
function token(target: ImageTarget, path: string): string {
  if (path === target.projectRoot) return '{projectRoot}';
  if (path.startsWith(`${target.projectRoot}/`) && target.projectRoot !== '.') return `{projectRoot}/${path.slice(target.projectRoot.length + 1)}`;
  return path === '.' ? '{workspaceRoot}' : `{workspaceRoot}/${path}`;
}

/**
 * The Nx inputs of an image target, from the same resolved options the
 * executor runs with: every context file Docker would send (tracked files by
 * fileset; build outputs and base manifests as the outputs of the tasks it
 * depends on), the Dockerfile and both ignore files Docker may read, and every
 * environment variable that changes the tag.
 */
export async function imageTargetInputs(workspaceRoot: string, target: ImageTarget): Promise<NxInput[]> {
  const contextToken = token(target, target.context);
  let patterns: IgnorePattern[] | undefined;
  try {
    patterns = await readIgnorePatterns(await findIgnoreFile(join(workspaceRoot, target.context), join(workspaceRoot, target.dockerfile)));
  } catch {
    patterns = undefined;
  }
  const dockerfile = token(target, target.dockerfile);
  const scope = target.dockerfileText !== undefined ? contextScopeOf(target.dockerfileText, target.options.buildArgs ?? {}) : undefined;
  const sources = scope?.kind === 'sources' && !scope.sources.some((source) => source.path === '.') ? [...new Set(scope.sources.map((source) => source.path))] : undefined;
  const inputs: NxInput[] = [
    ...contextInputs(contextToken, patterns, sources),
    dockerfile,
    // Creating either ignore file changes what Docker sends, so both count even when absent.
    `${dockerfile}.dockerignore`,
    `${contextToken}/.dockerignore`,
    { dependentTasksOutputFiles: '**/*' },
    ...IMAGE_ENV_INPUTS.map((env) => ({ env })),
    ...[...declaredArgNames(target.dockerfileText ?? '')].sort().map((name) => ({ env: `${BUILD_ARG_ENV_PREFIX}${name}` })),
  ];
  const templates = [...(target.options.tags ?? DEFAULT_TAG_TEMPLATES), ...(target.options.extraTags ?? [])];
  if (templatesUse(templates, 'gitSha')) inputs.push({ runtime: GIT_SHA_RUNTIME_INPUT });
  if (!target.options.platform) inputs.push({ runtime: HOST_ARCH_RUNTIME_INPUT });
  for (const base of target.externalBases) inputs.push({ runtime: baseDigestRuntimeInput(workspaceRoot, base, target.options.platform) });
  return [...new Map(inputs.map((input) => [JSON.stringify(input), input])).values()];
}

/**
 * The manifest: the one output of an image target. Nx copies every output
 * back on each cache hit (without its daemon, always), so the run report
 * beside it is not one (see readImageReports).
 */
export function imageTargetOutputs(target: ImageTarget): string[] {
  const dir = target.options.manifestDir ?? 'dist/images';
  return [`{workspaceRoot}/${dir}/${target.name}.json`];
}

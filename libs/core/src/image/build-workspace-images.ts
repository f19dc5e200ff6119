import { FileHashCache, saveFileHashes } from '../hash/file-hash-cache';
import { HashdockError } from '../errors';
import { gitShortSha } from '../tags/git-sha';
import { gitBranch } from '../tags/git-branch';
import { templatesUse } from '../tags/tag-policy';
import { packageGraph } from '../workspace/package-graph';
import { discoverImageTargets } from '../workspace/discover-images';
import { ImageTarget, workspaceImageNames } from '../workspace/image-targets';
import { readHashdockConfig } from '../workspace/hashdock-config';
import { buildImage, BuildImageDeps, BuildImageResult } from './build-image';
import { ImageTargetOptions, resolveImageOptions } from './resolve-image-options';

export interface WorkspaceImagesOptions {
  workspaceRoot: string;
  /** Only the image targets of these projects and the workspace images they build FROM (default: all). */
  projects?: string[];
  /** Overrides applied to every image (dryRun, push, manifestDir, …). */
  overrides?: ImageTargetOptions;
  env?: NodeJS.ProcessEnv;
}

/** Image targets with the workspace images they build FROM, bases first. */
export function orderImageTargets(targets: readonly ImageTarget[], onlyProjects?: string[]): ImageTarget[] {
  const byName = new Map(targets.map((target) => [target.name, target]));
  const ordered: ImageTarget[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (target: ImageTarget, path: string[]) => {
    if (state.get(target.name) === 'done') return;
    if (state.get(target.name) === 'visiting') throw new HashdockError('IMAGE_CYCLE', `Images build FROM each other in a cycle: ${[...path, target.name].join(' → ')}`);
    state.set(target.name, 'visiting');
    for (const base of target.bases) visit(byName.get(base.name)!, [...path, target.name]);
    state.set(target.name, 'done');
    ordered.push(target);
  };
  const known = [...new Set(targets.map((target) => target.project))];
  for (const project of onlyProjects ?? []) if (!known.includes(project)) throw new HashdockError('UNKNOWN_PROJECT', `No image project named "${project}" (known: ${known.join(', ')})`);
  for (const target of targets) if (!onlyProjects?.length || onlyProjects.includes(target.project)) visit(target, []);
  return ordered;
}

/**
 * Build (or find) workspace images without Nx, bases first, with the same
 * options and the same content hashes as the Nx image targets.
 */
export async function buildWorkspaceImages(options: WorkspaceImagesOptions, deps: BuildImageDeps): Promise<BuildImageResult[]> {
  const env = options.env ?? process.env;
  const config = readHashdockConfig(options.workspaceRoot);
  const targets = await discoverImageTargets(options.workspaceRoot, config);
  const workspaceImages = workspaceImageNames(targets, config.namespace);
  const results: BuildImageResult[] = [];
  const templates = [...config.tags, ...(options.overrides?.extraTags ?? [])];
  const gitSha = templatesUse(templates, 'gitSha') ? await gitShortSha(options.workspaceRoot) : undefined;
  const branch = templatesUse(templates, 'branch') ? await gitBranch(options.workspaceRoot, env) : undefined;
  // One resolution per external base for the whole run.
  const fileHashes = deps.fileHashes ?? FileHashCache.forWorkspace(options.workspaceRoot);
  const shared: BuildImageDeps = { ...deps, baseDigests: deps.baseDigests ?? new Map(), fileHashes };
  // pruneContext reads the package graph, as the turbo command does (no Nx here).
  const projectGraph = targets.some((target) => ({ ...target.options, ...options.overrides }).pruneContext) ? await packageGraph(options.workspaceRoot) : undefined;
  try {
    for (const target of orderImageTargets(targets, options.projects)) {
      const resolved = resolveImageOptions({ ...target.options, ...options.overrides }, {
        workspaceRoot: options.workspaceRoot,
        projectName: target.project,
        projectRoot: target.projectRoot,
        workspaceImages,
        gitSha,
        ...(branch ? { branch } : {}),
        ...(projectGraph ? { projectGraph } : {}),
        env,
      });
      results.push(await buildImage(resolved, shared));
    }
  } finally {
    if (!deps.fileHashes) await saveFileHashes(fileHashes, deps.log);
  }
  return results;
}

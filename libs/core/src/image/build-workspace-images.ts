import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HashdockError } from '../errors';
import { gitShortSha } from '../tags/git-sha';
import { templatesUse } from '../tags/tag-policy';
import { discoverImageProjects, ProjectIdentity } from '../workspace/discover-images';
import { readHashdockConfig } from '../workspace/hashdock-config';
import { findWorkspaceBaseImages } from './base-images';
import { buildImage, BuildImageDeps, BuildImageResult } from './build-image';
import { imageTargetOptions } from './image-target-options';
import { ImageTargetOptions, resolveImageOptions } from './resolve-image-options';

export interface WorkspaceImagesOptions {
  workspaceRoot: string;
  /** Only these projects and the workspace images they build FROM (default: all). */
  projects?: string[];
  /** Overrides applied to every image (dryRun, push, manifestDir, …). */
  overrides?: ImageTargetOptions;
  env?: NodeJS.ProcessEnv;
}

/** Image projects with their workspace base images, bases first. */
export function orderImageProjects(workspaceRoot: string, namespace: string, projects: ProjectIdentity[], only?: string[]): { project: ProjectIdentity; bases: string[] }[] {
  const names = Object.fromEntries(projects.map((p) => [`${namespace}/${p.name}`, p.name]));
  const byName = new Map(projects.map((p) => [p.name, p]));
  const bases = new Map(projects.map((p) => [p.name, findWorkspaceBaseImages(readFileSync(join(workspaceRoot, p.root, 'Dockerfile'), 'utf8'), names).map((b) => b.project)]));
  const ordered: { project: ProjectIdentity; bases: string[] }[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    const project = byName.get(name);
    if (!project) throw new HashdockError('UNKNOWN_PROJECT', `No image project named "${name}" (known: ${[...byName.keys()].join(', ')})`);
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new HashdockError('IMAGE_CYCLE', `Images build FROM each other in a cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const base of bases.get(name) ?? []) visit(base, [...path, name]);
    state.set(name, 'done');
    ordered.push({ project, bases: bases.get(name) ?? [] });
  };
  for (const name of only?.length ? only : [...byName.keys()]) visit(name, []);
  return ordered;
}

/**
 * Build (or find) workspace images without Nx, bases first, with the same
 * options and the same content hashes as the Nx image targets.
 */
export async function buildWorkspaceImages(options: WorkspaceImagesOptions, deps: BuildImageDeps): Promise<BuildImageResult[]> {
  const env = options.env ?? process.env;
  const config = await readHashdockConfig(options.workspaceRoot);
  const projects = discoverImageProjects(options.workspaceRoot);
  const order = orderImageProjects(options.workspaceRoot, config.namespace, projects, options.projects);
  const results: BuildImageResult[] = [];
  const gitSha = templatesUse([...config.tags, ...(options.overrides?.extraTags ?? [])], 'gitSha') ? await gitShortSha(options.workspaceRoot) : undefined;
  for (const { project } of order) {
    const targetOptions = { ...imageTargetOptions(config, readFileSync(join(options.workspaceRoot, project.root, 'Dockerfile'), 'utf8')), ...options.overrides };
    const resolved = resolveImageOptions(targetOptions, {
      workspaceRoot: options.workspaceRoot,
      projectName: project.name,
      projectRoot: project.root,
      imageProjects: projects.map((p) => p.name),
      gitSha,
      env,
    });
    results.push(await buildImage(resolved, deps));
  }
  return results;
}

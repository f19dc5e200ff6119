import { posix } from 'node:path';
import { DOCKERFILE_GLOB, isDockerfileName } from './dockerfile-names';
import { HashdockConfig, PluginFileFilter, readHashdockConfig, readHashdockFileFilter } from './hashdock-config';
import { ImageTarget, ImageTargetCandidate, resolveImageTargets } from './image-targets';
import { owningProjectRoot, readWorkspaceProject, WorkspaceProject } from './project-files';

/** Directories Nx never sees (git-ignored in every workspace it creates) and Hashdock's own state. */
const NEVER_PROJECTS = ['**/node_modules/**', '**/dist/**', '**/.git/**', '**/.nx/**', '**/.hashdock/**', '**/.turbo/**', '**/tmp/**'];

/** Pair each Dockerfile with the project that owns it; Dockerfiles outside any project are not images. */
export function imageTargetCandidates(workspaceRoot: string, dockerfiles: readonly string[]): ImageTargetCandidate[] {
  const projects = new Map<string, WorkspaceProject | undefined>();
  const candidates: ImageTargetCandidate[] = [];
  for (const dockerfile of dockerfiles) {
    if (!isDockerfileName(posix.basename(dockerfile))) continue;
    const root = owningProjectRoot(workspaceRoot, dockerfile);
    if (root === undefined) continue;
    if (!projects.has(root)) projects.set(root, readWorkspaceProject(workspaceRoot, root));
    const project = projects.get(root);
    if (project) candidates.push({ dockerfile, project });
  }
  return candidates;
}

/**
 * The workspace's image targets found without Nx (the turbo command, infra's
 * integrated mode, the CLI): the same Dockerfile pattern and the same model
 * as the Nx plugin, over the files on disk.
 */
export async function discoverImageTargets(
  workspaceRoot: string,
  config: HashdockConfig = readHashdockConfig(workspaceRoot),
  filter: PluginFileFilter = readHashdockFileFilter(workspaceRoot),
): Promise<ImageTarget[]> {
  // Loaded on first use: the image executor and the plugin's cached graph never glob.
  const { default: fg } = await import('fast-glob');
  // The plugin entry's exclude and include, as Nx applies them to the files it gives the plugin.
  const options = { cwd: workspaceRoot, ignore: [...NEVER_PROJECTS, ...(filter.exclude ?? [])], onlyFiles: true, followSymbolicLinks: false };
  let dockerfiles = await fg(DOCKERFILE_GLOB, options);
  if (filter.include?.length) {
    const included = new Set(await fg(filter.include, options));
    dockerfiles = dockerfiles.filter((file) => included.has(file));
  }
  return resolveImageTargets(workspaceRoot, config, imageTargetCandidates(workspaceRoot, dockerfiles.sort()));
}

import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { IMAGE_EXECUTOR } from '../names';
import { DOCKERFILE_GLOB, isDockerfileName, withoutShadowed } from './dockerfile-names';
import { HashdockConfig, PluginFileFilter, readHashdockConfig, readHashdockFileFilter } from './hashdock-config';
import { ImageTarget, ImageTargetCandidate, resolveImageTargets, workspaceRelative } from './image-targets';
import { nxReadPackageJsonRoots } from './nx-read-package-jsons';
import { DeclaredTarget, owningProjectRoot, readWorkspaceProject, WorkspaceProject } from './project-files';

/** Directories Nx never sees (git-ignored in every workspace it creates) and Hashdock's own state. */
const NEVER_PROJECTS = ['**/node_modules/**', '**/dist/**', '**/.git/**', '**/.nx/**', '**/.hashdock/**', '**/.turbo/**', '**/tmp/**'];

/**
 * Pair each Dockerfile with the project that owns it; Dockerfiles outside any project are not images.
 * `projectFiles`: the workspace's project.json and package.json files, to find the projects that
 * declare an image target and hold no Dockerfile (see declaringProjects), and for rootNameTakenBy.
 */
export function imageTargetCandidates(workspaceRoot: string, dockerfiles: readonly string[], projectFiles?: readonly string[], nxReadsPackageJson?: ReadonlySet<string>): ImageTargetCandidate[] {
  const projects = new Map<string, WorkspaceProject | undefined>();
  const candidates: ImageTargetCandidate[] = [];
  for (const dockerfile of withoutShadowed(dockerfiles)) {
    if (!isDockerfileName(posix.basename(dockerfile))) continue;
    const root = owningProjectRoot(workspaceRoot, dockerfile);
    if (root === undefined) continue;
    if (!projects.has(root)) projects.set(root, readWorkspaceProject(workspaceRoot, root, nxReadsPackageJson));
    const project = projects.get(root);
    if (project) candidates.push({ dockerfile, project });
  }
  const declaring = declaringProjects(workspaceRoot, projectFiles ?? [], new Set(projects.keys()), nxReadsPackageJson);
  const root = projects.get('.');
  // Without a root project.json, a root Dockerfile is the repository as one image, unless another project has that
  // name, or projects build it as theirs (`ARG APP_NAME`: it is no image by itself).
  const declared = new Set(declaring.flatMap((project) => Object.values(project.targets).map((target) => declaredDockerfile(workspaceRoot, project, target))));
  const notRoot = root && !existsSync(join(workspaceRoot, 'project.json')) && (rootNameTakenBy(workspaceRoot, root.name, projectFiles) || candidates.some((c) => c.project.root === '.' && declared.has(c.dockerfile!)));
  const owned = notRoot ? candidates.filter((candidate) => candidate.project.root !== '.') : candidates;
  return [...owned, ...declaring.map((project) => ({ project }))];
}

/** The workspace path of the Dockerfile a declared image target names (its `dockerfile` option), if any. */
function declaredDockerfile(workspaceRoot: string, project: WorkspaceProject, target: DeclaredTarget): string | undefined {
  const option = target.executor === IMAGE_EXECUTOR ? target.options?.dockerfile : undefined;
  if (typeof option !== 'string' || !option) return undefined;
  return workspaceRelative(workspaceRoot, option, project);
}

/**
 * Projects that declare a target with the image executor and hold no Dockerfile: the apps that build
 * one Dockerfile kept elsewhere (`docker/rust.Dockerfile`, told apart by an `APP_NAME` build arg),
 * each naming it in its target's `dockerfile` option. `known`: roots already read (they hold one).
 * A project file is parsed only when its text names the executor. The root counts with its own project.json,
 * or with a package.json whose "nx" key declares such a target (Nx then makes it a project): teable's images,
 * built from dockers/teable/, belong to the repository as a whole.
 */
function declaringProjects(workspaceRoot: string, projectFiles: readonly string[], known: ReadonlySet<string>, nxReadsPackageJson?: ReadonlySet<string>): WorkspaceProject[] {
  const roots = new Set<string>();
  for (const file of projectFiles) {
    const path = file.split('\\').join('/');
    const root = posix.dirname(path);
    if (known.has(root) || roots.has(root)) continue;
    let text: string;
    try {
      text = readFileSync(join(workspaceRoot, path), 'utf8');
    } catch {
      continue;
    }
    if (text.includes(IMAGE_EXECUTOR)) roots.add(root);
  }
  return [...roots]
    .sort()
    .map((root) => readWorkspaceProject(workspaceRoot, root, nxReadsPackageJson))
    .filter((project): project is WorkspaceProject => project !== undefined && Object.values(project.targets).some((target) => target.executor === IMAGE_EXECUTOR));
}

/**
 * The project that already has the name a root project would take from the root package.json (a
 * repository `triplo` whose app `apps/triplo` is named `triplo` too), when the root has no
 * project.json: Nx refuses two projects of one name, so the root Dockerfile gets no target then
 * (`nx add` says why). Undefined when the root has its own project.json, or the name is free.
 */
export function rootNameTakenBy(workspaceRoot: string, name: string, projectFiles: readonly string[] | undefined): string | undefined {
  if (existsSync(join(workspaceRoot, 'project.json')) || !projectFiles) return undefined;
  const roots = new Set(projectFiles.map((file) => posix.dirname(file.split('\\').join('/'))).filter((dir) => dir !== '.' && dir !== ''));
  return [...roots].sort().find((dir) => readWorkspaceProject(workspaceRoot, dir)?.name === name);
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
  // `dot`: Nx's glob matches files in dot-folders too (`.deploy/api/Dockerfile`).
  const options = { cwd: workspaceRoot, ignore: [...NEVER_PROJECTS, ...(filter.exclude ?? [])], onlyFiles: true, followSymbolicLinks: false, dot: true };
  // A Dockerfile that is a symlink (`apps/web/Dockerfile → ../../docker/node.Dockerfile`) is one too, as Nx lists it:
  // every entry but directories.
  const entries = { ...options, onlyFiles: false, markDirectories: true };
  const files = async (patterns: string | string[]) => (await fg(patterns, entries)).filter((path) => !path.endsWith('/'));
  let dockerfiles = await files(DOCKERFILE_GLOB);
  if (filter.include?.length) {
    const included = new Set(await files(filter.include));
    dockerfiles = dockerfiles.filter((file) => included.has(file));
  }
  // Nx runs the plugin even when no Dockerfile gets through (with none): a target a project declares is still found.
  const projectFiles = await fg(['**/project.json', '**/package.json'], { ...options, ignore: NEVER_PROJECTS });
  return resolveImageTargets(workspaceRoot, config, imageTargetCandidates(workspaceRoot, dockerfiles.sort(), projectFiles, await nxReadPackageJsonRoots(workspaceRoot)));
}

import { posix } from 'node:path';
import { cachedInference } from './inference-cache';
import { nxProjectFiles } from './nx-project-files';
// Types only: the plugin loads nothing from @nx/devkit at run time.
import type { CreateNodesResult, CreateNodesV2, PostTasksExecution, TargetConfiguration } from '@nx/devkit';
import { DEFAULT_MANIFEST_DIR, DEFAULT_TARGET_NAME, DOCKERFILE_GLOB, IMAGE_EXECUTOR } from '@hashdock/core/names';
import type { HashdockOptions, ImageTarget, ProjectTrees, SourceReads } from '@hashdock/core/workspace';

/** The inference code, loaded only when the cached targets cannot answer (a plugin worker starts on every graph). */
const inference = () => import('@hashdock/core/workspace');
export { DOCKERFILE_GLOB };

async function renderTarget(workspaceRoot: string, target: ImageTarget, trees: ProjectTrees | undefined, hashIgnoredSources: boolean, reads: SourceReads): Promise<TargetConfiguration> {
  const { imageTargetInputs, imageTargetOptions, imageTargetOutputs, inferredInputsBasis, INPUTS_BASIS_METADATA } = await inference();
  const configuration = target.defaultConfiguration;
  const repository = `${target.inferred.namespace}/${target.name}`;
  return {
    executor: IMAGE_EXECUTOR,
    cache: true,
    dependsOn: target.dependsOn,
    inputs: await imageTargetInputs(workspaceRoot, target, trees, { hashIgnoredSources, reads }),
    outputs: imageTargetOutputs(target),
    options: imageTargetOptions(target),
    ...(configuration ? { defaultConfiguration: configuration } : {}),
    configurations: {
      ci: { push: true },
      local: { push: false },
      // Nx runs dependencies with the dependent's configuration: this one selects `build:<configuration>`.
      ...(configuration ? { [configuration]: {} } : {}),
    },
    metadata: {
      description: `Build ${repository} from ${target.dockerfile} (context ${target.context}), tag it by content hash and push it, or reuse the registry's copy`,
      technologies: ['docker'],
      // What the inputs were inferred from: the executor refuses to run with other values (see checkInputsBasis).
      [INPUTS_BASIS_METADATA]: inferredInputsBasis(target),
      help: {
        command: `nx run ${target.project}:${target.targetName} --help`,
        example: { options: { dryRun: true } },
      },
    },
  };
}

/**
 * Infers an image target for every Dockerfile a project owns (`Dockerfile`,
 * `Dockerfile.*`, `*.Dockerfile`, in any folder of the project), and for every
 * target a project declares with the image executor (another stage, or a
 * Dockerfile it shares with other projects), through the core's one model of
 * image targets.
 */
export const createNodesV2: CreateNodesV2<HashdockOptions> = [
  DOCKERFILE_GLOB,
  async (dockerfiles, rawOptions, context) => {
    // The host's architecture is part of what is inferred (the default platform, see imageTargetOptions).
    return cachedInference(context.workspaceRoot, { rawOptions, dockerfiles, arch: process.arch }, async (reads) => {
      const { imageTargetCandidates, imagesRunByName, normalizeHashdockOptions, nxReadPackageJsonRoots, ProjectTrees, resolveImageTargets } = await inference();
      const config = normalizeHashdockOptions(rawOptions);
      const projectFiles = await nxProjectFiles(context.workspaceRoot);
      const candidates = imageTargetCandidates(context.workspaceRoot, dockerfiles, projectFiles, await nxReadPackageJsonRoots(context.workspaceRoot));
      const targets = resolveImageTargets(context.workspaceRoot, config, candidates);
      const trees = projectFiles && new ProjectTrees(projectFiles);
      const results = new Map<string, NonNullable<CreateNodesResult['projects']>>();
      // Keyed by Dockerfile: a target the project declares shares its Dockerfile's entry with the inferred one, and
      // the projects that build one Dockerfile they do not hold (declared targets) share that Dockerfile's entry.
      for (const target of targets) {
        const rendered = await renderTarget(context.workspaceRoot, target, trees, config.hashIgnoredSources, reads);
        const projects = results.get(target.source) ?? {};
        const known = projects[target.projectRoot];
        // Image → base edges of the project graph (nx affected: a base's change reaches the images built FROM it).
        const bases = new Set([...(known?.implicitDependencies ?? []), ...target.bases.map((base) => base.project).filter((base) => base !== target.project)]);
        projects[target.projectRoot] = {
          name: target.project,
          targets: { ...known?.targets, [target.targetName]: rendered },
          ...(bases.size ? { implicitDependencies: [...bases] } : {}),
        };
        results.set(target.source, projects);
      }
      // A project whose Dockerfiles are all variants (`Dockerfile.bun`, `Dockerfile.pnpm`) has no target of the plain
      // name: `nx affected -t image` would pass it by. One that runs its images but the development ones (nx:noop after
      // them), as `hashdock image` does, under the entry of the first it runs.
      const byProject = new Map<string, typeof targets>();
      for (const target of targets) {
        const own = byProject.get(target.projectRoot);
        if (own) own.push(target);
        else byProject.set(target.projectRoot, [target]);
      }
      for (const [projectRoot, own] of byProject) {
        if (own.length < 2 || own.some((target) => target.targetName === config.targetName)) continue;
        const names = imagesRunByName(own.map((target) => target.targetName), config.targetName);
        if (names.length === 0) continue;
        const entry = results.get(own.find((target) => target.targetName === names[0])!.source)![projectRoot];
        const development = own.map((target) => target.targetName).filter((name) => !names.includes(name)).sort();
        entry.targets = {
          ...entry.targets,
          [config.targetName]: {
            executor: 'nx:noop',
            dependsOn: names,
            metadata: {
              description:
                `Every image of ${own[0].project} (${names.join(', ')}): it has no Dockerfile of the plain name` +
                (development.length ? `; ${development.join(', ')} (development) by ${development.length > 1 ? 'their' : 'its'} own name only` : ''),
              technologies: ['docker'],
            },
          },
        };
      }
      // Nx reads the file of an entry only as where its targets came from: one Nx did not list (a declared
      // Dockerfile of another name or outside the plugin's include) still gets its own.
      const listed = new Set(dockerfiles);
      const files = [...dockerfiles, ...[...results.keys()].filter((file) => !listed.has(file))];
      return files.map((file) => [file, results.has(file) ? { projects: results.get(file) } : {}] as [string, CreateNodesResult]);
    });
  },
];

export const createNodes = createNodesV2;

/** After a run with image tasks: dist/images/report.md (and the GitHub step summary). */
export const postTasksExecution: PostTasksExecution<HashdockOptions> = async (rawOptions, context) => {
  // Options were checked when the graph was made; the hook needs two of them, with their defaults.
  const targetName = rawOptions?.targetName ?? DEFAULT_TARGET_NAME;
  const isImageTask = (id: string) => {
    const target = id.split(':')[1] ?? '';
    return target === targetName || target.startsWith(`${targetName}-`);
  };
  const imageTasks = Object.entries(context.taskResults).filter(([id]) => isImageTask(id));
  if (imageTasks.length === 0) return;
  const cached = new Set(
    imageTasks.filter(([, result]) => ['local-cache', 'remote-cache', 'local-cache-kept-existing'].includes(result.status)).map(([id]) => id.split(':')[0]),
  );
  const { writeRunReport } = await import('@hashdock/core/report');
  const path = await writeRunReport(posix.join(context.workspaceRoot, rawOptions?.manifestDir ?? DEFAULT_MANIFEST_DIR), cached);
  if (path) console.log(`hashdock report: ${path}`);
};

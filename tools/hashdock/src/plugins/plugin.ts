import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CreateDependencies,
  CreateNodes,
  createNodesFromFiles,
  DependencyType,
  PostTasksExecution,
  RawProjectGraphDependency,
  TargetConfiguration,
} from '@nx/devkit';
import {
  BUILD_ARG_ENV_PREFIX,
  declaredArgNames,
  findWorkspaceBaseImages,
  HashdockConfig,
  HashdockOptions,
  IMAGE_ENV_INPUTS,
  imageTargetOptions,
  normalizeHashdockOptions,
  findIgnoreFile,
  IgnorePattern,
  readIgnorePatterns,
  readProjectIdentity,
  templatesUse,
  writeRunReport,
} from '@hashdock/core';
import { contextInputs } from './dockerignore-inputs';

export const DOCKERFILE_GLOB = '**/Dockerfile';

/** The ignore patterns Docker will apply, or undefined when the file is invalid (the build reports it). */
async function readIgnore(workspaceRoot: string, root: string): Promise<IgnorePattern[] | undefined> {
  const dir = join(workspaceRoot, root);
  try {
    return await readIgnorePatterns(await findIgnoreFile(dir, join(dir, 'Dockerfile')));
  } catch {
    return undefined;
  }
}

async function imageTarget(workspaceRoot: string, root: string, projectName: string, options: HashdockConfig, hasBuildTarget: boolean): Promise<TargetConfiguration> {
  const dockerfileText = readFileSync(join(workspaceRoot, root, 'Dockerfile'), 'utf8');
  const inputs: TargetConfiguration['inputs'] = [
    ...contextInputs('{projectRoot}', await readIgnore(workspaceRoot, root)),
    '{projectRoot}/Dockerfile',
    // The build output in the context and the base images' manifests (their content hashes).
    { dependentTasksOutputFiles: '**/*' },
    ...IMAGE_ENV_INPUTS.map((env) => ({ env })),
    // Any build arg the Dockerfile declares can be overridden from the environment.
    ...[...declaredArgNames(dockerfileText)].sort().map((name) => ({ env: `${BUILD_ARG_ENV_PREFIX}${name}` })),
  ];
  if (templatesUse(options.tags, 'gitSha')) inputs.push({ runtime: 'git rev-parse --short=12 HEAD' });
  const manifest = `{workspaceRoot}/${options.manifestDir}/${projectName}.json`;
  const report = `{workspaceRoot}/${options.manifestDir}/.reports/${projectName}.json`;
  return {
    executor: '@hashdock/nx-plugin:image',
    cache: true,
    dependsOn: [...(hasBuildTarget ? [options.buildTargetName] : []), `^${options.targetName}`],
    inputs,
    outputs: [manifest, report],
    options: imageTargetOptions(options, dockerfileText),
    configurations: {
      ci: { push: true },
      local: { push: false },
    },
    metadata: {
      description: `Build ${options.namespace}/${projectName} tagged by content hash, push it, or reuse the registry's copy`,
      technologies: ['docker'],
      help: {
        command: 'nx run <project>:image --help',
        example: { options: { dryRun: true } },
      },
    },
  };
}

/** Infers an `image` target for every project whose root holds a Dockerfile. */
export const createNodes: CreateNodes<HashdockOptions> = [
  DOCKERFILE_GLOB,
  (dockerfiles, rawOptions, context) => {
    const options = normalizeHashdockOptions(rawOptions);
    return createNodesFromFiles(
      async (dockerfile, _options, ctx) => {
        const root = dirname(dockerfile);
        const project = readProjectIdentity(ctx.workspaceRoot, root);
        if (!project) return {};
        const hasBuild = options.buildTargetName in project.targets;
        return {
          projects: {
            [root]: { targets: { [options.targetName]: await imageTarget(ctx.workspaceRoot, root, project.name, options, hasBuild) } },
          },
        };
      },
      dockerfiles,
      options,
      context,
    );
  },
];

export const createNodesV2 = createNodes;

/** Image → image edges: a Dockerfile FROM (or ARG default) naming `<namespace>/<project>`. */
export const createDependencies: CreateDependencies<HashdockOptions> = (rawOptions, context) => {
  const options = normalizeHashdockOptions(rawOptions);
  const withDockerfile = Object.entries(context.projects).filter(([, project]) =>
    existsSync(join(context.workspaceRoot, project.root, 'Dockerfile')),
  );
  const images = Object.fromEntries(withDockerfile.map(([name]) => [`${options.namespace}/${name}`, name]));
  const dependencies: RawProjectGraphDependency[] = [];
  for (const [name, project] of withDockerfile) {
    const sourceFile = join(project.root, 'Dockerfile');
    const text = readFileSync(join(context.workspaceRoot, sourceFile), 'utf8');
    for (const base of findWorkspaceBaseImages(text, images)) {
      if (base.project === name) continue;
      dependencies.push({ source: name, target: base.project, type: DependencyType.static, sourceFile });
    }
  }
  return dependencies;
};

/** After a run with image tasks: dist/images/report.md (and the GitHub step summary). */
export const postTasksExecution: PostTasksExecution<HashdockOptions> = async (rawOptions, context) => {
  const options = normalizeHashdockOptions(rawOptions);
  const imageTasks = Object.entries(context.taskResults).filter(([id]) => id.split(':')[1] === options.targetName);
  if (imageTasks.length === 0) return;
  const cached = new Set(imageTasks.filter(([, result]) => result.status === 'local-cache' || result.status === 'remote-cache' || result.status === 'local-cache-kept-existing').map(([id]) => id.split(':')[0]));
  const path = await writeRunReport(join(context.workspaceRoot, options.manifestDir), cached);
  if (path) console.log(`hashdock report: ${path}`);
};

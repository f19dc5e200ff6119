import { posix } from 'node:path';
import { getOutputsForTargetAndConfiguration, getProjects, ProjectConfiguration, Tree } from '@nx/devkit';
import { contextScopeOf } from '@hashdock/core';
import { DockerfileContext } from './context-evidence';
import { buildFolderOf } from './build-folder';

/**
 * The Dockerfiles that copy a path their context does not have while their project's build target
 * writes only outside that context: Nx's own `nx g @nx/node:app --docker`, in a workspace without
 * TypeScript project references, writes `COPY dist .` in `apps/api` (built from there, as @nx/docker
 * builds it) for a build to `dist/apps/api`, an image that cannot build. One line each, naming what
 * the build writes and both ways out. `chosen`: the Dockerfiles the workspace's builds said a context
 * for; the others build with the `policy` (none for a path template, not judged here). `buildTarget`:
 * the plugin's (`build` by default; none when it is off).
 */
export function buildOutputsElsewhere(
  tree: Tree,
  dockerfiles: readonly string[],
  chosen: readonly DockerfileContext[],
  policy: 'workspace' | 'project' | undefined,
  buildTarget: string | undefined,
): string[] {
  if (buildTarget === undefined) return [];
  const projects = new Map([...getProjects(tree)].map(([name, project]) => [project.root, { name, project }]));
  const lines: string[] = [];
  for (const dockerfile of dockerfiles) {
    const { root, context } = buildFolderOf(tree, dockerfile, chosen, policy);
    const owner = root === undefined ? undefined : projects.get(root);
    const target = owner?.project.targets?.[buildTarget];
    if (root === undefined || context === undefined || !owner || !target) continue;
    // As Nx resolves them ({options.outputPath} → dist/apps/api), as the executor's hint does (see dependencyOutputs).
    const outputs = nxOutputs(owner.name, root, buildTarget, owner.project);
    if (outputs === undefined || outputs.length === 0 || outputs.some((output) => /[{}]/.test(output) || within(context, output))) continue;
    const scope = contextScopeOf(tree.read(dockerfile, 'utf8') ?? '');
    if (scope.kind !== 'sources') continue;
    const missing = scope.sources.find(({ path, wildcard }) => !wildcard && path !== '.' && !tree.exists(posix.join(context, path)));
    if (!missing) continue;
    lines.push(
      `${dockerfile} copies ${missing.path} from ${context === '.' ? 'the workspace root' : context}, but ${owner.name}:${buildTarget} writes ${outputs.join(', ')}, outside it ` +
        `(build from the workspace root and copy that path, or have the build write ${posix.join(context, missing.path)})`,
    );
  }
  return lines;
}

/** The target's outputs as Nx resolves them; undefined when Nx cannot. */
function nxOutputs(name: string, root: string, target: string, project: ProjectConfiguration): string[] | undefined {
  try {
    return getOutputsForTargetAndConfiguration({ project: name, target }, {}, { name, type: 'app', data: { ...project, root } });
  } catch {
    return undefined;
  }
}

function within(context: string, path: string): boolean {
  return context === '.' || path === context || path.startsWith(`${context}/`);
}

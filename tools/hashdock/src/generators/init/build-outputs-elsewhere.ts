import { posix } from 'node:path';
import { getProjects, Tree } from '@nx/devkit';
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
    const outputs = (target.outputs ?? []).map((output) => resolvedOutput(output, root, owner.name, (target.options ?? {}) as Record<string, unknown>));
    if (outputs.length === 0 || outputs.some((output) => output === undefined || within(context, output))) continue;
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

/** A target output as a workspace path, its tokens replaced as Nx replaces them; undefined when one is left. */
function resolvedOutput(output: string, root: string, name: string, options: Record<string, unknown>): string | undefined {
  const resolved = output
    .replace(/\{options\.([A-Za-z0-9_]+)\}/g, (token, key: string) => (typeof options[key] === 'string' ? (options[key] as string) : token))
    .replace(/^\{workspaceRoot\}\/?/, '')
    .replace(/\{projectRoot\}/g, root)
    .replace(/\{projectName\}/g, name);
  return /[{}]/.test(resolved) ? undefined : posix.normalize(resolved);
}

function within(context: string, path: string): boolean {
  return context === '.' || path === context || path.startsWith(`${context}/`);
}

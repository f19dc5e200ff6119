import type { ProjectGraph } from '@nx/devkit';
import type { WorkspaceProjectGraph } from '@hashdock/core';

/**
 * Nx's project graph as pruneContext reads it: each workspace project's root, and the workspace projects it
 * depends on (package.json dependencies, imports Nx found, implicitDependencies); npm packages left out.
 * Undefined outside Nx's runner (no graph).
 */
export function workspaceGraph(projectGraph: ProjectGraph | undefined): WorkspaceProjectGraph | undefined {
  if (!projectGraph) return undefined;
  const roots = Object.fromEntries(Object.entries(projectGraph.nodes).map(([name, node]) => [name, node.data.root]));
  const dependencies = Object.fromEntries(
    Object.entries(projectGraph.dependencies).map(([name, edges]) => [name, edges.map((edge) => edge.target).filter((target) => roots[target] !== undefined)]),
  );
  return { roots, dependencies };
}

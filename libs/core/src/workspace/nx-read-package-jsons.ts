import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import { packageManifests, workspacePackageGlobs } from './package-graph';
import { readJsoncFile } from './read-jsonc-file';

/**
 * The folders whose package.json Nx reads as a project's configuration (its `nx` key, its scripts as targets), as
 * Nx's own package.json plugin decides: the package manager's workspace packages (package.json `workspaces`,
 * pnpm-workspace.yaml's `packages`, lerna.json's `packages`, `!` exclusions applied), and the root when its
 * package.json has an `nx` key. A package.json beside a project.json is read too (the caller checks). Any other is
 * not a project file to Nx: makeplane/plane's `apps/api` (pnpm-workspace.yaml `!apps/api`) is a project only because
 * its Dockerfile is, and options written in its package.json would never reach the target Nx runs.
 */
export async function nxReadPackageJsonRoots(workspaceRoot: string): Promise<Set<string>> {
  const globs = workspacePackageGlobs(workspaceRoot, 'nx');
  if (existsSync(join(workspaceRoot, 'lerna.json'))) {
    const packages = readJsoncFile<{ packages?: unknown }>(join(workspaceRoot, 'lerna.json'))?.packages;
    globs.push(...(Array.isArray(packages) && packages.length ? packages.filter((glob): glob is string => typeof glob === 'string') : ['packages/*']));
  }
  const roots = new Set<string>();
  if (readJsoncFile<{ nx?: unknown }>(join(workspaceRoot, 'package.json'))?.nx !== undefined) roots.add('.');
  for (const file of await packageManifests(workspaceRoot, globs)) roots.add(posix.dirname(file));
  return roots;
}

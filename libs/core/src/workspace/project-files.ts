import { existsSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { readJsoncFile } from './read-jsonc-file';

/** A target as project.json (or package.json's `nx` key) declares it; only what Hashdock reads. */
export interface DeclaredTarget {
  executor?: string;
  options?: Record<string, unknown>;
  dependsOn?: unknown[];
}

/** A project as its own files declare it: name, root and the targets they list. */
export interface WorkspaceProject {
  name: string;
  /** Workspace-relative, slash-separated; `.` for the root project. */
  root: string;
  targets: Record<string, DeclaredTarget>;
}

interface ProjectJson {
  name?: string;
  targets?: Record<string, DeclaredTarget>;
}

interface PackageJson {
  name?: string;
  scripts?: Record<string, string>;
  nx?: { name?: string; targets?: Record<string, DeclaredTarget> };
}

/**
 * The project whose root is `root`, read as Nx reads it (JSONC): project.json
 * over package.json (`nx` key and scripts). Undefined when neither exists.
 */
export function readWorkspaceProject(workspaceRoot: string, root: string): WorkspaceProject | undefined {
  const projectJson = readJsoncFile<ProjectJson>(join(workspaceRoot, root, 'project.json'));
  const packageJson = readJsoncFile<PackageJson>(join(workspaceRoot, root, 'package.json'));
  if (!projectJson && !packageJson) return undefined;
  const name = projectJson?.name ?? packageJson?.nx?.name ?? packageJson?.name ?? basename(root === '.' ? workspaceRoot : root);
  const scripts = Object.fromEntries(Object.keys(packageJson?.scripts ?? {}).map((script) => [script, {}]));
  return { name, root, targets: { ...scripts, ...(packageJson?.nx?.targets ?? {}), ...(projectJson?.targets ?? {}) } };
}

/**
 * The root of the project that owns a workspace file: the nearest directory at
 * or above it with a project.json or package.json. The workspace root counts
 * with a project.json, or for a file directly in it (a Dockerfile at the root
 * builds the repository: the root is its project, named by its package.json, as
 * `@nx/docker` names it); a file deeper down, in folders no project owns, has
 * no project (an example or a fixture, not an image the workspace ships).
 * `exists`: whether a workspace-relative path exists (a generator's tree).
 */
export function owningProjectRoot(workspaceRoot: string, file: string, exists: (path: string) => boolean = (path) => existsSync(join(workspaceRoot, path))): string | undefined {
  const start = posix.dirname(file.split('\\').join('/'));
  let dir = start;
  for (;;) {
    if (dir === '.' || dir === '') return exists('project.json') || start === '.' || start === '' ? '.' : undefined;
    if (exists(`${dir}/project.json`) || exists(`${dir}/package.json`)) return dir;
    dir = dirname(dir);
  }
}

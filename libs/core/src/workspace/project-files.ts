import { existsSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
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
 * `nxReadsPackageJson`: the folders whose package.json Nx reads (nxReadPackageJsonRoots); elsewhere, with no
 * project.json beside it, a package.json only names the project (Nx never sees its `nx` key or scripts).
 */
export function readWorkspaceProject(workspaceRoot: string, root: string, nxReadsPackageJson?: ReadonlySet<string>): WorkspaceProject | undefined {
  const projectJson = readJsoncFile<ProjectJson>(join(workspaceRoot, root, 'project.json'));
  const packageJson = readJsoncFile<PackageJson>(join(workspaceRoot, root, 'package.json'));
  if (!projectJson && !packageJson) return undefined;
  const read = projectJson !== undefined || !nxReadsPackageJson || nxReadsPackageJson.has(root) ? packageJson : undefined;
  const name = projectJson?.name ?? read?.nx?.name ?? packageJson?.name ?? basename(root === '.' ? workspaceRoot : root);
  const scripts = Object.fromEntries(Object.keys(read?.scripts ?? {}).map((script) => [script, {}]));
  return { name, root, targets: { ...scripts, ...(read?.nx?.targets ?? {}), ...(projectJson?.targets ?? {}) } };
}

/**
 * The root of the project that owns a workspace file: the nearest directory at
 * or above it with a project.json or package.json, else the workspace root when
 * `rootOwns` says so. `exists`: whether a workspace-relative path exists (a
 * generator's tree, or the disk).
 */
export function owningProjectRoot(workspaceRoot: string, file: string, exists: (path: string) => boolean = (path) => existsSync(join(workspaceRoot, path))): string | undefined {
  const path = file.split('\\').join('/');
  let dir = posix.dirname(path);
  for (;;) {
    if (dir === '.' || dir === '') return rootOwns(path, exists) ? '.' : undefined;
    if (exists(`${dir}/project.json`) || exists(`${dir}/package.json`)) return dir;
    dir = posix.dirname(dir);
  }
}

/**
 * Whether a file no other project owns is the root project's. Never a development-environment or CI
 * tool's (`.devcontainer/`, `.github/`, `.gitpod.dockerfile`: see isToolingPath). With a root
 * project.json, every other one (`.deploy/api/Dockerfile` in ever-gauzy). Without it (the root
 * package.json describes the workspace), only a `Dockerfile` or `Containerfile` directly in the root:
 * the repository shipped as one image, named by that package.json, as `@nx/docker` infers it; other
 * files in folders no project owns are examples or fixtures.
 */
function rootOwns(path: string, exists: (path: string) => boolean): boolean {
  if (isToolingPath(path)) return false;
  if (exists('project.json')) return true;
  return isRootImageFile(path);
}

/** A `Dockerfile` or `Containerfile` (or a lowercase `dockerfile`) directly in the workspace root: the root project's image even without a root project.json. */
export function isRootImageFile(path: string): boolean {
  return path === 'Dockerfile' || path === 'Containerfile' || path === 'dockerfile';
}

/** Folders of development-environment, editor and CI tools (Cursor's background agents': `.cursor/Dockerfile`, langfuse's): a Dockerfile there builds their environment, not an image the workspace ships. */
const TOOLING_FOLDERS = /(^|\/)\.(devcontainer|github|gitlab|circleci|vscode|idea|cursor|codesandbox|coder)\//;

/** Whether a workspace-relative path is a tool's own Dockerfile: in a TOOLING_FOLDERS folder, or Gitpod's `.gitpod.dockerfile`. */
export function isToolingPath(path: string): boolean {
  return TOOLING_FOLDERS.test(path) || /^\.gitpod\.(dockerfile|Dockerfile)$/.test(posix.basename(path));
}

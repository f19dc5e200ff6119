import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface ProjectIdentity {
  name: string;
  root: string;
  targets: Record<string, unknown>;
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The project a directory holds (project.json or package.json): name and declared targets/scripts. */
export function readProjectIdentity(workspaceRoot: string, root: string): ProjectIdentity | undefined {
  const projectJson = readJson(join(workspaceRoot, root, 'project.json'));
  const packageJson = readJson(join(workspaceRoot, root, 'package.json'));
  if (!projectJson && !packageJson) return undefined;
  const name = (projectJson?.name ?? packageJson?.name ?? basename(root)) as string;
  const scripts = (packageJson?.scripts ?? {}) as Record<string, unknown>;
  return { name, root, targets: { ...scripts, ...((projectJson?.targets ?? {}) as Record<string, unknown>) } };
}

const SKIP = new Set(['node_modules', 'dist', '.git', '.nx', '.hashdock', '.turbo', 'tmp']);

/**
 * Projects with a Dockerfile at their root, found without Nx (infra's
 * integrated mode and the turbo path). The Nx plugin infers the same set.
 */
export function discoverImageProjects(workspaceRoot: string): ProjectIdentity[] {
  const found: ProjectIdentity[] = [];
  const walk = (relative: string, depth: number) => {
    if (depth > 4) return;
    const absolute = relative ? join(workspaceRoot, relative) : workspaceRoot;
    if (relative && existsSync(join(absolute, 'Dockerfile'))) {
      const project = readProjectIdentity(workspaceRoot, relative);
      if (project) found.push(project);
    }
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (entry.isDirectory() && !SKIP.has(entry.name) && !entry.name.startsWith('.')) walk(relative ? `${relative}/${entry.name}` : entry.name, depth + 1);
    }
  };
  walk('', 0);
  return found.sort((a, b) => (a.name < b.name ? -1 : 1));
}

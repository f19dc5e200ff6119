import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsoncFile } from './read-jsonc-file';
import type { WorkspaceProjectGraph } from '../image/prune-context';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

interface PackageJson {
  name?: unknown;
  workspaces?: unknown;
  dependencies?: unknown;
  devDependencies?: unknown;
  peerDependencies?: unknown;
  optionalDependencies?: unknown;
}

/** The workspace package globs of the workspace at `workspaceRoot` (see workspacePackageGlobsIn). */
export function workspacePackageGlobs(workspaceRoot: string, rule: WorkspaceGlobRule = 'package-manager'): string[] {
  const pnpm = join(workspaceRoot, 'pnpm-workspace.yaml');
  return workspacePackageGlobsIn(readJsoncFile<PackageJson>(join(workspaceRoot, 'package.json')), existsSync(pnpm) ? readFileSync(pnpm, 'utf8') : undefined, rule);
}

/**
 * Whose reading of the workspace globs: the package manager's (pnpm reads only pnpm-workspace.yaml; npm, yarn and bun
 * package.json `workspaces`), as turbo and an install see the packages; or Nx's, which takes both, as Nx does when it
 * decides which package.json files are projects (trigger.dev's root package.json keeps a `workspaces` list from before
 * pnpm, which pnpm ignores and Nx adds).
 */
export type WorkspaceGlobRule = 'package-manager' | 'nx';

/**
 * The workspace package globs, `!` exclusions included, from the root package.json and pnpm-workspace.yaml (read from
 * the disk, or a generator's tree): by the package manager's rule (see WorkspaceGlobRule) pnpm-workspace.yaml's
 * `packages` where it lists any, else package.json `workspaces` (npm, yarn, bun: a list or `{ packages }`); by Nx's, both.
 */
export function workspacePackageGlobsIn(manifest: { workspaces?: unknown } | undefined, pnpm: string | undefined, rule: WorkspaceGlobRule = 'package-manager'): string[] {
  const workspaces = manifest?.workspaces;
  const listed = Array.isArray(workspaces) ? workspaces : (workspaces as { packages?: unknown } | undefined)?.packages;
  const declared = Array.isArray(listed) ? listed.filter((glob): glob is string => typeof glob === 'string') : [];
  const pnpmGlobs = pnpmPackageGlobs(pnpm);
  if (rule === 'nx') return [...declared, ...pnpmGlobs];
  return pnpmGlobs.length ? pnpmGlobs : declared;
}

/** pnpm-workspace.yaml's `packages` list (none for no file). */
function pnpmPackageGlobs(pnpm: string | undefined): string[] {
  if (pnpm === undefined) return [];
  const unquoted = (item: string) => /^(['"]?)(.*?)\1$/.exec(item.trim())?.[2] ?? '';
  // The `packages:` block's list items (pnpm's file holds little else that is a list at that level), indented or not
  // (`packages:\n- apps/*`, as makeplane/plane writes it), or its flow form (`packages: ['apps/*', 'libs/*']`).
  const globs: string[] = [];
  let inPackages = false;
  for (const raw of pnpm.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    const flow = /^packages\s*:\s*\[(.*)\]\s*$/.exec(line);
    if (flow) globs.push(...flow[1].split(',').map(unquoted).filter(Boolean));
    if (/^[^\s-]/.test(line)) inPackages = /^packages\s*:\s*$/.test(line);
    const item = inPackages ? /^\s*-\s*(.*)$/.exec(line) : null;
    if (item && unquoted(item[1])) globs.push(unquoted(item[1]));
  }
  return globs;
}

/** The package.json patterns of workspace package globs: those included, and those the `!` globs exclude. */
export function packageManifestPatterns(globs: readonly string[]): { included: string[]; excluded: string[] } {
  const manifests = (patterns: string[]) => patterns.map((glob) => `${glob.replace(/^\.\//, '').replace(/\/+$/, '')}/package.json`);
  return { included: manifests(globs.filter((glob) => !glob.startsWith('!'))), excluded: manifests(globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1))) };
}

/** The package.json files (workspace paths) the workspace package globs hold, `!` exclusions applied. */
export async function packageManifests(workspaceRoot: string, globs: readonly string[]): Promise<string[]> {
  const { included, excluded } = packageManifestPatterns(globs);
  if (included.length === 0) return [];
  const { default: fg } = await import('fast-glob');
  return fg(included, { cwd: workspaceRoot, ignore: ['**/node_modules/**', ...excluded], onlyFiles: true });
}

/**
 * The package graph a turbo run sees: each workspace package (by its package.json name) with its folder, and
 * the workspace packages its package.json depends on. What pruneContext reads outside Nx.
 */
export async function packageGraph(workspaceRoot: string): Promise<WorkspaceProjectGraph> {
  const files = await packageManifests(workspaceRoot, workspacePackageGlobs(workspaceRoot));
  const packages = new Map<string, { root: string; json: PackageJson }>();
  for (const file of files.sort()) {
    const json = readJsoncFile<PackageJson>(join(workspaceRoot, file));
    if (json && typeof json.name === 'string' && !packages.has(json.name)) packages.set(json.name, { root: file.slice(0, -'/package.json'.length) || '.', json });
  }
  const roots = Object.fromEntries([...packages].map(([name, { root }]) => [name, root]));
  const dependencies = Object.fromEntries(
    [...packages].map(([name, { json }]) => [
      name,
      [...new Set(DEPENDENCY_FIELDS.flatMap((field) => Object.keys((json[field] ?? {}) as Record<string, unknown>)))].filter((dependency) => packages.has(dependency) && dependency !== name),
    ]),
  );
  return { roots, dependencies };
}

import { posix } from 'node:path';
import { globAsync, readJson, Tree } from '@nx/devkit';
import { packageManifestPatterns, workspacePackageGlobsIn } from '@hashdock/core';

/** The package manager's workspace packages, read from a generator's tree. */
export interface WorkspacePackages {
  /** Their folders (`!` exclusions applied). */
  roots: Set<string>;
  /** Where they are declared, as said to the user. */
  declaredIn: string;
}

/**
 * The package manager's workspace packages (pnpm-workspace.yaml's `packages` where it lists any, else package.json
 * `workspaces`), or with `lerna: true` Nx's (both, and lerna.json's `packages`, default packages/*), as Nx reads them
 * when it decides which package.json files it reads: matched with Nx's tree-aware glob. Undefined when none are declared.
 */
export async function workspacePackages(tree: Tree, options: { lerna?: boolean } = {}): Promise<WorkspacePackages | undefined> {
  const manifest = tree.exists('package.json') ? (readJson(tree, 'package.json') as { workspaces?: unknown }) : undefined;
  const pnpm = tree.read('pnpm-workspace.yaml', 'utf8') ?? undefined;
  // lerna's too: Nx's reading (both files), else the package manager's (pnpm's file where it lists packages).
  const globs = workspacePackageGlobsIn(manifest, pnpm, options.lerna ? 'nx' : 'package-manager');
  const pnpmListed = workspacePackageGlobsIn(undefined, pnpm).length > 0;
  const declaredIn = [
    manifest?.workspaces !== undefined && (options.lerna || !pnpmListed) ? 'package.json "workspaces"' : undefined,
    pnpmListed ? 'pnpm-workspace.yaml' : undefined,
  ];
  if (options.lerna && tree.exists('lerna.json')) {
    const packages = (readJson(tree, 'lerna.json') as { packages?: unknown }).packages;
    globs.push(...(Array.isArray(packages) && packages.length ? packages.filter((glob): glob is string => typeof glob === 'string') : ['packages/*']));
    declaredIn.push('lerna.json');
  }
  if (globs.length === 0) return undefined;
  const patterns = packageManifestPatterns(globs);
  const manifests = (list: string[]) => (list.length ? globAsync(tree, list) : Promise.resolve([]));
  const included = new Set(await manifests(patterns.included));
  for (const file of await manifests(patterns.excluded)) included.delete(file);
  return { roots: new Set([...included].map((file) => posix.dirname(file))), declaredIn: declaredIn.filter(Boolean).join(' and ') };
}

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
 * The package manager's workspace packages (package.json `workspaces`, else pnpm-workspace.yaml's `packages`), with
 * `lerna: true` lerna.json's `packages` too (default packages/*), as Nx adds them when it decides which package.json
 * files it reads: matched with Nx's tree-aware glob. Undefined when none are declared.
 */
export async function workspacePackages(tree: Tree, options: { lerna?: boolean } = {}): Promise<WorkspacePackages | undefined> {
  const manifest = tree.exists('package.json') ? (readJson(tree, 'package.json') as { workspaces?: unknown }) : undefined;
  const globs = workspacePackageGlobsIn(manifest, tree.read('pnpm-workspace.yaml', 'utf8') ?? undefined);
  const declaredIn = [manifest?.workspaces !== undefined ? 'package.json "workspaces"' : tree.exists('pnpm-workspace.yaml') ? 'pnpm-workspace.yaml' : undefined];
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

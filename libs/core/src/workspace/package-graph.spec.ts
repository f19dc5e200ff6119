import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageGraph, workspacePackageGlobs } from './package-graph';

describe('packageGraph (what pruneContext reads under turbo)', () => {
  let root = '';
  const write = async (path: string, value: unknown) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), typeof value === 'string' ? value : JSON.stringify(value));
  };
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-package-graph-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reads npm/yarn workspaces: each package by name with its folder, and the workspace packages it depends on', async () => {
    await write('package.json', { name: 'root', workspaces: ['apps/*', 'libs/*', '!libs/skipped'] });
    await write('apps/api/package.json', { name: '@acme/api', dependencies: { '@acme/shared': '*', express: '^5' }, devDependencies: { '@acme/testing': '*' } });
    await write('apps/api/node_modules/@acme/shared/package.json', { name: '@acme/shared' });
    await write('libs/shared/package.json', { name: '@acme/shared', peerDependencies: { '@acme/util': '*' } });
    await write('libs/util/package.json', { name: '@acme/util' });
    await write('libs/testing/package.json', { name: '@acme/testing', optionalDependencies: { '@acme/util': '*' } });
    await write('libs/skipped/package.json', { name: '@acme/skipped' });
    expect(await packageGraph(root)).toEqual({
      roots: { '@acme/api': 'apps/api', '@acme/shared': 'libs/shared', '@acme/testing': 'libs/testing', '@acme/util': 'libs/util' },
      dependencies: { '@acme/api': ['@acme/shared', '@acme/testing'], '@acme/shared': ['@acme/util'], '@acme/testing': ['@acme/util'], '@acme/util': [] },
    });
  });

  it("reads yarn's { packages } form and pnpm-workspace.yaml's packages list", async () => {
    await write('package.json', { name: 'root', workspaces: { packages: ['packages/*'], nohoist: ['**/x'] } });
    expect(workspacePackageGlobs(root)).toEqual(['packages/*']);
    await write('package.json', { name: 'root' });
    await write('pnpm-workspace.yaml', "packages:\n  - 'apps/*'\n  - \"libs/**\" # every lib\n  - '!**/test/**'\ncatalog:\n  react: ^19\n");
    expect(workspacePackageGlobs(root)).toEqual(['apps/*', 'libs/**', '!**/test/**']);
    // Unindented items (makeplane/plane's file), and the flow form.
    await write('pnpm-workspace.yaml', 'packages:\n- apps/*\n- packages/*\n- "!apps/api"\n\ncatalog:\n  "@types/node": 22.12.0\n  react: 18.3.1\nonlyBuiltDependencies:\n- turbo\n');
    expect(workspacePackageGlobs(root)).toEqual(['apps/*', 'packages/*', '!apps/api']);
    await write('pnpm-workspace.yaml', "packages: ['apps/*', \"libs/*\"] # all\n");
    expect(workspacePackageGlobs(root)).toEqual(['apps/*', 'libs/*']);
    // A package.json "workspaces" pnpm ignores (trigger.dev's, from before pnpm): pnpm's file for the package manager, both for Nx.
    await write('package.json', { name: 'root', workspaces: ['apps/*', 'integrations/*'] });
    await write('pnpm-workspace.yaml', 'packages:\n  - apps/*\n  - internal-packages/*\n');
    expect(workspacePackageGlobs(root)).toEqual(['apps/*', 'internal-packages/*']);
    expect(workspacePackageGlobs(root, 'nx')).toEqual(['apps/*', 'integrations/*', 'apps/*', 'internal-packages/*']);
    // A pnpm-workspace.yaml of settings only lists no packages: package.json's.
    await write('pnpm-workspace.yaml', 'onlyBuiltDependencies:\n  - esbuild\n');
    expect(workspacePackageGlobs(root)).toEqual(['apps/*', 'integrations/*']);
  });

  it('is empty without workspace globs', async () => {
    await write('package.json', { name: 'solo' });
    expect(await packageGraph(root)).toEqual({ roots: {}, dependencies: {} });
  });
});

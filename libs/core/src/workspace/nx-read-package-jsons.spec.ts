import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverImageTargets } from './discover-images';
import { normalizeHashdockOptions } from './hashdock-config';
import { nxReadPackageJsonRoots } from './nx-read-package-jsons';

describe('which package.json files Nx reads as project configuration', () => {
  let root = '';
  afterEach(() => rm(root, { recursive: true, force: true }));
  const workspace = async (files: Record<string, string>) => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-nx-reads-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
  };
  const image = 'FROM scratch\nCOPY . /app\n';
  const withOptions = (name: string) => JSON.stringify({ name, nx: { targets: { image: { options: { context: 'workspace' } } } } });

  it("the package manager's workspace packages, its exclusions applied (makeplane/plane's !apps/api), and the root with an nx key", async () => {
    await workspace({
      'package.json': JSON.stringify({ name: 'plane', nx: {} }),
      'pnpm-workspace.yaml': 'packages:\n- apps/*\n- "!apps/api"\n',
      'apps/web/package.json': withOptions('web'),
      'apps/web/Dockerfile': image,
      'apps/api/package.json': withOptions('plane-api'),
      'apps/api/Dockerfile': image,
      // A project.json beside it: Nx reads both.
      'apps/api-docs/project.json': '{ "name": "api-docs" }',
      'apps/api-docs/package.json': withOptions('api-docs'),
      'apps/api-docs/Dockerfile': image,
    });
    expect([...(await nxReadPackageJsonRoots(root))].sort()).toEqual(['.', 'apps/api-docs', 'apps/web']);
    // The options Nx never sees are not the target's either: the inferred inputs follow what Nx runs.
    const contexts = Object.fromEntries((await discoverImageTargets(root, normalizeHashdockOptions({}))).map((target) => [target.project, target.options.context]));
    expect(contexts).toEqual({ web: 'workspace', 'plane-api': '{projectRoot}', 'api-docs': 'workspace' });
  });

  it("lerna.json's packages (packages/* when it names none); no workspace declared: none", async () => {
    await workspace({ 'package.json': '{ "name": "repo" }', 'lerna.json': '{ "version": "1.0.0" }', 'packages/a/package.json': '{}', 'apps/b/package.json': '{}' });
    expect([...(await nxReadPackageJsonRoots(root))]).toEqual(['packages/a']);
    await rm(join(root, 'lerna.json'));
    expect([...(await nxReadPackageJsonRoots(root))]).toEqual([]);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../../../e2e/support/environment';
import { RegistryClient } from '../registry/client';
import { hasTag } from '../registry/tag-exists';
import { findWorkspaceRoot, imageCommand } from './image-command';

const environment = await checkEnvironment();

/**
 * A turbo workspace with no Nx: the one Hashdock file it needs is an nx.json holding the plugin entry, and
 * `hashdock image` (what its package's image script runs) builds and pushes with the options named there.
 */
describe.skipIf(!environment.available)('hashdock image in a workspace without Nx (real registry)', () => {
  let dir = '';
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("builds and pushes a package's image from an nx.json that holds only the plugin entry", async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-turbo-only-'));
    const namespace = `turbo-only-${Date.now().toString(36)}`;
    const files: Record<string, string> = {
      'package.json': '{ "name": "shop", "private": true, "workspaces": ["apps/*"] }\n',
      'turbo.json': '{ "tasks": { "image": { "cache": false } } }\n',
      'nx.json': JSON.stringify({ plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace, tags: ['{contentHash}', 'latest'] } }] }),
      'apps/svc/package.json': '{ "name": "svc", "scripts": { "image": "hashdock image" } }\n',
      'apps/svc/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      'apps/svc/hello.txt': 'hi\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    expect(findWorkspaceRoot(join(dir, 'apps/svc'))).toBe(dir);
    const [built] = await imageCommand(join(dir, 'apps/svc'), {}, undefined, {});
    expect(built.manifest).toMatchObject({ project: 'svc', status: 'built', pushed: true, repository: `localhost:5000/${namespace}/svc` });
    expect(built.manifest.tags).toEqual([built.manifest.contentHash, 'latest']);
    expect(await hasTag(new RegistryClient(), `localhost:5000/${namespace}/svc`, built.manifest.contentHash)).toBe(built.manifest.digest);
    // Run again, as turbo does (its image task is not cached): the registry has it, nothing is built.
    const [again] = await imageCommand(join(dir, 'apps/svc'), {}, undefined, {});
    expect(again.manifest).toMatchObject({ status: 'exists', digest: built.manifest.digest });
  });

  it('builds what Nx\'s "image" target builds in each project: the plain Dockerfile\'s, else the variants but the development ones', async () => {
    const namespace = `turbo-variants-${Date.now().toString(36)}`;
    const files: Record<string, string> = {
      'nx.json': JSON.stringify({ plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace, tags: ['{contentHash}'] } }] }),
      'apps/api/package.json': '{ "name": "api" }\n',
      'apps/api/Dockerfile': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      'apps/api/Dockerfile.debug': 'FROM scratch\nCOPY hello.txt /debug.txt\n',
      'apps/api/hello.txt': 'api\n',
      // makeplane/plane's layout: Dockerfile.web ships, Dockerfile.dev is for working on it.
      'apps/web/package.json': '{ "name": "web" }\n',
      'apps/web/Dockerfile.web': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      'apps/web/Dockerfile.dev': 'FROM scratch\nCOPY hello.txt /dev.txt\n',
      'apps/web/hello.txt': 'web\n',
      'apps/shop/package.json': '{ "name": "shop" }\n',
      'apps/shop/Dockerfile.bun': 'FROM scratch\nCOPY hello.txt /hello.txt\n',
      'apps/shop/Dockerfile.dev': 'FROM scratch\nCOPY hello.txt /dev.txt\n',
      'apps/shop/hello.txt': 'shop\n',
      'apps/play/package.json': '{ "name": "play" }\n',
      'apps/play/Dockerfile.dev': 'FROM scratch\nCOPY hello.txt /dev.txt\n',
      'apps/play/Dockerfile.local': 'FROM scratch\nCOPY hello.txt /local.txt\n',
      'apps/play/hello.txt': 'play\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    const repositories = async (project: string, target?: string) => (await imageCommand(join(dir, 'apps', project), {}, target, {})).map((result) => result.manifest.repository);
    expect(await repositories('api')).toEqual([`localhost:5000/${namespace}/api`]);
    // Dockerfile.web is named after its project: its main image.
    expect(await repositories('web')).toEqual([`localhost:5000/${namespace}/web`]);
    expect(await repositories('shop')).toEqual([`localhost:5000/${namespace}/shop-bun`]);
    // Built by its own name only.
    expect(await repositories('web', 'image-dev')).toEqual([`localhost:5000/${namespace}/web-dev`]);
    await expect(imageCommand(join(dir, 'apps/play'), {}, undefined, {})).rejects.toThrow(
      `${join(dir, 'apps/play')} has development images only (image-dev, image-local), which "image" does not build: name one with --target`,
    );
  });
});

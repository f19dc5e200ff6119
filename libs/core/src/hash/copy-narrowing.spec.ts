import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextScopeOf } from '../docker/context-reads';
import { contentHash } from './content-hash';

// A workspace-root context with `-f apps/api/Dockerfile`, as most real Nx repos build.
describe('hashing only what the Dockerfile can read', () => {
  let root = '';
  const files: Record<string, string> = {
    'apps/api/dist/main.js': 'api v1',
    'apps/api/src/main.ts': 'api source',
    'apps/indexer/src/main.ts': 'indexer v1',
    'apps/indexer/dist/main.js': 'indexer bundle',
    'package.json': '{}',
  };
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-narrow-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function hashWith(dockerfileText: string): Promise<string> {
    const dockerfile = join(root, 'apps/api/Dockerfile');
    await writeFile(dockerfile, dockerfileText);
    return (await contentHash({ contextDir: root, dockerfile, platform: 'linux/amd64', scope: contextScopeOf(dockerfileText) })).hash;
  }

  it('COPY apps/api/dist: an indexer edit changes nothing for api; an api bundle edit does', async () => {
    const text = 'FROM base\nCOPY apps/api/dist /app\n';
    const before = await hashWith(text);
    await writeFile(join(root, 'apps/indexer/src/main.ts'), 'indexer v2');
    await writeFile(join(root, 'apps/api/src/main.ts'), 'api source edited, bundle not rebuilt');
    expect(await hashWith(text)).toBe(before);
    await writeFile(join(root, 'apps/api/dist/main.js'), 'api v2');
    expect(await hashWith(text)).not.toBe(before);
  });

  it('COPY . . keeps whole-context semantics', async () => {
    const text = 'FROM base\nCOPY . .\n';
    const before = await hashWith(text);
    await writeFile(join(root, 'apps/indexer/src/main.ts'), 'indexer v2');
    expect(await hashWith(text)).not.toBe(before);
  });

  it('RUN --mount of the context hashes the whole context', async () => {
    const text = 'FROM base\nRUN --mount=target=/src cp -r /src/apps/api/dist /app\n';
    const before = await hashWith(text);
    await writeFile(join(root, 'apps/indexer/src/main.ts'), 'indexer v2');
    expect(await hashWith(text)).not.toBe(before);
  });

  it('RUN --mount of one source hashes that source: an indexer edit changes nothing; a missing source is named as the mount\'s', async () => {
    const text = 'FROM base\nRUN --mount=type=bind,source=apps/api/dist,target=/d cp -r /d /app\n';
    const before = await hashWith(text);
    await writeFile(join(root, 'apps/indexer/src/main.ts'), 'indexer v2');
    expect(await hashWith(text)).toBe(before);
    await writeFile(join(root, 'apps/api/dist/main.js'), 'api v2');
    expect(await hashWith(text)).not.toBe(before);
    await expect(hashWith('FROM base\nRUN --mount=type=bind,source=apps/api/out,target=/d true\n')).rejects.toThrow(':2: RUN --mount source "apps/api/out" is not in the build context');
  });

  it('a COPY source that is a symlink hashes where it leads; one leading nowhere in the context is named with the link', async () => {
    await symlink('../../apps/api/dist', join(root, 'apps/indexer/api-dist'));
    const text = 'FROM base\nCOPY apps/indexer/api-dist /app\n';
    const before = await hashWith(text);
    await writeFile(join(root, 'apps/api/dist/main.js'), 'api v2');
    expect(await hashWith(text)).not.toBe(before);
    // An absolute target starts from the context root, as docker resolves it: /etc/app.json is the context's etc/app.json.
    await symlink('/etc/app.json', join(root, 'config.json'));
    await expect(hashWith('FROM base\nCOPY config.json /app/\n')).rejects.toThrow(
      ':2: COPY/ADD source "etc/app.json" is not in the build context ' + root + ' (it does not exist, or .dockerignore leaves it out). config.json is a symbolic link that leads there',
    );
  });
});

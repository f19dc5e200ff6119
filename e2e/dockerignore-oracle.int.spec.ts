import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContextEntries, parseDockerignore, runCommand } from '@hashdock/core';
import { checkEnvironment } from './support/environment';

const environment = await checkEnvironment();

const FILES = [
  'Dockerfile', 'README.md', 'docs/guide.md', 'docs/img/logo.png', 'src/index.ts', 'src/index.spec.ts',
  'src/deep/a.spec.ts', 'src/deep/keep.ts', 'dist/main.js', 'dist/main.js.map', 'node_modules/x/index.js',
  'a.txt', 'ab.txt', 'b.txt', 'notes/2026/todo.md', 'notes/keep/me.md', 'tmp/cache/x', '.env', '.git/HEAD',
];
const IGNORE = [
  '# Docker is the oracle for these',
  'node_modules', '**/*.spec.ts', '*.md', '!README.md', 'docs/**', '!docs/img', 'dist/*.map',
  '?.txt', 'notes', '!notes/keep/*.md', '/tmp/cache/', '.env', '.git', 'empty-ignored',
].join('\n');

async function walk(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = await walk(full, root);
      out.push(...(inner.length ? inner : [`${relative(root, full)}/`]));
    } else out.push(relative(root, full));
  }
  return out.sort();
}

describe.skipIf(!environment.available)('.dockerignore rules agree with Docker itself', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-oracle-'));
    await mkdir(join(dir, 'context'), { recursive: true });
    for (const file of FILES) {
      await mkdir(join(dir, 'context', file, '..'), { recursive: true });
      await writeFile(join(dir, 'context', file), file === 'Dockerfile' ? 'FROM scratch\nCOPY . /ctx/\n' : file);
    }
    await mkdir(join(dir, 'context', 'empty-kept'));
    await mkdir(join(dir, 'context', 'empty-ignored'));
    await symlink('a.txt', join(dir, 'context', 'link-to-a'));
    await writeFile(join(dir, 'context', '.dockerignore'), IGNORE);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('selects exactly the files `COPY . /ctx/` copies', async () => {
    const out = join(dir, 'out');
    await runCommand('/usr/bin/docker', ['build', '--output', `type=local,dest=${out}`, join(dir, 'context')], { env: { DOCKER_BUILDKIT: '1' } });
    const docker = (await walk(join(out, 'ctx'))).filter((path) => !path.endsWith('/') || path === 'empty-kept/');
    const ours = (await listContextEntries(join(dir, 'context'), parseDockerignore(IGNORE)))
      .map((entry) => (entry.kind === 'dir' ? `${entry.path}/` : entry.path))
      .filter((path) => !path.endsWith('/') || path === 'empty-kept/');
    expect(ours).toEqual(docker);
    expect(ours).toContain('README.md');
    expect(ours).toContain('notes/keep/me.md');
    expect(ours).not.toContain('src/index.spec.ts');
  });
});

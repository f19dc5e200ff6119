import { mkdtemp, mkdir, writeFile, chmod, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalDescription, contentHash, diffFileHashes } from './content-hash';

async function makeContext(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

describe('contentHash', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-hash-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const base = { platform: 'linux/amd64' };

  it('hashes exactly the canonical description of files, Dockerfile, args and bases', async () => {
    await makeContext(dir, { Dockerfile: 'FROM x\n', 'dist/main.js': 'console.log(1)\n', 'README.md': 'docs', '.dockerignore': 'README.md\n' });
    // Modes are hashed: fix them so the pinned hash does not depend on the umask.
    for (const file of ['Dockerfile', 'dist/main.js', '.dockerignore']) await chmod(join(dir, file), 0o644);
    await chmod(join(dir, 'dist'), 0o755);
    const result = await contentHash({ ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile'), buildArgs: { A: '1' }, baseImages: { BASE_IMAGE: 'ffffffffffffffff' } });
    expect(result.files.map((f) => f.path)).toEqual(['.dockerignore', 'Dockerfile', 'dist', 'dist/main.js']);
    expect(result.canonical).toBe(
      canonicalDescription({ platform: 'linux/amd64', dockerfileHash: result.dockerfileHash, buildArgs: { A: '1' }, baseImages: { BASE_IMAGE: 'ffffffffffffffff' }, files: result.files }),
    );
    expect(result.canonical.split('\n').slice(0, 5)).toEqual([
      'hashdock-content-v2',
      'platform linux/amd64',
      `dockerfile ${result.dockerfileHash}`,
      // The value's digest, never the value: this text is pushed to the registry as the inputs record.
      'arg "A" sha256:6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b',
      'base "BASE_IMAGE" ffffffffffffffff',
    ]);
    // Pinned: a change to the canonical form must be deliberate (bump CONTENT_HASH_VERSION).
    expect(result.dockerfileHash).toBe('3f80c0347e7261db');
    expect(result.hash).toBe('2db2a13cb9d808d2');
  });

  it('with a stage, records it and hashes the Dockerfile as that stage reads it', async () => {
    const dockerfile = 'FROM x AS runtime\nCOPY a.txt /a\nFROM runtime AS debug\nCOPY b.txt /b\n';
    const forRuntime = 'FROM x AS runtime\nCOPY a.txt /a\n\n\n';
    // The Dockerfile outside the context, so only its hash line sees an edit to it.
    await makeContext(dir, { 'docker/Dockerfile': dockerfile, 'ctx/a.txt': 'a', 'ctx/b.txt': 'b' });
    const input = { ...base, contextDir: join(dir, 'ctx'), dockerfile: join(dir, 'docker/Dockerfile') };
    const whole = await contentHash(input);
    const staged = await contentHash({ ...input, stage: 'runtime', dockerfileText: forRuntime });
    expect(staged.canonical.split('\n').slice(0, 4)).toEqual(['hashdock-content-v2', 'platform linux/amd64', `dockerfile ${staged.dockerfileHash}`, 'stage runtime']);
    expect(staged.dockerfileHash).not.toBe(whole.dockerfileHash);
    expect(whole.canonical).not.toContain('\nstage ');
    // The same stage text in another Dockerfile (its other stages differ) is the same image.
    await writeFile(join(dir, 'docker/Dockerfile'), dockerfile.replace('b.txt /b', 'b.txt /c'));
    expect((await contentHash({ ...input, stage: 'runtime', dockerfileText: forRuntime })).hash).toBe(staged.hash);
    expect((await contentHash({ ...input, stage: 'debug', dockerfileText: forRuntime })).hash).not.toBe(staged.hash);
  });

  it('records each label by its value\'s digest: a label is part of the image', async () => {
    await makeContext(dir, { Dockerfile: 'FROM x\n' });
    const input = { ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile') };
    const plain = await contentHash(input);
    const labelled = await contentHash({ ...input, labels: { 'z.label': 'b', 'a.label': 'a' } });
    expect(labelled.canonical.split('\n').filter((line) => line.startsWith('label '))).toEqual([
      'label "a.label" sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb',
      'label "z.label" sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d',
    ]);
    expect(labelled.hash).not.toBe(plain.hash);
    expect((await contentHash({ ...input, labels: {} })).hash).toBe(plain.hash);
  });

  it('is the same for the same bytes at another path and another mtime', async () => {
    const other = await mkdtemp(join(tmpdir(), 'hashdock-hash-other-'));
    try {
      const files = { Dockerfile: 'FROM x\n', 'a/b.txt': 'b', 'c.txt': 'c' };
      await makeContext(dir, files);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await makeContext(other, Object.fromEntries(Object.entries(files).reverse()));
      const one = await contentHash({ ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile') });
      const two = await contentHash({ ...base, contextDir: other, dockerfile: join(other, 'Dockerfile') });
      expect(two.hash).toBe(one.hash);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it.each([
    ['a file byte', async (d: string) => writeFile(join(d, 'app.js'), 'v2')],
    ['the executable bit', async (d: string) => chmod(join(d, 'app.js'), 0o755)],
    ['a read bit (0644 to 0600)', async (d: string) => chmod(join(d, 'app.js'), 0o600)],
    ['the setuid bit', async (d: string) => chmod(join(d, 'app.js'), 0o4644)],
    ['a directory mode', async (d: string) => chmod(join(d, 'lib'), 0o700)],
    ['a new file', async (d: string) => writeFile(join(d, 'new.js'), '')],
    ['an empty directory', async (d: string) => mkdir(join(d, 'empty'))],
    ['a symlink target', async (d: string) => symlink('app.js', join(d, 'link'))],
    ['the Dockerfile', async (d: string) => writeFile(join(d, 'Dockerfile'), 'FROM y\n')],
  ])('changes with %s', async (_, change) => {
    await makeContext(dir, { Dockerfile: 'FROM x\n', 'app.js': 'v1', 'lib/util.js': 'u' });
    await chmod(join(dir, 'app.js'), 0o644);
    await chmod(join(dir, 'lib'), 0o755);
    const input = { ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile') };
    const before = await contentHash(input);
    await change(dir);
    expect((await contentHash(input)).hash).not.toBe(before.hash);
  });

  it('with git modes (the registry builder), records what that builder writes: the umask no longer counts, the executable bit does', async () => {
    await makeContext(dir, { Dockerfile: 'FROM x\n', 'app.js': 'v1', 'bin/run': '#!/bin/sh\n' });
    const input = { ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile') };
    const modes = async (file: number, exec: number, directory: number) => {
      for (const path of ['Dockerfile', 'app.js']) await chmod(join(dir, path), file);
      await chmod(join(dir, 'bin/run'), exec);
      await chmod(join(dir, 'bin'), directory);
      return { git: await contentHash({ ...input, modes: 'git' }), exact: await contentHash(input) };
    };
    const umask022 = await modes(0o644, 0o755, 0o755);
    const umask002 = await modes(0o664, 0o775, 0o775);
    const privateFiles = await modes(0o600, 0o700, 0o700);
    // git modes of a checkout made with umask 022 are the modes docker copies: both builders agree.
    expect(umask022.git.hash).toBe(umask022.exact.hash);
    expect(umask002.git.hash).toBe(umask022.git.hash);
    expect(privateFiles.git.hash).toBe(umask022.git.hash);
    expect(umask002.exact.hash).not.toBe(umask022.exact.hash);
    expect(umask002.git.files.find((file) => file.path === 'bin')?.mode).toBe(0o755);
    await chmod(join(dir, 'bin/run'), 0o644);
    expect((await contentHash({ ...input, modes: 'git' })).hash).not.toBe(umask022.git.hash);
  });

  it.each([
    ['platform', { platform: 'linux/arm64' }],
    ['a build arg', { buildArgs: { A: '2' } }],
    ['a base image hash', { baseImages: { BASE_IMAGE: '0000000000000001' } }],
    ['an external base digest', { externalBases: { ROOT_IMAGE: `sha256:${'2'.repeat(64)}` } }],
  ])('changes with %s', async (_, override) => {
    await makeContext(dir, { Dockerfile: 'FROM x\n' });
    const input = {
      ...base,
      contextDir: dir,
      dockerfile: join(dir, 'Dockerfile'),
      buildArgs: { A: '1', ROOT_IMAGE: 'node:24-slim' },
      baseImages: { BASE_IMAGE: '0000000000000000' },
      externalBases: { ROOT_IMAGE: `sha256:${'1'.repeat(64)}` },
    };
    expect((await contentHash({ ...input, ...override })).hash).not.toBe((await contentHash(input)).hash);
  });

  it('ignores what .dockerignore excludes, and follows a Dockerfile-specific ignore file', async () => {
    await makeContext(dir, { Dockerfile: 'FROM x\n', '.dockerignore': 'notes/\n', 'notes/a.md': '1', 'keep.txt': 'k' });
    const input = { ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile') };
    const before = await contentHash(input);
    await writeFile(join(dir, 'notes/a.md'), '2');
    expect((await contentHash(input)).hash).toBe(before.hash);
    await writeFile(join(dir, 'Dockerfile.dockerignore'), 'keep.txt\n');
    const specific = await contentHash(input);
    expect(specific.ignoreFile).toBe(join(dir, 'Dockerfile.dockerignore'));
    expect(specific.files.map((f) => f.path)).toContain('notes/a.md');
    expect(specific.files.map((f) => f.path)).not.toContain('keep.txt');
  });

  it('names the ignore file when it is invalid', async () => {
    await makeContext(dir, { Dockerfile: 'FROM x\n', '.dockerignore': '!\n' });
    await expect(contentHash({ ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile') })).rejects.toThrow(/\.dockerignore: illegal exclusion/);
  });

  it('hashes a name that is not valid UTF-8 by its bytes', async () => {
    await makeContext(dir, { Dockerfile: 'FROM x\n' });
    const name = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0xff, 0x61])]);
    await writeFile(name, 'one');
    const input = { ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile') };
    const first = await contentHash(input);
    const entry = first.files.find((file) => file.pathBytes);
    expect(entry?.pathBytes).toEqual(Buffer.from([0xff, 0x61]));
    expect(first.canonical).toContain(`"\\u0000${Buffer.from([0xff, 0x61]).toString('base64')}"`);
    await writeFile(name, 'two');
    expect((await contentHash(input)).hash).not.toBe(first.hash);
  });

  it('hashes only the entries a scope reaches', async () => {
    await makeContext(dir, { Dockerfile: 'FROM x\n', 'apps/api/dist/main.js': 'a', 'apps/indexer/src/main.ts': 'i' });
    const input = { ...base, contextDir: dir, dockerfile: join(dir, 'Dockerfile'), scope: { kind: 'sources' as const, sources: [{ path: 'apps/api/dist', line: 2, wildcard: false }] } };
    const before = await contentHash(input);
    expect(before.files.map((file) => file.path)).toEqual(['apps/api/dist', 'apps/api/dist/main.js']);
    await writeFile(join(dir, 'apps/indexer/src/main.ts'), 'changed');
    expect((await contentHash(input)).hash).toBe(before.hash);
    await writeFile(join(dir, 'apps/api/dist/main.js'), 'changed');
    expect((await contentHash(input)).hash).not.toBe(before.hash);
  });

  it('lists per-file differences', () => {
    const file = (path: string, hash: string) => ({ path, hash, kind: 'file' as const, mode: 0o644 });
    expect(diffFileHashes([file('a', '1'), file('b', '1')], [file('a', '2'), file('c', '1')])).toEqual([
      { path: 'a', change: 'changed' },
      { path: 'b', change: 'removed' },
      { path: 'c', change: 'added' },
    ]);
    // The same path in a named context is another file.
    expect(diffFileHashes([file('a', '1')], [file('a', '1'), { context: 'api', ...file('a', '1') }])).toEqual([{ path: 'api:a', change: 'added' }]);
  });

  describe('named build contexts', () => {
    const sources = (...paths: string[]) => ({ kind: 'sources' as const, sources: paths.map((path) => ({ path, line: 3, wildcard: false })) });
    const setUp = async () => {
      await makeContext(dir, {
        'ctx/Dockerfile': 'FROM x\nCOPY --from=api src /src\n',
        'packages/api/src/main.ts': 'main',
        'packages/api/src/main.spec.ts': 'spec',
        'packages/api/README.md': 'docs',
        'packages/api/.dockerignore': '**/*.spec.ts\n',
        // The build context's ignore file is not the named context's.
        'ctx/.dockerignore': 'src\n',
      });
      for (const file of ['ctx/Dockerfile', 'ctx/.dockerignore', 'packages/api/src/main.ts']) await chmod(join(dir, file), 0o644);
      await chmod(join(dir, 'packages/api/src'), 0o755);
      return {
        ...base,
        contextDir: join(dir, 'ctx'),
        dockerfile: join(dir, 'ctx/Dockerfile'),
        scope: sources(),
        namedContexts: [{ name: 'api', dir: join(dir, 'packages/api'), scope: sources('src') }],
      };
    };

    it('hashes what the Dockerfile reads of each, after its own .dockerignore, each line naming the context', async () => {
      const input = await setUp();
      const result = await contentHash(input);
      expect(result.files.map((file) => [file.context, file.path])).toEqual([
        ['api', 'src'],
        ['api', 'src/main.ts'],
      ]);
      expect(result.canonical.split('\n').slice(-3)).toEqual([`in "api" d0755 ${'0'.repeat(16)} "src"`, `in "api" f0644 ${result.files[1].hash} "src/main.ts"`, '']);
      // What it does not read, and what its .dockerignore leaves out, change nothing.
      await writeFile(join(dir, 'packages/api/README.md'), 'more docs');
      await writeFile(join(dir, 'packages/api/src/main.spec.ts'), 'more spec');
      expect((await contentHash(input)).hash).toBe(result.hash);
      await writeFile(join(dir, 'packages/api/src/main.ts'), 'changed');
      expect((await contentHash(input)).hash).not.toBe(result.hash);
    });

    it('the same files as the build context instead are another image', async () => {
      const input = await setUp();
      const named = await contentHash(input);
      await makeContext(dir, { 'ctx/src/main.ts': 'main', 'ctx/.dockerignore': '' });
      await chmod(join(dir, 'ctx/src/main.ts'), 0o644);
      await chmod(join(dir, 'ctx/src'), 0o755);
      const unnamed = await contentHash({ ...input, scope: sources('src'), namedContexts: [] });
      expect(unnamed.files.map((file) => file.hash)).toEqual(named.files.map((file) => file.hash));
      expect(unnamed.hash).not.toBe(named.hash);
    });

    it('a source missing from a named context names it', async () => {
      const input = await setUp();
      await expect(contentHash({ ...input, namedContexts: [{ ...input.namedContexts[0], scope: sources('bin') }] })).rejects.toThrow(
        `COPY/ADD source "bin" is not in the named context api ${join(dir, 'packages/api')}`,
      );
    });
  });
});

import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './write-file-atomic';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates missing directories and writes the whole content', async () => {
    const file = join(dir, 'a', 'b', 'c.json');
    await writeFileAtomic(file, '{"x":1}\n');
    expect(await readFile(file, 'utf8')).toBe('{"x":1}\n');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['c.json']);
  });

  it('many writers of one path at once: each finishes, one of their contents is left whole, no temporary file', async () => {
    const file = join(dir, 'same.txt');
    const contents = Array.from({ length: 12 }, (_, i) => `writer ${i} `.repeat(2000));
    await Promise.all(contents.map((c) => writeFileAtomic(file, c)));
    expect(contents).toContain(await readFile(file, 'utf8'));
    expect(await readdir(dir)).toEqual(['same.txt']);
  });

  it('a failed rename (the path is a directory) rejects and leaves no temporary file', async () => {
    const target = join(dir, 'taken');
    await mkdir(join(target, 'inside'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['taken']);
  });
});

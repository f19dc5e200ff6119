import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localInputsFile, readLocalInputs, writeLocalInputs } from './local-inputs-record';

describe('the local copy of an image’s last inputs record', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-local-inputs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('answers for the content hash it was written for, and only that one', async () => {
    const file = localInputsFile(dir, 'localhost:5000/acme/api');
    await writeLocalInputs(file, 'aaaa', 'hashdock-content-v2\nfile 0123 "a.txt"\n');
    expect(await readLocalInputs(file, 'aaaa')).toBe('hashdock-content-v2\nfile 0123 "a.txt"\n');
    expect(await readLocalInputs(file, 'bbbb')).toBeUndefined();
    // One file per repository, replaced by the next build; no temporary file left behind.
    await writeLocalInputs(file, 'bbbb', 'next');
    expect(await readLocalInputs(file, 'aaaa')).toBeUndefined();
    expect(await readLocalInputs(file, 'bbbb')).toBe('next');
    expect(await readdir(dirname(file))).toEqual([file.slice(dirname(file).length + 1)]);
  });

  it('a missing or foreign file is no record', async () => {
    const file = localInputsFile(dir, 'localhost:5000/acme/api');
    expect(await readLocalInputs(file, 'aaaa')).toBeUndefined();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, 'aaaa\nnot a record');
    expect(await readLocalInputs(file, 'aaaa')).toBeUndefined();
  });

  it('lives in node_modules/.cache/hashdock when the checkout has node_modules, one file per repository', async () => {
    expect(localInputsFile(dir, 'r/a').startsWith(tmpdir())).toBe(true);
    await mkdir(join(dir, 'node_modules'));
    expect(localInputsFile(dir, 'r/a').startsWith(join(dir, 'node_modules', '.cache', 'hashdock', 'inputs'))).toBe(true);
    expect(localInputsFile(dir, 'r/a')).not.toBe(localInputsFile(dir, 'r/b'));
  });
});

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageManifest, ManifestError, readManifest, writeManifest } from './image-manifest';

const digest = `sha256:${'b'.repeat(64)}`;
const manifest: ImageManifest = {
  schemaVersion: 1,
  project: 'api',
  repository: 'localhost:5000/hashdock/api',
  contentHash: '0123456789abcdef',
  tags: ['0123456789abcdef', 'latest'],
  digest,
  ref: `localhost:5000/hashdock/api@${digest}`,
  status: 'built',
  pushed: true,
  platform: 'linux/amd64',
  baseImages: {},
};

describe('image manifest', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-manifest-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trips and leaves no temp file behind', async () => {
    const path = await writeManifest(dir, manifest);
    expect(await readManifest(path)).toEqual(manifest);
    expect(await readdir(dir)).toEqual(['api.json']);
  });

  it.each([
    ['not JSON', '{', /is not valid JSON/],
    ['a bad digest', JSON.stringify({ ...manifest, digest: 'sha256:nope' }), /"digest"/],
    ['a ref that is not repository@digest', JSON.stringify({ ...manifest, ref: 'x@y' }), /"ref"/],
    ['a missing project', JSON.stringify({ ...manifest, project: undefined }), /"project"/],
    ['a bad hash', JSON.stringify({ ...manifest, contentHash: 'xyz' }), /contentHash/],
  ])('rejects %s, naming the file', async (_, text, pattern) => {
    const path = join(dir, 'api.json');
    await writeFile(path, text);
    const error = await readManifest(path).catch((e) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toContain(path);
    expect(error.message).toMatch(pattern);
  });

  it('two writers of one manifest in one process (two targets of a batch) both finish, one whole file left, no temp file', async () => {
    const other = { ...manifest, contentHash: 'fedcba9876543210', tags: ['fedcba9876543210'] };
    // Started in the same millisecond: their temp files used to share a name, and the second rename failed (ENOENT).
    await Promise.all([writeManifest(dir, manifest), writeManifest(dir, other), writeManifest(dir, manifest), writeManifest(dir, other)]);
    expect([manifest.contentHash, other.contentHash]).toContain((await readManifest(join(dir, 'api.json'))).contentHash);
    expect(await readdir(dir)).toEqual(['api.json']);
  });

  it('says a missing manifest has not been produced', async () => {
    await expect(readManifest(join(dir, 'base.json'))).rejects.toThrow(/base\.json: cannot be read \(has its image target run\?\)/);
  });

  it('refuses a pushed manifest without a digest', async () => {
    await expect(writeManifest(dir, { ...manifest, digest: null, ref: null })).rejects.toThrow(/needs a digest/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes pretty JSON with a trailing newline', async () => {
    const path = await writeManifest(dir, manifest);
    expect(await readFile(path, 'utf8')).toBe(`${JSON.stringify(manifest, null, 2)}\n`);
  });
});

import { mkdtemp, mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from './content-hash';
import { FileHashCache } from './file-hash-cache';

describe('FileHashCache', () => {
  let dir = '';
  let cacheFile = '';
  const long_ago = new Date('2001-02-03T04:05:06Z');
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-fhc-'));
    cacheFile = join(dir, 'cache', 'file-hashes.json');
    await mkdir(join(dir, 'ctx/lib'), { recursive: true });
    await writeFile(join(dir, 'ctx/Dockerfile'), 'FROM x\nCOPY . /app\n');
    await writeFile(join(dir, 'ctx/app.js'), 'console.log(1)\n');
    await writeFile(join(dir, 'ctx/lib/util.js'), 'module.exports = 1\n');
    for (const file of ['Dockerfile', 'app.js', 'lib/util.js']) await utimes(join(dir, 'ctx', file), long_ago, long_ago);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const hashWith = async (cache?: FileHashCache) => {
    const result = await contentHash({ contextDir: join(dir, 'ctx'), dockerfile: join(dir, 'ctx/Dockerfile'), platform: 'linux/amd64', cache });
    await cache?.save();
    return result.hash;
  };

  it('answers from the cache in the next process, with the hash reading would give', async () => {
    const uncached = await hashWith();
    const first = new FileHashCache(cacheFile);
    expect(await hashWith(first)).toBe(uncached);
    expect(first.counts).toEqual({ hits: 0, misses: 3 });
    const second = new FileHashCache(cacheFile);
    expect(await hashWith(second)).toBe(uncached);
    expect(second.counts).toEqual({ hits: 3, misses: 0 });
    // Nothing changed: nothing written, and no temporary file left behind.
    expect(await readdir(join(dir, 'cache'))).toEqual(['file-hashes.json']);
  });

  it('reads a file again when its bytes changed, even at the same size with its old mtime put back', async () => {
    await hashWith(new FileHashCache(cacheFile));
    await writeFile(join(dir, 'ctx/app.js'), 'console.log(2)\n');
    await utimes(join(dir, 'ctx/app.js'), long_ago, long_ago);
    const cache = new FileHashCache(cacheFile);
    const hash = await hashWith(cache);
    expect(hash).toBe(await hashWith());
    expect(cache.counts).toEqual({ hits: 2, misses: 1 });
  });

  it('never caches a file modified just before it was looked at (a same-tick write could keep its mtime)', async () => {
    await writeFile(join(dir, 'ctx/app.js'), 'console.log(3)\n');
    await hashWith(new FileHashCache(cacheFile));
    const stored = JSON.parse(await readFile(cacheFile, 'utf8')) as { files: [string][] };
    expect(stored.files.map(([path]) => path).sort()).toEqual([join(dir, 'ctx/Dockerfile'), join(dir, 'ctx/lib/util.js')]);
  });

  it('treats an unreadable or foreign cache file as empty', async () => {
    await mkdir(join(dir, 'cache'));
    for (const text of ['{"format":"hashdock-file-h', JSON.stringify({ format: 'other', files: [[join(dir, 'ctx/app.js'), 0, 0, 0, 0, 0, 'x']] })]) {
      await writeFile(cacheFile, text);
      const cache = new FileHashCache(cacheFile);
      expect(await hashWith(cache)).toBe(await hashWith());
      expect(cache.counts.hits).toBe(0);
    }
  });

  it('lives in node_modules/.cache of a workspace that has one, else under the temp dir', async () => {
    expect(FileHashCache.forWorkspace(join(dir, 'ctx')).file.startsWith(join(tmpdir(), 'hashdock-file-hashes'))).toBe(true);
    await mkdir(join(dir, 'ctx/node_modules'));
    expect(FileHashCache.forWorkspace(join(dir, 'ctx')).file).toBe(join(dir, 'ctx/node_modules/.cache/hashdock/file-hashes.json'));
  });
});

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceReadsHold } from './source-reads';

describe('sourceReadsHold: whether the disk still reads as inference read it', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-reads-'));
    await mkdir(join(root, 'apps/api/conf'), { recursive: true });
    await writeFile(join(root, 'apps/api/conf/base.json'), '{}');
    await writeFile(join(root, 'shared.json'), '{}');
    await writeFile(join(root, 'other.json'), '{}');
    await symlink('../../shared.json', join(root, 'apps/api/app.json'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const read = { paths: { 'apps/api/app.json': '../../shared.json', 'apps/api/conf/base.json': null, 'apps/api/dist': null }, dirs: { 'apps/api/conf': [] } };

  it('holds while each path is the same link or still none, and each folder a wildcard read has the same links', async () => {
    expect(sourceReadsHold(root, read)).toBe(true);
    // A new file, a build's output: Nx hashes them; nothing inference read changed.
    await writeFile(join(root, 'apps/api/conf/extra.json'), '{}');
    await mkdir(join(root, 'apps/api/dist'));
    expect(sourceReadsHold(root, read)).toBe(true);
  });

  it('fails for a retargeted link, a file that became a link, a new link a wildcard may match', async () => {
    await rm(join(root, 'apps/api/app.json'));
    await symlink('../../other.json', join(root, 'apps/api/app.json'));
    expect(sourceReadsHold(root, read)).toBe(false);
    expect(sourceReadsHold(root, { ...read, paths: { ...read.paths, 'apps/api/app.json': '../../other.json' } })).toBe(true);
    await rm(join(root, 'apps/api/conf/base.json'));
    await symlink('../../../shared.json', join(root, 'apps/api/conf/base.json'));
    expect(sourceReadsHold(root, { paths: { 'apps/api/conf/base.json': null }, dirs: {} })).toBe(false);
    await symlink('../../../other.json', join(root, 'apps/api/conf/new.json'));
    expect(sourceReadsHold(root, { paths: {}, dirs: { 'apps/api/conf': ['base.json'] } })).toBe(false);
    expect(sourceReadsHold(root, { paths: {}, dirs: { 'apps/api/conf': ['base.json', 'new.json'] } })).toBe(true);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeManifest } from '../manifest/image-manifest';
import { releaseFromManifests } from './release-file';
import { recordedVersionTags, recordVersionTags } from './version-records';

describe('release version records beside the manifests', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-version-records-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const digest = (c: string) => `sha256:${c.repeat(64)}`;

  it('keeps the tags of one digest together; another digest starts over', async () => {
    await recordVersionTags(dir, 'api', digest('a'), ['1.0.0']);
    await recordVersionTags(dir, 'api', digest('a'), ['v1.0.0', '1.0.0']);
    expect(await recordedVersionTags(dir, 'api', digest('a'))).toEqual(['1.0.0', 'v1.0.0']);
    expect(await recordedVersionTags(dir, 'api', digest('b'))).toEqual([]);
    await recordVersionTags(dir, 'api', digest('b'), ['1.1.0']);
    expect(await recordedVersionTags(dir, 'api', digest('b'))).toEqual(['1.1.0']);
    expect(await recordedVersionTags(dir, 'api', digest('a'))).toEqual([]);
    expect(await recordedVersionTags(dir, 'web', digest('a'))).toEqual([]);
  });

  it("reads a broken record as none", async () => {
    await mkdir(join(dir, '.versions'), { recursive: true });
    await writeFile(join(dir, '.versions/api.json'), '{ "digest": ');
    expect(await recordedVersionTags(dir, 'api', digest('a'))).toEqual([]);
  });

  it("a release from the manifests carries each image's version tags while they name its digest", async () => {
    const manifest = (project: string, d: string) => ({
      schemaVersion: 1 as const,
      project,
      repository: `localhost:5000/acme/${project}`,
      contentHash: '0123456789abcdef',
      tags: ['0123456789abcdef', 'latest'],
      digest: digest(d),
      ref: `localhost:5000/acme/${project}@${digest(d)}`,
      status: 'built' as const,
      pushed: true,
      platform: 'linux/amd64',
      baseImages: {},
    });
    await writeManifest(dir, manifest('api', 'a'));
    await writeManifest(dir, manifest('web', 'c'));
    await recordVersionTags(dir, 'api', digest('a'), ['1.4.0']);
    // web was released at an earlier digest: its record names another image.
    await recordVersionTags(dir, 'web', digest('b'), ['2.0.0']);
    const release = await releaseFromManifests('dev', dir);
    expect(release.images.api.tags).toEqual(['0123456789abcdef', 'latest', '1.4.0']);
    expect(release.images.web.tags).toEqual(['0123456789abcdef', 'latest']);
  });
});

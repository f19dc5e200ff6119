import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../../../e2e/support/environment';
import { pushOneLayerImage } from '../../../../e2e/support/one-layer-image';
import { resolveBaseDigest } from '../image/external-bases';
import { RegistryClient } from './client';
import { putManifest, sha256Digest } from './manifest-io';
import { OCI_INDEX, OCI_MANIFEST } from './media-types';

const environment = await checkEnvironment();

const bytesOf = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));

/**
 * Docker Hub counts every GET of a manifest against its pull limit (a few pulls an hour for an anonymous
 * runner) and no HEAD. Resolving a base is a HEAD: an image's digest comes with it, and an index is read
 * by its digest once per checkout, then from the checkout's cache. Against the real registry, requests
 * counted by the client.
 */
describe.skipIf(!environment.available)('resolving a base asks with HEAD and reads an index once per checkout (real registry)', () => {
  const repository = `localhost:5000/head-first-${Date.now().toString(36)}/upstream`;
  let cacheDir = '';
  let amd = '';
  let arm = '';
  let index = '';

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'hashdock-manifest-cache-'));
    amd = await pushOneLayerImage(new RegistryClient(), repository, 'amd64', 'layer of amd64', 'amd64');
    arm = await pushOneLayerImage(new RegistryClient(), repository, 'arm64', 'layer of arm64', 'arm64');
    const list = bytesOf({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: amd, size: 1, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: OCI_MANIFEST, digest: arm, size: 1, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    });
    index = await putManifest(new RegistryClient(), repository, 'multi', { bytes: list, mediaType: OCI_INDEX, digest: sha256Digest(list) });
  });
  afterAll(() => rm(cacheDir, { recursive: true, force: true }));

  it('an image tag is one HEAD, no GET', async () => {
    const client = new RegistryClient();
    expect(await resolveBaseDigest(client, `${repository}:amd64`, 'linux/amd64', {}, cacheDir)).toEqual({ digest: amd, repository });
    expect(client.stats.requests).toEqual({ HEAD: 1 });
  });

  it('an index tag: HEAD, then its bytes read by digest once; the next process (a new client) only HEADs', async () => {
    const first = new RegistryClient();
    expect(await resolveBaseDigest(first, `${repository}:multi`, 'linux/arm64', {}, cacheDir)).toEqual({ digest: arm, index, repository });
    expect(first.stats.requests).toEqual({ HEAD: 1, GET: 1 });
    const next = new RegistryClient();
    expect(await resolveBaseDigest(next, `${repository}:multi`, 'linux/amd64', {}, cacheDir)).toEqual({ digest: amd, index, repository });
    expect(next.stats.requests).toEqual({ HEAD: 1 });
    // Pinned by the index digest: nothing asked at all.
    const pinned = new RegistryClient();
    expect(await resolveBaseDigest(pinned, `${repository}@${index}`, 'linux/arm64', {}, cacheDir)).toEqual({ digest: arm, index, repository });
    expect(pinned.stats.requests).toEqual({});
  });

  it('a damaged cache entry is not believed: the index is read again and the entry mended', async () => {
    const entries = join(cacheDir, 'manifests');
    for (const file of await readdir(entries)) await writeFile(join(entries, file), JSON.stringify({ mediaType: OCI_INDEX, bytes: Buffer.from('{"manifests":[]}').toString('base64') }));
    const client = new RegistryClient();
    expect(await resolveBaseDigest(client, `${repository}:multi`, 'linux/arm64', {}, cacheDir)).toEqual({ digest: arm, index, repository });
    expect(client.stats.requests).toEqual({ HEAD: 1, GET: 1 });
    const again = new RegistryClient();
    expect(await resolveBaseDigest(again, `${repository}:multi`, 'linux/arm64', {}, cacheDir)).toEqual({ digest: arm, index, repository });
    expect(again.stats.requests).toEqual({ HEAD: 1 });
  });

  it('a tag the registry lacks is named, with where it was asked', async () => {
    await expect(resolveBaseDigest(new RegistryClient(), `${repository}:nope`, 'linux/amd64', {}, cacheDir)).rejects.toThrow(
      `${repository}:nope is not in its registry (404 at http://127.0.0.1:5000/v2/${repository.slice('localhost:5000/'.length)}/manifests/nope)`,
    );
  });
});

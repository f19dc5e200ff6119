import { describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../../../e2e/support/environment';
import { ImageManifest } from '../manifest/image-manifest';
import { uploadBlob } from '../registry/blobs';
import { RegistryClient } from '../registry/client';
import { TagConflictError } from '../registry/errors';
import { putManifest, sha256Digest } from '../registry/manifest-io';
import { OCI_MANIFEST } from '../registry/media-types';
import { hasTag } from '../registry/tag-exists';
import { tagReleaseImages } from './version-tags';

const environment = await checkEnvironment();

const bytesOf = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));

/** Release tags on the real registry: by digest, refused before anything is written when one names another image. */
describe.skipIf(!environment.available)('release version tags (real registry)', () => {
  const client = new RegistryClient();
  const namespace = `version-tags-${Date.now().toString(36)}`;

  /** A one-layer image pushed under its content-hash tag, and the manifest a run would have written for it. */
  async function pushed(image: string, content: string): Promise<ImageManifest> {
    const repository = `localhost:5000/${namespace}/${image}`;
    const layer = new Uint8Array(Buffer.from(content));
    const config = bytesOf({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] }, config: {} });
    for (const blob of [layer, config]) await uploadBlob(client, repository, sha256Digest(blob), blob, blob.byteLength);
    const bytes = bytesOf({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: config.byteLength },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(layer), size: layer.byteLength }],
    });
    const contentHash = sha256Digest(layer).slice(7, 23);
    const digest = await putManifest(client, repository, contentHash, { bytes, mediaType: OCI_MANIFEST, digest: sha256Digest(bytes) });
    return { schemaVersion: 1, project: 'api', image, repository, contentHash, tags: [contentHash], digest, ref: `${repository}@${digest}`, status: 'built', pushed: true, platform: 'linux/amd64', baseImages: {} };
  }

  it('tags every image of the release by digest; a rerun finds them in place', async () => {
    const api = await pushed('api', 'api one');
    const debug = await pushed('api-debug', 'api debug one');
    const results = await tagReleaseImages({ client, manifests: [api, debug], tags: ['1.0.0', 'v1.0.0'] });
    expect(results.map((result) => result.tags)).toEqual([{ '1.0.0': 'created', 'v1.0.0': 'created' }, { '1.0.0': 'created', 'v1.0.0': 'created' }]);
    for (const image of [api, debug]) for (const tag of ['1.0.0', 'v1.0.0']) expect(await hasTag(client, image.repository, tag)).toBe(image.digest);
    const again = await tagReleaseImages({ client, manifests: [api, debug], tags: ['1.0.0', 'v1.0.0'] });
    expect(again.map((result) => result.tags)).toEqual([{ '1.0.0': 'unchanged', 'v1.0.0': 'unchanged' }, { '1.0.0': 'unchanged', 'v1.0.0': 'unchanged' }]);
  });

  it('refuses a version that names another image before writing any tag; a dry run says so; --force moves it', async () => {
    const first = await pushed('web', 'web one');
    await tagReleaseImages({ client, manifests: [first], tags: ['2.0.0'] });
    const second = await pushed('web', 'web two');
    const other = await pushed('web-debug', 'web debug two');

    const refused = tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'] });
    await expect(refused).rejects.toThrow(TagConflictError);
    await expect(tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'] })).rejects.toThrow(
      `Refusing to clobber existing tag ${second.repository}:2.0.0: it points at ${first.digest}, not ${second.digest}. A release version names one image`,
    );
    // Nothing written: not the conflicting tag, not the other image's (which had none).
    expect(await hasTag(client, second.repository, '2.0.0')).toBe(first.digest);
    expect(await hasTag(client, other.repository, '2.0.0')).toBeUndefined();

    const plan = await tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'], dryRun: true });
    expect(plan.map((result) => result.tags['2.0.0'])).toEqual(['created', 'conflict']);
    expect(await hasTag(client, other.repository, '2.0.0')).toBeUndefined();

    const forced = await tagReleaseImages({ client, manifests: [other, second], tags: ['2.0.0'], force: true });
    expect(forced.map((result) => result.tags['2.0.0'])).toEqual(['created', 'moved']);
    expect(await hasTag(client, second.repository, '2.0.0')).toBe(second.digest);
    expect(await hasTag(client, other.repository, '2.0.0')).toBe(other.digest);
  });
});

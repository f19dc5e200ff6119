import { describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { mountBlob } from './blobs';
import { candidateTag, claimTag } from './claim-tag';
import { RegistryClient } from './client';
import { getManifest, putManifest, RawManifest, sha256Digest } from './manifest-io';
import { OCI_INDEX } from './media-types';
import { hasTag } from './tag-exists';

const environment = await checkEnvironment();
const client = new RegistryClient();

/**
 * The content-hash tag's claim against the real registry, where a run killed part-way left a
 * candidate behind: a multi-platform docker run pushes each platform's image under its candidate
 * tag before the index, so a run killed between them leaves one platform's image there.
 */
describe.skipIf(!environment.available)('claimTag: a stale candidate of another kind never wins (real registry)', () => {
  const ns = `claim-${Date.now().toString(36)}`;
  const repository = `localhost:5000/${ns}/svc`;

  /** The local root image's manifest in `repository` (its blobs mounted), and an index over it (`note` makes it another index). */
  async function images(note: string): Promise<{ image: RawManifest; index: RawManifest }> {
    const root = await localRootImage();
    const source = root.slice(0, root.lastIndexOf(':'));
    const image = await getManifest(client, source, root.slice(root.lastIndexOf(':') + 1));
    const json = JSON.parse(Buffer.from(image.bytes).toString('utf8'));
    for (const blob of [json.config, ...json.layers]) await mountBlob(client, repository, blob.digest, source);
    await putManifest(client, repository, image.digest, image);
    const bytes = new Uint8Array(
      Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: image.mediaType, digest: image.digest, size: image.bytes.byteLength, platform: { os: 'linux', architecture: 'amd64' } }], annotations: { note } })),
    );
    return { image, index: { bytes, mediaType: OCI_INDEX, digest: sha256Digest(bytes) } };
  }

  const fast = { settleMs: 300, pollMs: 50 };

  it("a killed run's one-platform image under an older candidate: our index takes the tag", async () => {
    const tag = 'aaaa000000000001';
    const { image, index } = await images('ours');
    // The killed run started first (a smaller run id) and left one platform's image under its candidate tag.
    await putManifest(client, repository, candidateTag(tag, '000000000dead0001'), image);
    const mine = { runId: '00000000aaaa0002', digest: index.digest, manifest: index, pushCandidate: () => putManifest(client, repository, candidateTag(tag, '00000000aaaa0002'), index) };
    const claimed = await claimTag(client, repository, tag, mine, fast);
    expect(claimed).toEqual({ digest: index.digest, adopted: false });
    expect(await hasTag(client, repository, tag)).toBe(index.digest);
  });

  it("an older run's index of the same content hash still wins, as before (every run picks the same one)", async () => {
    const tag = 'aaaa000000000002';
    const { index: theirs } = await images('theirs');
    const { index: ours } = await images('ours again');
    await putManifest(client, repository, candidateTag(tag, '000000000old00001'), theirs);
    const mine = { runId: '00000000bbbb0002', digest: ours.digest, manifest: ours, pushCandidate: () => putManifest(client, repository, candidateTag(tag, '00000000bbbb0002'), ours) };
    const claimed = await claimTag(client, repository, tag, mine, fast);
    expect(claimed).toEqual({ digest: theirs.digest, adopted: true });
    expect(await hasTag(client, repository, tag)).toBe(theirs.digest);
  });
});

// The core library's sources, not '@hashdock/core' (its built types): the core suites that use this pass their own client.
import { uploadBlob } from '../../libs/core/src/registry/blobs';
import { RegistryClient } from '../../libs/core/src/registry/client';
import { putManifest, sha256Digest } from '../../libs/core/src/registry/manifest-io';
import { OCI_MANIFEST } from '../../libs/core/src/registry/media-types';

const bytesOf = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));

/**
 * Push a one-layer OCI image (its layer holds `content`, its config says `architecture`) to `repository:tag`
 * straight through the registry API, no engine: returns its manifest digest.
 */
export async function pushOneLayerImage(client: RegistryClient, repository: string, tag: string, content: string, architecture = 'amd64'): Promise<string> {
  const layer = new Uint8Array(Buffer.from(content));
  const config = bytesOf({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] }, config: {} });
  for (const blob of [layer, config]) await uploadBlob(client, repository, sha256Digest(blob), blob, blob.byteLength);
  const manifest = bytesOf({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: config.byteLength },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(layer), size: layer.byteLength }],
  });
  return putManifest(client, repository, tag, { bytes: manifest, mediaType: OCI_MANIFEST, digest: sha256Digest(manifest) });
}

import { RegistryClient } from './client';
import { blobExists, uploadBlob } from './blobs';
import { getManifest, putManifest, sha256Digest } from './manifest-io';
import { OCI_MANIFEST } from './media-types';

export const INPUTS_ARTIFACT_TYPE = 'application/vnd.hashdock.inputs.v1+json';
const EMPTY_CONFIG_TYPE = 'application/vnd.oci.empty.v1+json';

/**
 * Store a small document next to an image as an OCI artifact under `tag`: an
 * empty config and one layer holding the bytes. Any OCI registry keeps it.
 */
export async function pushArtifact(client: RegistryClient, repository: string, tag: string, artifactType: string, content: Uint8Array<ArrayBuffer>): Promise<string> {
  const emptyConfig: Uint8Array<ArrayBuffer> = new Uint8Array(Buffer.from('{}'));
  const blobs = [
    { bytes: emptyConfig, digest: sha256Digest(emptyConfig) },
    { bytes: content, digest: sha256Digest(content) },
  ];
  for (const blob of blobs) if (!(await blobExists(client, repository, blob.digest))) await uploadBlob(client, repository, blob.digest, blob.bytes, blob.bytes.byteLength);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: EMPTY_CONFIG_TYPE, digest: blobs[0].digest, size: emptyConfig.byteLength },
    layers: [{ mediaType: artifactType, digest: blobs[1].digest, size: content.byteLength }],
  };
  const bytes: Uint8Array<ArrayBuffer> = new Uint8Array(Buffer.from(JSON.stringify(manifest)));
  return putManifest(client, repository, tag, { bytes, mediaType: OCI_MANIFEST, digest: sha256Digest(bytes) });
}

/** The document stored by pushArtifact, or undefined when the tag is absent. */
export async function fetchArtifact(client: RegistryClient, repository: string, tag: string): Promise<Uint8Array | undefined> {
  const head = await client.request(repository, { method: 'HEAD', path: `manifests/${tag}`, headers: { accept: OCI_MANIFEST }, expect: [200, 404] });
  if (head.status === 404) return undefined;
  const manifest = await getManifest(client, repository, tag);
  const layer = (JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { layers?: { digest: string }[] }).layers?.[0];
  if (!layer) return undefined;
  const blob = await client.request(repository, { method: 'GET', path: `blobs/${layer.digest}`, expect: [200] });
  return new Uint8Array(await blob.arrayBuffer());
}

/** Labels of an image (from its config blob), e.g. the content hash it was built from. */
export async function imageLabels(client: RegistryClient, repository: string, reference: string): Promise<Record<string, string>> {
  const manifest = await getManifest(client, repository, reference);
  const json = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { config?: { digest: string }; manifests?: { digest: string }[] };
  if (!json.config) return json.manifests?.[0] ? imageLabels(client, repository, json.manifests[0].digest) : {};
  const config = await client.request(repository, { method: 'GET', path: `blobs/${json.config.digest}`, expect: [200] });
  const parsed = (await config.json()) as { config?: { Labels?: Record<string, string> } };
  return parsed.config?.Labels ?? {};
}

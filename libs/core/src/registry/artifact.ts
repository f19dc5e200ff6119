import { RegistryClient } from './client';
import { HashdockError } from '../errors';
import { BlobSource } from './blob-source';
import { blobExists, uploadBlob } from './blobs';
import { findManifest, getManifest, isManifestRefused, putManifest, sha256Digest } from './manifest-io';
import { OCI_MANIFEST } from './media-types';

export const INPUTS_ARTIFACT_TYPE = 'application/vnd.hashdock.inputs.v1+json';
const EMPTY_CONFIG_TYPE = 'application/vnd.oci.empty.v1+json';

/** A blob to store as an artifact's one layer: its digest and size known, its bytes opened on demand. */
export interface ArtifactBlob {
  digest: string;
  size: number;
  source: BlobSource;
}

/**
 * Store a blob next to images as an OCI artifact under `tag`: an empty config
 * and one layer. Any OCI registry keeps it. Large blobs go in resumable chunks
 * read from their source; nothing is held in memory whole.
 */
export async function pushArtifactBlob(client: RegistryClient, repository: string, tag: string, artifactType: string, blob: ArtifactBlob): Promise<string> {
  const emptyConfig: Uint8Array<ArrayBuffer> = new Uint8Array(Buffer.from('{}'));
  const config = { digest: sha256Digest(emptyConfig), size: emptyConfig.byteLength, source: emptyConfig as BlobSource };
  // Small parts are sent without asking first (the registry keeps one copy): fewer round trips in series.
  const upload = async (part: ArtifactBlob) => (part.size > 1024 * 1024 && (await blobExists(client, repository, part.digest))) || uploadBlob(client, repository, part.digest, part.source, part.size);
  await upload(blob);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType,
    config: { mediaType: EMPTY_CONFIG_TYPE, digest: config.digest, size: config.size },
    layers: [{ mediaType: artifactType, digest: blob.digest, size: blob.size }],
  };
  const bytes: Uint8Array<ArrayBuffer> = new Uint8Array(Buffer.from(JSON.stringify(manifest)));
  const put = () => putManifest(client, repository, tag, { bytes, mediaType: OCI_MANIFEST, digest: sha256Digest(bytes) });
  try {
    // The empty config is the same two bytes for every artifact: after a repository's first, it is there already.
    return await put();
  } catch (error) {
    // A registry refuses a manifest whose blobs it lacks (Distribution: 400 MANIFEST_BLOB_UNKNOWN): send it, then again.
    if (!isManifestRefused(error)) throw error;
    await upload(config);
    return put();
  }
}

/** Store a small document next to an image as an OCI artifact under `tag`. */
export function pushArtifact(client: RegistryClient, repository: string, tag: string, artifactType: string, content: Uint8Array<ArrayBuffer>): Promise<string> {
  return pushArtifactBlob(client, repository, tag, artifactType, { digest: sha256Digest(content), size: content.byteLength, source: content });
}

/** The layer of the artifact under `tag` as a stream with its size, or undefined when the tag is absent. */
export async function openArtifact(client: RegistryClient, repository: string, tag: string): Promise<{ size: number; stream: ReadableStream<Uint8Array> } | undefined> {
  const manifest = await findManifest(client, repository, tag);
  if (!manifest) return undefined;
  const layer = (JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { layers?: { digest: string; size: number }[] }).layers?.[0];
  if (!layer) return undefined;
  const blob = await client.request(repository, { method: 'GET', path: `blobs/${layer.digest}`, expect: [200] });
  if (!blob.body) throw new HashdockError('REGISTRY_PROTOCOL', `${repository}@${layer.digest}: empty blob response`);
  return { size: layer.size, stream: blob.body as ReadableStream<Uint8Array> };
}

/** The document stored by pushArtifact, or undefined when the tag is absent (for small documents). */
export async function fetchArtifact(client: RegistryClient, repository: string, tag: string): Promise<Uint8Array | undefined> {
  const opened = await openArtifact(client, repository, tag);
  return opened ? new Uint8Array(await new Response(opened.stream).arrayBuffer()) : undefined;
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

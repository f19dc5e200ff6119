import { RegistryClient } from './client';
import { HashdockError } from '../errors';
import { BlobSource } from './blob-source';
import { blobExists, uploadBlob } from './blobs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { findManifest, getManifest, isManifestRefused, putManifest, RawManifest, sha256Digest } from './manifest-io';
import { OCI_MANIFEST } from './media-types';

export const INPUTS_ARTIFACT_TYPE = 'application/vnd.hashdock.inputs.v1+json';
const EMPTY_CONFIG_TYPE = 'application/vnd.oci.empty.v1+json';
/** The empty JSON document of OCI's empty descriptor. */
const emptyJson = (): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from('{}'));
/** A document carried in its manifest: gzip, base64, under this annotation. */
const INLINE_ANNOTATION = 'dev.hashdock.document.gzip';
/** Gzipped documents up to this size travel inline (manifests stay far below registries' 4 MiB limits). */
export const INLINE_LIMIT = 64 * 1024;

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
  // Small parts are sent without asking first (the registry keeps one copy): fewer round trips in series.
  if (!(blob.size > 1024 * 1024 && (await blobExists(client, repository, blob.digest)))) await uploadBlob(client, repository, blob.digest, blob.source, blob.size);
  return putArtifactManifest(client, repository, tag, { artifactType, layers: [{ mediaType: artifactType, digest: blob.digest, size: blob.size }] });
}

/**
 * An artifact's manifest under `tag`, on the empty config. The empty config is
 * the same two bytes for every artifact: after a repository's first, it is there
 * already, so it is sent only when the registry refuses the manifest for
 * lacking it (Distribution: 400 MANIFEST_BLOB_UNKNOWN), then the manifest again.
 */
async function putArtifactManifest(client: RegistryClient, repository: string, tag: string, fields: { artifactType: string; layers: { mediaType: string; digest: string; size: number }[]; annotations?: Record<string, string> }): Promise<string> {
  const empty = emptyJson();
  const config = { mediaType: EMPTY_CONFIG_TYPE, digest: sha256Digest(empty), size: empty.byteLength };
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: fields.artifactType, config, layers: fields.layers, ...(fields.annotations ? { annotations: fields.annotations } : {}) };
  const bytes: Uint8Array<ArrayBuffer> = new Uint8Array(Buffer.from(JSON.stringify(manifest)));
  const put = () => putManifest(client, repository, tag, { bytes, mediaType: OCI_MANIFEST, digest: sha256Digest(bytes) });
  try {
    return await put();
  } catch (error) {
    if (!isManifestRefused(error)) throw error;
    await uploadBlob(client, repository, config.digest, empty, empty.byteLength);
    return put();
  }
}

/**
 * Store a small document next to an image as an OCI artifact under `tag`. Up
 * to INLINE_LIMIT bytes gzipped, it travels in the manifest itself (an
 * annotation; the one layer is the empty descriptor): one request instead of
 * three. Larger documents go in a layer blob.
 */
export function pushArtifact(client: RegistryClient, repository: string, tag: string, artifactType: string, content: Uint8Array<ArrayBuffer>): Promise<string> {
  const packed = gzipSync(content, { level: 6 });
  if (packed.byteLength > INLINE_LIMIT) return pushArtifactBlob(client, repository, tag, artifactType, { digest: sha256Digest(content), size: content.byteLength, source: content });
  const bytes = emptyJson();
  const empty = { mediaType: EMPTY_CONFIG_TYPE, digest: sha256Digest(bytes), size: bytes.byteLength };
  return putArtifactManifest(client, repository, tag, { artifactType, layers: [empty], annotations: { [INLINE_ANNOTATION]: packed.toString('base64') } });
}

/** The layer of the artifact under `tag` as a stream with its size, or undefined when the tag is absent. */
export async function openArtifact(client: RegistryClient, repository: string, tag: string, found?: RawManifest): Promise<{ size: number; stream: ReadableStream<Uint8Array> } | undefined> {
  const manifest = found ?? (await findManifest(client, repository, tag));
  if (!manifest) return undefined;
  const layer = (JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { layers?: { digest: string; size: number }[] }).layers?.[0];
  if (!layer) return undefined;
  const blob = await client.request(repository, { method: 'GET', path: `blobs/${layer.digest}`, expect: [200] });
  if (!blob.body) throw new HashdockError('REGISTRY_PROTOCOL', `${repository}@${layer.digest}: empty blob response`);
  return { size: layer.size, stream: blob.body as ReadableStream<Uint8Array> };
}

/** The document stored by pushArtifact, or undefined when the tag is absent (for small documents). */
export async function fetchArtifact(client: RegistryClient, repository: string, tag: string): Promise<Uint8Array | undefined> {
  const manifest = await findManifest(client, repository, tag);
  if (!manifest) return undefined;
  const inline = (JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { annotations?: Record<string, string> }).annotations?.[INLINE_ANNOTATION];
  if (inline !== undefined) return new Uint8Array(gunzipSync(Buffer.from(inline, 'base64')));
  const opened = await openArtifact(client, repository, tag, manifest);
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

import { HashdockError } from '../errors';
import { RegistryClient } from './client';
import { parseRepository } from './reference';
import { BlobSource, skipBytes } from './blob-source';
import { chunkedUpload, ChunkedUploadOptions, startUpload, withDigest } from './chunked-upload';

export async function blobExists(client: RegistryClient, repository: string, digest: string): Promise<boolean> {
  const response = await client.request(repository, { method: 'HEAD', path: `blobs/${digest}`, expect: [200, 404] });
  return response.status === 200;
}

/**
 * Cross-repository mount within one registry: 201 means mounted with no bytes
 * moved; 202 means the registry opened an upload instead (returned).
 */
export async function mountBlob(client: RegistryClient, repository: string, digest: string, fromRepository: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
  const from = parseRepository(fromRepository).path;
  const response = await client.request(repository, {
    method: 'POST',
    path: `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
    scope: 'push',
    // Distribution, Harbor and GHCR check pull access on the source repository for a mount.
    scopes: [`repository:${from}:pull`],
    expect: [201, 202],
  });
  await response.body?.cancel();
  if (response.status === 201) return { mounted: true };
  const location = response.headers.get('location');
  if (!location) throw new HashdockError('REGISTRY_PROTOCOL', `${repository}: upload opened without a Location header`);
  return { mounted: false, location };
}

export type UploadBlobOptions = ChunkedUploadOptions;

/** Statuses with which registries refuse a blob in one PUT while they take it in chunks. */
const MONOLITHIC_REFUSED = new Set([405, 413, 416]);

/**
 * Upload one blob: in one PUT up to the client's `chunkedAbove`, in chunks
 * above it (resumable), and in chunks when a registry refuses the single PUT.
 */
export async function uploadBlob(client: RegistryClient, repository: string, digest: string, source: BlobSource, size: number, options: UploadBlobOptions = {}): Promise<void> {
  if (size > client.upload.chunkedAbove) return chunkedUpload(client, repository, digest, source, size, options);
  const location = options.location ?? (await startUpload(client, repository));
  const response = await client.request(repository, {
    method: 'PUT',
    path: withDigest(location, digest),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: source instanceof Uint8Array ? source : () => source(0),
    scope: 'push',
    expect: [201, ...MONOLITHIC_REFUSED],
  });
  const refused = response.status !== 201 ? `${response.status} ${(await response.text().catch(() => '')).trim().slice(0, 120)}` : '';
  await response.body?.cancel().catch(() => undefined);
  if (!refused) return;
  options.log?.(`hashdock: ${repository} refused ${digest} in one request (${refused}); uploading it in chunks`);
  await chunkedUpload(client, repository, digest, source, size, { log: options.log });
}

/**
 * Stream a blob from one registry to another. The source is re-read from the
 * needed offset (a Range request) whenever the upload must send bytes again:
 * a retry, a 401 that forces re-authentication, a resumed chunk.
 */
export async function copyBlob(source: RegistryClient, sourceRepository: string, target: RegistryClient, targetRepository: string, digest: string, size: number, options: UploadBlobOptions = {}): Promise<void> {
  const open = async (offset: number) => {
    const response = await source.request(sourceRepository, { method: 'GET', path: `blobs/${digest}`, headers: offset > 0 ? { range: `bytes=${offset}-` } : {}, expect: [200, 206] });
    if (!response.body) throw new HashdockError('REGISTRY_PROTOCOL', `${sourceRepository}@${digest}: empty blob response`);
    const body = response.body as ReadableStream<Uint8Array>;
    // A source that ignores Range answers 200 with the whole blob.
    return offset > 0 && response.status === 200 ? skipBytes(body, offset) : body;
  };
  await uploadBlob(target, targetRepository, digest, open, size, options);
}

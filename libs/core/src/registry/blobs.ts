import { HashdockError } from '../errors';
import { RegistryClient } from './client';
import { parseRepository } from './reference';

export async function blobExists(client: RegistryClient, repository: string, digest: string): Promise<boolean> {
  const response = await client.request(repository, { method: 'HEAD', path: `blobs/${digest}`, expect: [200, 404] });
  return response.status === 200;
}

function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
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

/** Monolithic upload of one blob (a stream is sent once). */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | (() => Promise<ReadableStream<Uint8Array>>),
  size: number,
  location?: string,
): Promise<void> {
  let uploadUrl = location;
  if (!uploadUrl) {
    const started = await client.request(repository, { method: 'POST', path: 'blobs/uploads/', scope: 'push', expect: [202] });
    await started.body?.cancel();
    uploadUrl = started.headers.get('location') ?? undefined;
    if (!uploadUrl) throw new HashdockError('REGISTRY_PROTOCOL', `${repository}: upload opened without a Location header`);
  }
  const response = await client.request(repository, {
    method: 'PUT',
    path: withDigest(uploadUrl, digest),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body,
    scope: 'push',
    expect: [201],
  });
  await response.body?.cancel();
}

/**
 * Stream a blob from one registry to another. The source is re-read when the
 * upload must be sent again (a retry, or a 401 that forces re-authentication
 * after the first body was consumed).
 */
export async function copyBlob(source: RegistryClient, sourceRepository: string, target: RegistryClient, targetRepository: string, digest: string, size: number, location?: string): Promise<void> {
  const open = async () => {
    const response = await source.request(sourceRepository, { method: 'GET', path: `blobs/${digest}`, expect: [200] });
    if (!response.body) throw new HashdockError('REGISTRY_PROTOCOL', `${sourceRepository}@${digest}: empty blob response`);
    return response.body as ReadableStream<Uint8Array>;
  };
  await uploadBlob(target, targetRepository, digest, open, size, location);
}

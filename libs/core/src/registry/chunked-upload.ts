import { HashdockError } from '../errors';
import { BlobSource, openRange } from './blob-source';
import { RegistryClient } from './client';
import { RegistryResponseError, RegistryUnreachableError } from './errors';

export interface ChunkedUploadOptions {
  /** An upload the registry already opened (the 202 of a refused mount). */
  location?: string;
  /** Where to say that an upload was resumed or restarted. */
  log?: (line: string) => void;
}

/** `0-1234` (Distribution) or `bytes=0-1234`: the offset after the last byte the registry holds. */
export function rangeEnd(header: string | null): number | undefined {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(header?.trim() ?? '');
  return match ? Number(match[1]) + 1 : undefined;
}

export function withDigest(location: string, digest: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** POST an upload session; its Location. */
export async function startUpload(client: RegistryClient, repository: string): Promise<string> {
  const started = await client.request(repository, { method: 'POST', path: 'blobs/uploads/', scope: 'push', expect: [202] });
  await started.body?.cancel();
  const location = started.headers.get('location');
  if (!location) throw new HashdockError('REGISTRY_PROTOCOL', `${repository}: upload opened without a Location header`);
  return location;
}

/**
 * Where an upload session stands, by the registry's own account (GET on the
 * session); undefined when the registry no longer has it (Distribution cancels a
 * session whose stored size no longer matches its state, e.g. after a chunk
 * was cut off half-written).
 */
async function uploadStatus(client: RegistryClient, repository: string, location: string): Promise<{ location: string; offset: number } | undefined> {
  const response = await client.request(repository, { method: 'GET', path: location, scope: 'push', expect: [204, 400, 404] });
  await response.body?.cancel();
  if (response.status !== 204) return undefined;
  return { location: response.headers.get('location') ?? location, offset: rangeEnd(response.headers.get('range')) ?? 0 };
}

/** A failure after which asking the registry where the upload stands makes sense. */
function interrupted(error: unknown): boolean {
  if (error instanceof RegistryUnreachableError) return true;
  return error instanceof RegistryResponseError && (error.status === 416 || (error.status ?? 0) >= 500);
}

/**
 * Upload a blob in chunks: POST, a PATCH with Content-Range per chunk, then a
 * PUT with the digest. Each chunk is read from the source as it is sent (no
 * chunk is held in memory). When a chunk fails (connection dropped, 5xx, or 416
 * out of step), the registry is asked how much it holds and the upload goes on
 * from there; when it has dropped the session, a new one starts from byte 0.
 */
export async function chunkedUpload(client: RegistryClient, repository: string, digest: string, source: BlobSource, size: number, options: ChunkedUploadOptions = {}): Promise<void> {
  const { chunkSize, maxInterruptions } = client.upload;
  let location = options.location ?? (await startUpload(client, repository));
  let offset = 0;
  let interruptions = 0;
  while (offset < size) {
    const start = offset;
    const length = Math.min(chunkSize, size - start);
    try {
      const response = await client.request(repository, {
        method: 'PATCH',
        path: location,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(length), 'content-range': `${start}-${start + length - 1}` },
        body: () => openRange(source, start, length),
        scope: 'push',
        once: true,
        expect: [202],
      });
      await response.body?.cancel();
      location = response.headers.get('location') ?? location;
      offset = rangeEnd(response.headers.get('range')) ?? start + length;
    } catch (error) {
      if (!interrupted(error) || ++interruptions > maxInterruptions) throw error;
      const status = await uploadStatus(client, repository, location);
      if (status) {
        ({ location, offset } = status);
        options.log?.(`hashdock: upload of ${digest} to ${repository} interrupted at byte ${start} (${(error as Error).message.split('. ')[0]}); the registry holds ${offset} bytes, resuming from there`);
      } else {
        location = await startUpload(client, repository);
        offset = 0;
        options.log?.(`hashdock: upload of ${digest} to ${repository} interrupted at byte ${start} and the registry dropped the session; starting it again`);
      }
    }
  }
  const done = await client.request(repository, {
    method: 'PUT',
    path: withDigest(location, digest),
    headers: { 'content-type': 'application/octet-stream', 'content-length': '0' },
    scope: 'push',
    expect: [201],
  });
  await done.body?.cancel();
}

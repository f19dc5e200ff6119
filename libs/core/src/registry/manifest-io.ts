import { createHash } from 'node:crypto';
import { HashdockError } from '../errors';
import { RegistryClient } from './client';
import { DOCKER_LIST, MANIFEST_ACCEPT, OCI_INDEX } from './media-types';
import { RegistryResponseError, RegistryUnreachableError } from './errors';
import { parseRepository } from './reference';

export interface RawManifest {
  bytes: Uint8Array<ArrayBuffer>;
  mediaType: string;
  digest: string;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class DigestMismatchError extends HashdockError {
  constructor(reference: string, expected: string, actual: string) {
    super('DIGEST_MISMATCH', `${reference}: expected digest ${expected}, got ${actual}`);
  }
}

/** Attempts at a manifest whose connection drops while its body is being read. */
const BODY_ATTEMPTS = 3;

/**
 * GET a manifest's exact bytes; a digest reference is verified against them.
 * A connection dropped in the middle of the body is retried like one dropped
 * before the answer, and finally named (registry, repository, operation).
 */
const CACHED_ENTRIES = 256;

/** Remember content read by digest on the client (oldest dropped past a bound). */
export function rememberByDigest(client: RegistryClient, key: string, bytes: Uint8Array<ArrayBuffer>): void {
  if (client.byDigest.size >= CACHED_ENTRIES) client.byDigest.delete(client.byDigest.keys().next().value!);
  client.byDigest.set(key, bytes);
}

export async function getManifest(client: RegistryClient, repository: string, reference: string): Promise<RawManifest> {
  return (await readManifestOf(client, repository, reference, false))!;
}

/** The manifest under a tag or digest, or undefined when the registry has none (one GET, no HEAD first). */
export function findManifest(client: RegistryClient, repository: string, reference: string): Promise<RawManifest | undefined> {
  return readManifestOf(client, repository, reference, true);
}

async function readManifestOf(client: RegistryClient, repository: string, reference: string, mayBeMissing: boolean): Promise<RawManifest | undefined> {
  const key = `${repository}@${reference}`;
  const known = reference.startsWith('sha256:') ? client.byDigest.get(key) : undefined;
  if (known) return { bytes: known, mediaType: (JSON.parse(Buffer.from(known).toString('utf8')) as { mediaType?: string }).mediaType ?? '', digest: reference };
  let response: Response | undefined;
  let bytes: Uint8Array<ArrayBuffer> | undefined;
  for (let attempt = 1; !bytes; attempt++) {
    response = await client.request(repository, { method: 'GET', path: `manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, expect: mayBeMissing ? [200, 404] : [200] });
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    try {
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (cause) {
      if (attempt >= BODY_ATTEMPTS) throw new RegistryUnreachableError(client.url(parseRepository(repository), `manifests/${reference}`), cause, `reading the manifest ${repository}:${reference}`);
    }
  }
  response = response!;
  const digest = sha256Digest(bytes);
  if (reference.startsWith('sha256:') && digest !== reference) throw new DigestMismatchError(`${repository}@${reference}`, reference, digest);
  const mediaType = response.headers.get('content-type')?.split(';')[0].trim() || (JSON.parse(Buffer.from(bytes).toString('utf8')).mediaType as string);
  // Only a manifest that names its own media type can be served from memory with the right one.
  if (reference.startsWith('sha256:') && (JSON.parse(Buffer.from(bytes).toString('utf8')) as { mediaType?: string }).mediaType === mediaType) rememberByDigest(client, key, bytes);
  return { bytes, mediaType, digest };
}

/** PUT exact manifest bytes under a tag or digest; returns the digest the registry reports. */
export async function putManifest(client: RegistryClient, repository: string, reference: string, manifest: RawManifest): Promise<string> {
  const response = await client.request(repository, {
    method: 'PUT',
    path: `manifests/${reference}`,
    headers: { 'content-type': manifest.mediaType },
    body: manifest.bytes,
    scope: 'push',
    expect: [201],
  });
  await response.body?.cancel();
  return response.headers.get('docker-content-digest') ?? manifest.digest;
}

/**
 * Whether a manifest PUT was refused as a client error (4xx), such as
 * Distribution's 400 MANIFEST_BLOB_UNKNOWN for a blob the repository lacks:
 * what sending the missing blobs may fix. Auth refusals are RegistryAuthErrors.
 */
export function isManifestRefused(error: unknown): boolean {
  return error instanceof RegistryResponseError && error.status !== undefined && error.status >= 400 && error.status < 500;
}

export function isIndex(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

interface Descriptor {
  digest: string;
  size: number;
  mediaType?: string;
}

/** Child manifests of an index, or config + layers of an image manifest. */
export function references(manifest: RawManifest): { children: Descriptor[]; blobs: Descriptor[] } {
  const json = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
  if (isIndex(manifest.mediaType)) return { children: json.manifests ?? [], blobs: [] };
  return { children: [], blobs: [...(json.config ? [json.config] : []), ...(json.layers ?? [])] };
}

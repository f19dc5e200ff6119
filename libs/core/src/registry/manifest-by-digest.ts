import { promises as fs, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/write-file-atomic';
import { RegistryClient } from './client';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from './media-types';
import { getManifest, RawManifest, rememberByDigest, sha256Digest } from './manifest-io';
import { isSha256Digest } from './reference';

const MANIFEST_TYPES = new Set([OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST]);

/** What a HEAD of a manifest tells without its body: its digest and media type (either may be missing). */
export interface ManifestHead {
  digest?: string;
  mediaType?: string;
}

/**
 * HEAD a manifest by tag or digest: undefined on 404. Docker Hub counts a GET of a manifest as a pull
 * against its rate limit and a HEAD not, which is why Docker's own client asks this way first. A registry
 * or proxy that does not take HEAD (405, 501) is answered as one that sends no headers: the caller GETs.
 */
export async function headManifest(client: RegistryClient, repository: string, reference: string): Promise<ManifestHead | undefined> {
  const response = await client.request(repository, { method: 'HEAD', path: `manifests/${reference}`, headers: { accept: [...MANIFEST_TYPES].join(', ') }, expect: [200, 404, 405, 501] });
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 404) return undefined;
  if (response.status !== 200) return {};
  const digest = response.headers.get('docker-content-digest') ?? undefined;
  const mediaType = response.headers.get('content-type')?.split(';')[0].trim();
  return { ...(digest && isSha256Digest(digest) ? { digest } : {}), ...(mediaType && MANIFEST_TYPES.has(mediaType) ? { mediaType } : {}) };
}

function cacheFile(cacheDir: string, digest: string): string {
  return join(cacheDir, 'manifests', `${digest.slice('sha256:'.length)}.json`);
}

async function readCached(cacheDir: string, digest: string): Promise<RawManifest | undefined> {
  try {
    const stored = JSON.parse(await fs.readFile(cacheFile(cacheDir, digest), 'utf8')) as { mediaType?: unknown; bytes?: unknown };
    if (typeof stored.mediaType !== 'string' || typeof stored.bytes !== 'string') return undefined;
    const bytes = new Uint8Array(Buffer.from(stored.bytes, 'base64'));
    // A damaged or foreign file is no answer: the registry is asked again.
    return sha256Digest(bytes) === digest ? { bytes, mediaType: stored.mediaType, digest } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A manifest by its digest: from the client's memory, then the checkout's cache (`cacheDir`, kept by
 * digest: what a digest names never changes, and every entry is checked against it), then the
 * registry (written to the cache for the next process). One GET per manifest per checkout.
 */
export async function manifestByDigest(client: RegistryClient, repository: string, digest: string, cacheDir?: string): Promise<RawManifest> {
  if (!cacheDir || !isSha256Digest(digest)) return getManifest(client, repository, digest);
  const file = cacheFile(cacheDir, digest);
  // In this process's memory already (another reader asked for it): kept on disk too, for the next process.
  const remembered = client.byDigest.has(`${repository}@${digest}`);
  const cached = remembered ? undefined : await readCached(cacheDir, digest);
  if (cached) {
    if ((JSON.parse(Buffer.from(cached.bytes).toString('utf8')) as { mediaType?: string }).mediaType === cached.mediaType) rememberByDigest(client, `${repository}@${digest}`, cached.bytes);
    return cached;
  }
  const manifest = await getManifest(client, repository, digest);
  // A cache that cannot be written costs the next process one GET, nothing more.
  if (!remembered || !statSync(file, { throwIfNoEntry: false }))
    await writeFileAtomic(file, JSON.stringify({ mediaType: manifest.mediaType, bytes: Buffer.from(manifest.bytes).toString('base64') })).catch(() => undefined);
  return manifest;
}

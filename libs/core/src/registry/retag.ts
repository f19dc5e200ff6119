import { createHash } from 'node:crypto';
import { RegistryClient } from './client';
import { HashdockError } from '../errors';
import { MANIFEST_ACCEPT } from './media-types';
import { validateTag } from './reference';

/**
 * Point `tag` at the manifest `digest` in the same repository by PUTting the
 * exact stored manifest bytes (re-serialised JSON would change the digest).
 */
export async function retag(client: RegistryClient, repository: string, digest: string, tag: string): Promise<void> {
  validateTag(tag, `${repository}:${tag}`);
  const response = await client.request(repository, {
    method: 'GET',
    path: `manifests/${digest}`,
    headers: { accept: MANIFEST_ACCEPT },
    expect: [200],
  });
  const mediaType = response.headers.get('content-type') ?? '';
  const bytes: Uint8Array<ArrayBuffer> = new Uint8Array(await response.arrayBuffer());
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest)
    throw new HashdockError('DIGEST_MISMATCH', `${repository}@${digest} returned bytes with digest ${actual}`);
  await client.request(repository, {
    method: 'PUT',
    path: `manifests/${tag}`,
    headers: { 'content-type': mediaType },
    body: bytes,
    scope: 'push',
    expect: [201],
  });
}

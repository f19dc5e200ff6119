import { createHash } from 'node:crypto';
import { RegistryClient } from './client';
import { MANIFEST_ACCEPT } from './media-types';
import { validateTag } from './reference';

/**
 * HEAD the manifest for `repository:tag`. Returns its digest when present and
 * undefined only on 404; any other answer is a typed error, never "absent".
 */
export async function hasTag(client: RegistryClient, repository: string, tag: string, scope: 'pull' | 'push' = 'pull'): Promise<string | undefined> {
  validateTag(tag, `${repository}:${tag}`);
  // `push` for a check before pushing: Docker Hub answers 401 to a pull-only look at a repository that does not exist yet.
  const response = await client.request(repository, {
    method: 'HEAD',
    path: `manifests/${tag}`,
    headers: { accept: MANIFEST_ACCEPT },
    scope,
    expect: [200, 404],
  });
  if (response.status === 404) return undefined;
  const digest = response.headers.get('docker-content-digest');
  if (digest) return digest;
  // Some registries omit the header on HEAD: fall back to hashing the bytes.
  const manifest = await client.request(repository, {
    method: 'GET',
    path: `manifests/${tag}`,
    headers: { accept: MANIFEST_ACCEPT },
    scope,
    expect: [200],
  });
  const bytes = new Uint8Array(await manifest.arrayBuffer());
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

import { RegistryClient } from './client';
import { getManifest, putManifest } from './manifest-io';
import { validateTag } from './reference';

/**
 * Point `tag` at the manifest `digest` in the same repository by PUTting the
 * exact stored manifest bytes (re-serialised JSON would change the digest).
 */
export async function retag(client: RegistryClient, repository: string, digest: string, tag: string): Promise<void> {
  validateTag(tag, `${repository}:${tag}`);
  const manifest = await getManifest(client, repository, digest);
  await putManifest(client, repository, tag, manifest);
}

import { RegistryClient } from './client';
import { getManifest, putManifest } from './manifest-io';
import { validateTag } from './reference';
import { hasTag } from './tag-exists';

/**
 * Point `tag` at the manifest `digest` in the same repository by PUTting the
 * exact stored manifest bytes (re-serialised JSON would change the digest).
 */
export async function retag(client: RegistryClient, repository: string, digest: string, tag: string): Promise<'unchanged' | 'moved'> {
  validateTag(tag, `${repository}:${tag}`);
  // A HEAD is cheaper than GET + PUT, and most runs find the tag already in place.
  if ((await hasTag(client, repository, tag, 'push')) === digest) return 'unchanged';
  const manifest = await getManifest(client, repository, digest);
  await putManifest(client, repository, tag, manifest);
  return 'moved';
}

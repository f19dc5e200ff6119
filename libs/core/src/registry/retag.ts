import { RegistryClient } from './client';
import { TagConflictError } from './errors';
import { getManifest, putManifest } from './manifest-io';
import { validateTag } from './reference';
import { hasTag } from './tag-exists';

export interface RetagOptions {
  /**
   * The tag must name nothing else: one that names another digest is refused (TagConflictError, with this reason),
   * and the tag is read back after the PUT, so a writer of another digest at the same moment is found, not overwritten
   * in silence. A registry has no "create if absent"; this narrows the window, it does not close it.
   */
  onlyIfAbsent?: { why: string };
}

/**
 * Point `tag` at the manifest `digest` in the same repository by PUTting the
 * exact stored manifest bytes (re-serialised JSON would change the digest).
 */
export async function retag(client: RegistryClient, repository: string, digest: string, tag: string, options: RetagOptions = {}): Promise<'unchanged' | 'moved'> {
  validateTag(tag, `${repository}:${tag}`);
  const reference = `${repository}:${tag}`;
  // A HEAD is cheaper than GET + PUT, and most runs find the tag already in place.
  const current = await hasTag(client, repository, tag, 'push');
  if (current === digest) return 'unchanged';
  if (current && options.onlyIfAbsent) throw new TagConflictError(reference, current, digest, options.onlyIfAbsent.why);
  const manifest = await getManifest(client, repository, digest);
  await putManifest(client, repository, tag, manifest);
  if (options.onlyIfAbsent) {
    const after = await hasTag(client, repository, tag, 'push');
    if (after !== digest) throw new TagConflictError(reference, after ?? 'nothing', digest, options.onlyIfAbsent.why);
  }
  return 'moved';
}

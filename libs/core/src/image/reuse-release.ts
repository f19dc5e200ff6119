import { RegistryClient } from '../registry/client';
import { hasTag } from '../registry/tag-exists';

/**
 * The first of `repositories` whose `tag` exists, with its digest: read-only
 * lookups (a pull request's token may pull the release namespace, never push to it).
 */
export async function findReusable(registry: RegistryClient, repositories: readonly string[], tag: string): Promise<{ repository: string; digest: string } | undefined> {
  for (const repository of repositories) {
    const digest = await hasTag(registry, repository, tag);
    if (digest) return { repository, digest };
  }
  return undefined;
}

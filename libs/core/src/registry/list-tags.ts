import { RegistryClient } from './client';

/** Every tag of a repository (GET /v2/<name>/tags/list, following `Link` pages). */
export async function listTags(client: RegistryClient, repository: string): Promise<string[]> {
  const tags: string[] = [];
  let path = 'tags/list?n=1000';
  for (let page = 0; page < 1000; page++) {
    const response = await client.request(repository, { method: 'GET', path, expect: [200, 404] });
    if (response.status === 404) {
      await response.body?.cancel();
      return tags;
    }
    const body = (await response.json()) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    const next = /<([^>]+)>;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1];
    if (!next) return tags;
    // The Link is `/v2/<name>/tags/list?...`: keep the query, the client adds the prefix.
    path = `tags/list${next.slice(next.indexOf('?'))}`;
  }
  return tags;
}

import { Handler } from '@hashdock/shared';
import { WordIndex } from './word-index';

export function createRoutes(index: WordIndex): Record<string, Handler> {
  return {
    /** `POST /documents?id=doc1` with a text body → words indexed. */
    'POST /documents': ({ url, body }) => {
      const id = url.searchParams.get('id');
      if (!id) return { status: 400, body: { error: 'query parameter "id" is required' } };
      return { status: 201, body: { id, words: index.add(id, body) } };
    },
    /** `GET /search?q=words` → ids of documents holding every word. */
    'GET /search': ({ url }) => ({ body: { ids: index.search(url.searchParams.get('q') ?? '') } }),
    'GET /stats': () => ({ body: index.stats() }),
  };
}

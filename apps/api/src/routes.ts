import { Handler, slugify } from '@hashdock/shared';

export const routes: Record<string, Handler> = {
  /** `GET /slug?text=Hello World` → `{ "slug": "hello-world" }` */
  'GET /slug': ({ url }) => {
    const text = url.searchParams.get('text');
    if (text === null) return { status: 400, body: { error: 'query parameter "text" is required' } };
    return { body: { slug: slugify(text) } };
  },
};

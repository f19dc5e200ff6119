import { describe, expect, it } from 'vitest';
import { routes } from './routes';

const call = (path: string) => routes['GET /slug']({ method: 'GET', url: new URL(path, 'http://x'), body: '' });

describe('api routes', () => {
  it('slugifies the text parameter', async () => {
    expect(await call('/slug?text=Hello%20World')).toEqual({ body: { slug: 'hello-world' } });
  });
  it('answers 400 without text', async () => {
    expect((await call('/slug')).status).toBe(400);
  });
});

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RegistryUnreachableError } from './errors';
import { nodeFetch } from './node-fetch';

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('RegistryUnreachableError', () => {
  it.each([
    ['the global fetch', (url: string) => fetch(url)],
    ['node:http', (url: string) => nodeFetch(url)],
  ])('a refused local registry (%s) is named with how to start one, and where the registry is set', async (_name, get) => {
    const port = await closedPort();
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const url = `http://${host}/v2/`;
      const cause = await get(url).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(cause).toBeDefined();
      const error = new RegistryUnreachableError(url, cause);
      expect(error.message).toContain(`Registry unreachable at http://${host}/v2/: `);
      expect(error.message).toContain(`Nothing listens at ${host}: start the registry there`);
      expect(error.message).toContain('plugin option "registry" (nx.json) or HASHDOCK_REGISTRY');
      expect(error.message).not.toContain('npm run');
    }
  });

  it('a remote registry, or a local one that answered and dropped the connection, is only named', () => {
    const remote = new RegistryUnreachableError('https://ghcr.io/v2/acme/api/manifests/1', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(remote.message).toContain('Check that ghcr.io is up and reachable from here.');
    const dropped = new RegistryUnreachableError('http://127.0.0.1:5000/v2/', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(dropped.message).toContain('Check that 127.0.0.1:5000 is up and reachable from here.');
    expect(dropped.message).not.toContain('Nothing listens');
  });
});

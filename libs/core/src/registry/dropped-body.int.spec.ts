import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { RegistryClient } from './client';
import { getManifest } from './manifest-io';

const environment = await checkEnvironment();

/**
 * A connection that drops after 20 bytes of a manifest body: a fault a real
 * registry does not produce on demand, so a proxy in front of the real one
 * cuts the first `drops` manifest answers short.
 */
describe.skipIf(!environment.available)('a manifest body cut short', () => {
  let proxy: Server;
  let address = '';
  let drops = 0;
  beforeAll(async () => {
    proxy = createServer((incoming, outgoing) => {
      const upstream = request({ host: '127.0.0.1', port: 5000, method: incoming.method, path: incoming.url, headers: incoming.headers }, (response) => {
        if (incoming.method === 'GET' && /\/manifests\//.test(incoming.url ?? '') && drops > 0) {
          drops--;
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.once('data', (chunk: Buffer) => {
            outgoing.write(chunk.subarray(0, 20));
            setTimeout(() => outgoing.socket?.destroy(), 20);
          });
          return;
        }
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      });
      incoming.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    proxy.closeAllConnections();
    proxy.close();
  });

  const rootOf = async () => {
    const root = await localRootImage();
    const colon = root.lastIndexOf(':');
    return { repository: `${address}/${root.slice(root.indexOf('/') + 1, colon)}`, tag: root.slice(colon + 1) };
  };

  it('once: retried, and the exact bytes arrive', async () => {
    const { repository, tag } = await rootOf();
    drops = 1;
    const manifest = await getManifest(new RegistryClient({ retry: { baseDelayMs: 1 } }), repository, tag);
    expect(manifest.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(drops).toBe(0);
  });

  it('every time: one line naming the registry, repository and operation, no stack trace', async () => {
    const { repository, tag } = await rootOf();
    drops = 100;
    const error = await getManifest(new RegistryClient({ retry: { baseDelayMs: 1 } }), repository, tag).catch((e) => e);
    expect(error.message).toMatch(
      new RegExp(
        `^Registry unreachable at http://${address}/v2/${repository.slice(address.length + 1)}/manifests/${tag} \\(reading the manifest ${repository}:${tag}\\): [^\n]+\\. ` +
          'Check that the registry is running and reachable \\(npm run env:up starts the local one\\)\\.$',
      ),
    );
    expect(error.message).not.toMatch(/\n\s+at /);
    drops = 0;
  });
});

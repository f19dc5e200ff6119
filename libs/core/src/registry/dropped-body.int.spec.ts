import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, LOCAL_REGISTRY, localRootImage } from '../../../../e2e/support/environment';
import { forward, HttpProxy } from '../../../../e2e/support/http-proxy';
import { RegistryClient } from './client';
import { getManifest } from './manifest-io';

const environment = await checkEnvironment();

/**
 * A connection that drops after 20 bytes of a manifest body: a fault a real
 * registry does not produce on demand, so a proxy in front of the real one
 * cuts the first `drops` manifest answers short.
 */
describe.skipIf(!environment.available)('a manifest body cut short', () => {
  let proxy: HttpProxy;
  let address = '';
  let drops = 0;
  beforeAll(async () => {
    proxy = await HttpProxy.start((incoming, outgoing) =>
      forward(LOCAL_REGISTRY, incoming, outgoing, {
        intercept: (response, out) => {
          if (incoming.method !== 'GET' || !/\/manifests\//.test(incoming.url ?? '') || drops === 0) return false;
          drops--;
          out.writeHead(response.statusCode ?? 502, response.headers);
          response.once('data', (chunk: Buffer) => {
            out.write(chunk.subarray(0, 20));
            setTimeout(() => out.socket?.destroy(), 20);
          });
          return true;
        },
      }),
    );
    address = proxy.address;
  });
  afterAll(() => proxy?.stop());

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
          `Check that ${address.replace(/\./g, '\\.')} is up and reachable from here\\. ` +
          'Images are pushed to the plugin option "registry" \\(nx\\.json\\) or HASHDOCK_REGISTRY; bases on another registry can be read through "mirrors"\\.$',
      ),
    );
    expect(error.message).not.toMatch(/\n\s+at /);
    drops = 0;
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, LOCAL_REGISTRY, localRootImage } from '../../../../e2e/support/environment';
import { forward, HttpProxy } from '../../../../e2e/support/http-proxy';
import { RegistryClient } from './client';
import { promoteImage } from './promote';
import { hasTag } from './tag-exists';

const environment = await checkEnvironment();

/**
 * ECR's profile: every cross-repository mount answers 202 (an upload session)
 * instead of 201. Reproduced in front of the real registry by dropping the
 * mount parameters, so Distribution opens an ordinary upload.
 */
describe.skipIf(!environment.available)('a registry that answers 202 to every mount (like ECR)', () => {
  let proxy: HttpProxy;
  let address = '';
  let mountsAsked = 0;
  beforeAll(async () => {
    proxy = await HttpProxy.start((incoming, outgoing) => {
      let path = incoming.url ?? '/';
      if (incoming.method === 'POST' && path.includes('mount=')) {
        mountsAsked++;
        path = path.replace(/\?.*$/, '');
      }
      forward(LOCAL_REGISTRY, incoming, outgoing, { path, headers: { ...incoming.headers, host: address } });
    });
    address = proxy.address;
  });
  afterAll(() => proxy?.stop());

  it('promotes within the registry by uploading what the mount did not provide', async () => {
    const root = await localRootImage();
    const path = root.slice(root.indexOf('/') + 1, root.lastIndexOf(':'));
    const client = new RegistryClient();
    const source = `${address}/${path}`;
    const digest = (await hasTag(client, source, root.slice(root.lastIndexOf(':') + 1)))!;
    const target = `${address}/mount-refused-${Date.now().toString(36)}/root`;
    const result = await promoteImage({ source: { client, repository: source, digest }, target: { client, repository: target }, tags: ['1'] });
    expect(mountsAsked).toBeGreaterThan(0);
    expect(result.blobs.mounted).toBe(0);
    expect(result.blobs.copied).toBe(mountsAsked);
    expect(await hasTag(client, target, '1')).toBe(digest);
  });
});

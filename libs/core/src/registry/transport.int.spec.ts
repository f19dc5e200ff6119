import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { RegistryProcess } from '../../../../e2e/support/registry-process';
import { forward, HttpProxy } from '../../../../e2e/support/http-proxy';
import { createAuthorizer } from './auth';
import { RegistryClient } from './client';
import { getManifest, references } from './manifest-io';
import { promoteImage } from './promote';
import { hasTag } from './tag-exists';

const environment = await checkEnvironment();
const PASSWORD = 'hashdock-test-password';
const HTPASSWD = join(import.meta.dirname, '../../../../e2e/fixtures/htpasswd');
const BASIC = `Basic ${Buffer.from(`hashdock:${PASSWORD}`).toString('base64')}`;

/**
 * A password-protected Distribution seen through two origins, like Docker Hub
 * or GHCR with their blob stores: the registry origin hands out upload
 * Locations on the blob origin and redirects blob downloads there. The blob
 * origin authenticates requests itself (a presigned URL would), and records
 * every header it receives from the client.
 */
describe.skipIf(!environment.available)('credentials stay on the registry host (real Distribution behind a second origin)', () => {
  let registry: RegistryProcess;
  let front: HttpProxy;
  let blobStore: HttpProxy;
  let frontAddress = '';
  let blobAddress = '';
  const blobStoreSaw: { method: string; url: string; authorization?: string }[] = [];

  beforeAll(async () => {
    registry = await RegistryProcess.start({ htpasswdFile: HTPASSWD });
    blobStore = await HttpProxy.start((incoming, outgoing) => {
      blobStoreSaw.push({ method: incoming.method ?? '', url: incoming.url ?? '', authorization: incoming.headers.authorization });
      forward(registry.address, incoming, outgoing, { headers: { ...incoming.headers, host: frontAddress, authorization: BASIC } });
    });
    blobAddress = blobStore.address;
    front = await HttpProxy.start((incoming, outgoing) => {
      const blobGet = incoming.method === 'GET' && /\/blobs\/sha256:[0-9a-f]{64}$/.test(incoming.url ?? '');
      if (blobGet && incoming.headers.authorization) {
        incoming.resume();
        outgoing.writeHead(307, { location: `http://${blobAddress}${incoming.url}` }).end();
        return;
      }
      forward(registry.address, incoming, outgoing, {
        rewrite: (_, headers) => {
          if (typeof headers.location === 'string' && headers.location.includes('/blobs/uploads/'))
            headers.location = headers.location.replace(/^https?:\/\/[^/]+/, `http://${blobAddress}`);
        },
      });
    });
    frontAddress = front.address;
  });
  afterAll(async () => {
    await front?.stop();
    await blobStore?.stop();
    await registry?.stop();
  });

  it('uploads through absolute Locations and downloads through redirects on another origin without sending it credentials', async () => {
    const client = new RegistryClient({ authorize: createAuthorizer({ credentials: async (host) => (host === frontAddress ? { username: 'hashdock', password: PASSWORD } : undefined) }) });
    const rootImage = await localRootImage();
    const colon = rootImage.lastIndexOf(':');
    const source = { client: new RegistryClient(), repository: rootImage.slice(0, colon), digest: (await hasTag(new RegistryClient(), rootImage.slice(0, colon), rootImage.slice(colon + 1)))! };
    const target = `${frontAddress}/transport/root`;
    const result = await promoteImage({ source, target: { client, repository: target }, tags: ['1'] });
    expect(result.blobs.copied).toBeGreaterThan(0);
    expect(await hasTag(client, target, '1')).toBe(source.digest);

    // Download a layer back: the registry answers 307 to the blob origin.
    const manifest = await getManifest(client, target, source.digest);
    const layer = references(manifest).blobs.at(-1)!;
    const response = await client.request(target, { method: 'GET', path: `blobs/${layer.digest}`, expect: [200] });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(layer.digest);

    expect(blobStoreSaw.filter((seen) => seen.method === 'PATCH' || seen.method === 'PUT').length).toBeGreaterThan(0);
    expect(blobStoreSaw.filter((seen) => seen.method === 'GET').length).toBeGreaterThan(0);
    expect(blobStoreSaw.filter((seen) => seen.authorization)).toEqual([]);
  });
});

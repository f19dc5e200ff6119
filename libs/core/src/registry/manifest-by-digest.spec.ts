import { createHash } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBaseDigest } from '../image/external-bases';
import { RegistryClient } from './client';
import { DOCKER_MANIFEST } from './media-types';

// Registries and proxies that take no HEAD (405, 501) or send no headers with it: faults the local
// Distribution does not produce. HEAD-first against a real registry is in manifest-by-digest.int.spec.ts.
describe('resolving a base where HEAD does not answer', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] });
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

  async function serve(head: (res: import('node:http').ServerResponse) => void, get: (res: import('node:http').ServerResponse) => void): Promise<{ host: string; methods: string[] }> {
    const methods: string[] = [];
    server = createServer((req, res) => {
      methods.push(req.method!);
      if (req.method === 'HEAD') head(res);
      else get(res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, methods };
  }

  it.each([405, 501])('HEAD answered %i: the manifest is read by its tag', async (status) => {
    const { host, methods } = await serve(
      (res) => res.writeHead(status).end(),
      (res) => res.writeHead(200, { 'content-type': DOCKER_MANIFEST }).end(manifest),
    );
    expect(await resolveBaseDigest(new RegistryClient(), `${host}/acme/base:1`, 'linux/amd64')).toEqual({ digest, repository: `${host}/acme/base` });
    expect(methods).toEqual(['HEAD', 'GET']);
  });

  it('HEAD without a digest or media type: the manifest is read by its tag', async () => {
    const { host, methods } = await serve(
      (res) => res.writeHead(200).end(),
      (res) => res.writeHead(200, { 'content-type': DOCKER_MANIFEST }).end(manifest),
    );
    expect(await resolveBaseDigest(new RegistryClient(), `${host}/acme/base:1`, 'linux/amd64')).toEqual({ digest, repository: `${host}/acme/base` });
    expect(methods).toEqual(['HEAD', 'GET']);
  });

  it('no HEAD and no such tag: named as not in its registry', async () => {
    const { host } = await serve(
      (res) => res.writeHead(405).end(),
      (res) => res.writeHead(404).end(),
    );
    await expect(resolveBaseDigest(new RegistryClient(), `${host}/acme/base:1`, 'linux/amd64')).rejects.toThrow(`${host}/acme/base:1 is not in its registry (404 at http://${host}/v2/acme/base/manifests/1)`);
  });
});

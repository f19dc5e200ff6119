import { createHash, randomBytes } from 'node:crypto';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../../../e2e/support/environment';
import { RegistryClient, runCommand } from '../../../core/src/index';
import { createCacheServer } from '../cache-server';
import { NX_CACHE_ARTIFACT_TYPE, RegistryStorage } from './registry-storage';

const environment = await checkEnvironment({ skopeo: true });
const MiB = 1024 * 1024;
const text = async (entry: { stream: Readable } | undefined) => (entry ? Buffer.concat(await entry.stream.toArray()).toString() : undefined);

/** `count` MiB that do not compress, generated as they are read. */
function generated(count: number): { stream: () => Readable; digest: string } {
  const block = randomBytes(MiB);
  const part = (i: number) => {
    block.writeUInt32BE(i, 0);
    return Buffer.from(block);
  };
  const hash = createHash('sha256');
  for (let i = 0; i < count; i++) hash.update(part(i));
  return { stream: () => Readable.from((function* () { for (let i = 0; i < count; i++) yield Buffer.from(part(i)); })()), digest: hash.digest('hex') };
}

describe.skipIf(!environment.available)('cache entries stored as OCI artifacts in the real local registry', () => {
  it('stores, reads back, and refuses to replace an entry', async () => {
    const repository = `localhost:5000/cache-int-${Date.now().toString(36)}/nx-cache`;
    const storage = new RegistryStorage(new RegistryClient(), repository);
    const entry = 'a tar archive, as far as the cache is concerned';
    expect(await storage.get('12345')).toBeUndefined();
    expect(await storage.put('12345', Readable.from([Buffer.from(entry)]), 1024)).toBe('created');
    expect(await text(await storage.get('12345'))).toBe(entry);
    expect(await storage.put('12345', Readable.from([Buffer.from('poison')]), 1024)).toBe('exists');
    expect(await text(await storage.get('12345'))).toBe(entry);
    // Any OCI client sees a normal OCI artifact.
    const { stdout } = await runCommand('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${repository}:nx-12345`]);
    expect(JSON.parse(stdout)).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: NX_CACHE_ARTIFACT_TYPE, layers: [{ size: Buffer.byteLength(entry) }] });
  });

  it('a 96 MiB entry through the cache server: streamed in, uploaded in chunks, streamed back byte for byte; one over the limit is refused', async () => {
    const repository = `localhost:5000/cache-int-${Date.now().toString(36)}/nx-cache`;
    const client = new RegistryClient({ upload: { chunkSize: 16 * MiB } });
    const server: Server = createCacheServer({ storage: new RegistryStorage(client, repository), readWriteTokens: ['rw'], readOnlyTokens: [], maxEntryBytes: 100 * MiB });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/cache`;
      const entry = generated(96);
      const put = await fetch(`${base}/777`, { method: 'PUT', headers: { authorization: 'Bearer rw' }, body: Readable.toWeb(entry.stream()) as ReadableStream, duplex: 'half' } as RequestInit);
      expect(put.status).toBe(200);
      expect(client.stats.requests.PATCH).toBe(6);
      const got = await fetch(`${base}/777`, { headers: { authorization: 'Bearer rw' } });
      expect(got.headers.get('content-length')).toBe(String(96 * MiB));
      const hash = createHash('sha256');
      for await (const chunk of got.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
      expect(hash.digest('hex')).toBe(entry.digest);

      // No Content-Length (chunked transfer): refused once past the limit, nothing stored.
      const tooBig = await fetch(`${base}/778`, { method: 'PUT', headers: { authorization: 'Bearer rw' }, body: Readable.toWeb(generated(101).stream()) as ReadableStream, duplex: 'half' } as RequestInit).catch((error: Error) => error);
      if (!(tooBig instanceof Error)) expect(tooBig.status).toBe(413);
      expect((await fetch(`${base}/778`, { headers: { authorization: 'Bearer rw' } })).status).toBe(404);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

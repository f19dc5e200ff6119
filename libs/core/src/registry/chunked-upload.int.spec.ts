import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, LOCAL_REGISTRY } from '../../../../e2e/support/environment';
import { forward, HttpProxy } from '../../../../e2e/support/http-proxy';
import { openFilesUnder } from '../../../../e2e/support/open-files';
import { fileSource } from './blob-source';
import { uploadBlob } from './blobs';
import { RegistryClient } from './client';

const environment = await checkEnvironment();
const MiB = 1024 * 1024;

/** A file of `size` bytes that does not compress (1 MiB of random bytes, each copy made distinct), and its digest. */
async function makeBlob(path: string, size: number): Promise<string> {
  const block = randomBytes(MiB);
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    for (let offset = 0; offset < size; offset += MiB) {
      block.writeUInt32BE(offset / MiB, 0);
      const part = block.subarray(0, Math.min(MiB, size - offset));
      hash.update(part);
      await file.write(part);
    }
  } finally {
    await file.close();
  }
  return `sha256:${hash.digest('hex')}`;
}

/** What the registry serves for the blob, hashed as it streams. */
async function servedDigest(client: RegistryClient, repository: string, digest: string): Promise<{ digest: string; size: number }> {
  const response = await client.request(repository, { method: 'GET', path: `blobs/${digest}`, expect: [200] });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/**
 * Chunked, resumable uploads against the real registry. The faults (a
 * connection dropped mid-upload, a registry that refuses one-request uploads)
 * are made by a proxy in front of it; what the registry does about them
 * (keeps the bytes, or drops a session cut off half-written) is its own.
 */
describe.skipIf(!environment.available)('chunked uploads (real registry behind a fault proxy)', () => {
  let dir = '';
  let proxy: HttpProxy;
  let address = '';
  /** Per request: return true when the fault handled it. */
  let fault: (incoming: IncomingMessage, outgoing: ServerResponse) => boolean = () => false;
  const seen: string[] = [];
  const cleanup: { repository: string; digest: string }[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-chunked-'));
    proxy = await HttpProxy.start((incoming, outgoing) => {
      seen.push(`${incoming.method} ${incoming.headers['content-range'] ?? ''}`.trim());
      if (fault(incoming, outgoing)) return;
      forward(LOCAL_REGISTRY, incoming, outgoing, { headers: { ...incoming.headers, host: address } });
    });
    address = proxy.address;
  });
  // Whatever a fault did to a request, the upload let go of the file it read (none left to the garbage collector).
  afterEach(async () => expect(await openFilesUnder(dir)).toBe(0));
  afterAll(async () => {
    const client = new RegistryClient();
    for (const blob of cleanup) await client.request(blob.repository, { method: 'DELETE', path: `blobs/${blob.digest}`, expect: [202, 404, 405] }).catch(() => undefined);
    await proxy?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a 300 MiB blob goes in chunks; a connection dropped in the middle is resumed from the range the registry reports, and the digest checks out', async () => {
    const size = 300 * MiB;
    const path = join(dir, 'big.bin');
    const digest = await makeBlob(path, size);
    const repository = `${address}/chunked-${Date.now().toString(36)}/big`;
    cleanup.push({ repository: `${LOCAL_REGISTRY}/${repository.slice(address.length + 1)}`, digest });
    // The 5th chunk's connection is reset as it arrives, before the registry gets a byte of it.
    let patches = 0;
    fault = (incoming) => {
      if (incoming.method !== 'PATCH' || ++patches !== 5) return false;
      incoming.socket.destroy();
      return true;
    };
    seen.length = 0;
    const logs: string[] = [];
    const client = new RegistryClient({ upload: { chunkSize: 32 * MiB } });
    await uploadBlob(client, repository, digest, fileSource(path), size, { log: (line) => logs.push(line) });

    expect(logs).toEqual([expect.stringMatching(new RegExp(`interrupted at byte ${4 * 32 * MiB} .*the registry holds ${4 * 32 * MiB} bytes, resuming from there`))]);
    // 10 chunks (the last 12 MiB) + the one dropped; one PUT with no body; one status GET.
    expect(seen.filter((line) => line.startsWith('PATCH'))).toHaveLength(11);
    expect(seen.filter((line) => line.startsWith('PUT'))).toHaveLength(1);
    expect(seen.filter((line) => line === 'GET')).toHaveLength(1);
    expect(client.stats.bytesSent).toBeLessThanOrEqual(size + 32 * MiB);
    expect(await servedDigest(client, repository, digest)).toEqual({ digest, size });
  });

  it('a chunk cut off half-written: the registry drops the session, the upload starts again and completes', async () => {
    const size = 80 * MiB;
    const path = join(dir, 'cut.bin');
    const digest = await makeBlob(path, size);
    const repository = `${address}/chunked-${Date.now().toString(36)}/cut`;
    cleanup.push({ repository: `${LOCAL_REGISTRY}/${repository.slice(address.length + 1)}`, digest });
    // The 2nd chunk reaches the registry for 5 MiB, then both connections are cut.
    let patches = 0;
    fault = (incoming, outgoing) => {
      if (incoming.method !== 'PATCH' || ++patches !== 2) return false;
      forward(LOCAL_REGISTRY, incoming, outgoing, { headers: { ...incoming.headers, host: address } });
      let forwarded = 0;
      incoming.on('data', (chunk: Buffer) => {
        forwarded += chunk.length;
        if (forwarded > 5 * MiB) {
          incoming.unpipe();
          incoming.socket.destroy();
        }
      });
      return true;
    };
    const logs: string[] = [];
    const client = new RegistryClient({ upload: { chunkSize: 16 * MiB } });
    await uploadBlob(client, repository, digest, fileSource(path), size, { log: (line) => logs.push(line) });
    expect(logs).toEqual([expect.stringContaining('the registry dropped the session; starting it again')]);
    expect(await servedDigest(client, repository, digest)).toEqual({ digest, size });
  });

  it('a registry that refuses one-request uploads (413) gets the blob in chunks, and says so', async () => {
    const size = 3 * MiB + 5;
    const path = join(dir, 'small.bin');
    const digest = await makeBlob(path, size);
    const repository = `${address}/chunked-${Date.now().toString(36)}/small`;
    fault = (incoming, outgoing) => {
      if (incoming.method !== 'PUT' || Number(incoming.headers['content-length'] ?? 0) === 0) return false;
      incoming.resume();
      outgoing.writeHead(413, { 'content-type': 'text/plain' }).end('request entity too large');
      return true;
    };
    seen.length = 0;
    const logs: string[] = [];
    const client = new RegistryClient({ upload: { chunkSize: MiB } });
    await uploadBlob(client, repository, digest, fileSource(path), size, { log: (line) => logs.push(line) });
    expect(logs).toEqual([expect.stringContaining('refused sha256:')]);
    expect(logs[0]).toContain('(413 request entity too large); uploading it in chunks');
    expect(seen.filter((line) => line.startsWith('PATCH'))).toEqual(['PATCH 0-1048575', 'PATCH 1048576-2097151', 'PATCH 2097152-3145727', 'PATCH 3145728-3145732']);
    expect(await servedDigest(client, repository, digest)).toEqual({ digest, size });
    fault = () => false;
  });
});

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCacheServer } from './cache-server';
import { DirectoryStorage } from './storage/directory-storage';

describe('Nx self-hosted cache server (directory storage)', () => {
  let dir = '';
  let server: Server;
  let base = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-cache-'));
    server = createCacheServer({ storage: new DirectoryStorage(dir), readWriteTokens: ['rw-token'], readOnlyTokens: ['ro-token'], maxEntryBytes: 1024 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/cache`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const call = (method: string, hash: string, token?: string, body?: string) =>
    fetch(`${base}/${hash}`, { method, body, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it.each([
    ['PUT', '100', 'rw-token', 'entry-100', 200],
    ['GET', '100', 'rw-token', undefined, 200],
    ['GET', '100', 'ro-token', undefined, 200],
    ['GET', '404404', 'ro-token', undefined, 404],
    ['PUT', '200', 'ro-token', 'poison', 403],
    ['PUT', '100', 'rw-token', 'replacement', 409],
    ['PUT', '100', 'ro-token', 'replacement', 403],
    ['GET', '100', undefined, undefined, 401],
    ['GET', '100', 'wrong', undefined, 401],
    ['PUT', '300', 'rw-token', 'x'.repeat(2048), 413],
    ['GET', '..%2Fetc', 'rw-token', undefined, 400],
    ['DELETE', '100', 'rw-token', undefined, 405],
  ])('%s %s with %s → %i', async (method, hash, token, body, status) => {
    expect((await call(method, hash, token, body)).status).toBe(status);
  });

  it('never replaced the first entry, and the read-only token wrote nothing', async () => {
    expect(await (await call('GET', '100', 'ro-token')).text()).toBe('entry-100');
    expect((await call('GET', '200', 'rw-token')).status).toBe(404);
    expect((await readdir(dir)).filter((name) => !name.startsWith('.')).sort()).toEqual(['100']);
    expect(await readdir(join(dir, '.incoming'))).toEqual([]);
  });
});

import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from './client';
import { RegistryAuthError, RegistryResponseError, RegistryUnreachableError } from './errors';
import { MANIFEST_ACCEPT } from './media-types';
import { hasTag } from './tag-exists';

// Faults a real registry will not produce on demand (500, dropped connections, missing
// headers) come from this fake; presence, absence and 401 are tested against Distribution
// in registry.int.spec.ts.
describe('hasTag against faults', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('sends all four manifest types and reads the digest header', async () => {
    let accept = '';
    const host = await serve((req, res) => {
      accept = req.headers.accept ?? '';
      res.writeHead(200, { 'docker-content-digest': `sha256:${'c'.repeat(64)}` }).end();
    });
    expect(await hasTag(new RegistryClient(), `${host}/x/y`, 'abc')).toBe(`sha256:${'c'.repeat(64)}`);
    expect(accept).toBe(MANIFEST_ACCEPT);
  });

  it('computes the digest from the bytes when the header is missing', async () => {
    const host = await serve((req, res) => res.writeHead(200).end(req.method === 'GET' ? '{"schemaVersion":2}' : undefined));
    expect(await hasTag(new RegistryClient(), `${host}/x/y`, 'abc')).toBe(await sha('{"schemaVersion":2}'));
  });

  it.each([500, 502, 429, 400])('reads %i as an error naming the URL, never as absent', async (status) => {
    const host = await serve((_, res) => res.writeHead(status).end());
    const error = await hasTag(new RegistryClient(), `${host}/x/y`, 'abc').catch((e) => e);
    expect(error).toBeInstanceOf(RegistryResponseError);
    expect(error.message).toContain(`http://${host}/v2/x/y/manifests/abc`);
    expect(error.message).toContain(String(status));
  });

  it('reads 401 without credentials as RegistryAuthError naming the repository', async () => {
    const host = await serve((_, res) => res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end());
    const error = await hasTag(new RegistryClient(), `${host}/x/y`, 'abc').catch((e) => e);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect(error.message).toContain(`${host}/x/y`);
  });

  it('reads a dropped connection as unreachable', async () => {
    const host = await serve((req) => req.socket.destroy());
    await expect(hasTag(new RegistryClient(), `${host}/x/y`, 'abc')).rejects.toBeInstanceOf(RegistryUnreachableError);
  });

  it('times out a registry that never answers', async () => {
    const host = await serve(() => undefined);
    const error = await hasTag(new RegistryClient({ timeoutMs: 200 }), `${host}/x/y`, 'abc').catch((e) => e);
    expect(error).toBeInstanceOf(RegistryUnreachableError);
    expect(error.message).toMatch(/timeout|aborted/i);
  });
});

async function sha(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

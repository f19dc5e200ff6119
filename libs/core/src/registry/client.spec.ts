import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient, retryAfterMs } from './client';
import { RegistryResponseError } from './errors';
import { hasTag } from './tag-exists';

// Faults a real registry will not produce on demand: 429, 5xx, dropped connections.
describe('RegistryClient retries', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(answers: ((res: import('node:http').ServerResponse, req: import('node:http').IncomingMessage) => void)[]): Promise<{ host: string; hits: () => number }> {
    let hits = 0;
    server = createServer((req, res) => answers[Math.min(hits++, answers.length - 1)](res, req));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
  }
  const ok = (res: import('node:http').ServerResponse) => res.writeHead(200, { 'docker-content-digest': `sha256:${'d'.repeat(64)}` }).end();

  it('honours Retry-After on 429 and then succeeds', async () => {
    const slept: number[] = [];
    const { host, hits } = await serve([(res) => res.writeHead(429, { 'retry-after': '2' }).end(), ok]);
    const client = new RegistryClient({ sleep: async (ms) => void slept.push(ms) });
    expect(await hasTag(client, `${host}/a/b`, 't')).toBe(`sha256:${'d'.repeat(64)}`);
    expect(slept).toEqual([2000]);
    expect(hits()).toBe(2);
    expect(client.stats.retries).toBe(1);
  });

  it('backs off exponentially on 5xx and dropped connections, bounded', async () => {
    const slept: number[] = [];
    const { host, hits } = await serve([(res) => res.writeHead(503).end(), (_, req) => req.socket.destroy(), ok]);
    const client = new RegistryClient({ sleep: async (ms) => void slept.push(ms), retry: { baseDelayMs: 100 } });
    expect(await hasTag(client, `${host}/a/b`, 't')).toBe(`sha256:${'d'.repeat(64)}`);
    expect(slept).toEqual([100, 200]);
    expect(hits()).toBe(3);
  });

  it('gives up after the retry budget with the last status', async () => {
    const { host, hits } = await serve([(res) => res.writeHead(500).end()]);
    const client = new RegistryClient({ sleep: async () => undefined, retry: { retries: 2 } });
    const error = await hasTag(client, `${host}/a/b`, 't').catch((e) => e);
    expect(error).toBeInstanceOf(RegistryResponseError);
    expect(error.status).toBe(500);
    expect(hits()).toBe(3);
  });

  it('does not wait longer than maxDelayMs for a Retry-After: the 429 is reported', async () => {
    const { host, hits } = await serve([(res) => res.writeHead(429, { 'retry-after': '3600' }).end()]);
    const error = await hasTag(new RegistryClient({ sleep: async () => undefined }), `${host}/a/b`, 't').catch((e) => e);
    expect(error.message).toContain('answered 429');
    expect(hits()).toBe(1);
  });

  it.each([
    ['5', 5000],
    ['Wed, 21 Oct 2015 07:28:05 GMT', 5000],
    ['soon', undefined],
    [null, undefined],
  ])('retryAfterMs(%j)', (header, expected) => {
    expect(retryAfterMs(header, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(expected);
  });
});

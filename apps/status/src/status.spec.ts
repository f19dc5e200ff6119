import { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusServer, parseChecks } from './status';

describe('status', () => {
  const healthy = createStatusServer([]);
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(healthy.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => healthy.close(() => resolve())));

  it('parses CHECKS', () => {
    expect(parseChecks('api=http://a/health, b=http://b/h')).toEqual([
      { name: 'api', url: 'http://a/health' },
      { name: 'b', url: 'http://b/h' },
    ]);
    expect(() => parseChecks('nope')).toThrow(/not name=url/);
  });

  it('reports a failing dependency as 503', async () => {
    const server = createStatusServer([{ name: 'self', url: `${base}/health` }, { name: 'down', url: 'http://127.0.0.1:9/health' }]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const response = await fetch(`http://127.0.0.1:${port}/status`);
    const body = (await response.json()) as { checks: { name: string; ok: boolean }[] };
    server.close();
    expect(response.status).toBe(503);
    expect(body.checks.map((check) => [check.name, check.ok])).toEqual([['self', true], ['down', false]]);
  });
});

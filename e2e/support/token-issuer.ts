import { createSign, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@hashdock/core';

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/**
 * A small token issuer for Distribution's `auth.token`: Basic credentials in,
 * an RS256 JWT out, signed by a self-signed certificate the registry trusts
 * (`rootcertbundle`) and named in the token's `x5c` header.
 */
export class TokenIssuer {
  readonly requests: { scope: string | null; scopes: string[]; user: string | null }[] = [];
  /** Leave out each requested scope this answers true for (a token service that denies some access). */
  deny: ((scope: string, requested: string[]) => boolean) | undefined;
  /** Statuses to answer with, in order, before issuing again (a failing token service). */
  readonly faults: number[] = [];
  /** Lifetime of issued tokens, in seconds. */
  ttlSeconds = 300;

  private constructor(
    private readonly server: Server,
    readonly realm: string,
    readonly certFile: string,
    private readonly dir: string,
  ) {}

  static readonly service = 'hashdock-test-registry';
  static readonly issuer = 'hashdock-test-issuer';

  static async start(users: Record<string, string>): Promise<TokenIssuer> {
    const dir = await mkdtemp(join(tmpdir(), 'hashdock-issuer-'));
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=hashdock-test-issuer']);
    const key = await readFile(keyFile, 'utf8');
    const certDer = (await readFile(certFile, 'utf8')).replace(/-----[^-]+-----|\s/g, '');
    let issuer: TokenIssuer | undefined;
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://issuer');
      const header = request.headers.authorization ?? '';
      const [user, password] = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString().split(':') : [null, null];
      issuer?.requests.push({ scope: url.searchParams.get('scope'), scopes: url.searchParams.getAll('scope').flatMap((scope) => scope.split(' ')), user });
      const fault = issuer?.faults.shift();
      if (fault) {
        response.writeHead(fault, { 'content-type': 'application/json' }).end('{"details":"token service failing"}');
        return;
      }
      if (user === null || users[user] !== password) {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}');
        return;
      }
      const requested = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' '));
      const access = requested.filter((scope) => !issuer?.deny?.(scope, requested)).flatMap((scope) => {
        const [type, name, actions] = scope.split(':');
        return type === 'repository' ? [{ type, name, actions: actions.split(',') }] : [];
      });
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: TokenIssuer.issuer, sub: user, aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: randomUUID(), access };
      const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
      const body = b64url(JSON.stringify(claims));
      const signature = createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${head}.${body}.${signature}`, expires_in: issuer?.ttlSeconds ?? 300 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = new TokenIssuer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, certFile, dir);
    return issuer;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}

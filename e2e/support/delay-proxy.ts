import { createHash } from 'node:crypto';
import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ManifestPut {
  path: string;
  /** sha256 of the body: the digest the registry will store. */
  digest: string;
  status?: number;
}

/**
 * An HTTP proxy in front of a registry that delays every manifest PUT by a
 * random 0..maxDelayMs and logs it: the widest window two concurrent pushes
 * of one tag can meet in. Everything else passes straight through.
 */
export class DelayProxy {
  readonly puts: ManifestPut[] = [];

  private constructor(private readonly server: Server, readonly address: string) {}

  static async start(upstream: string, maxDelayMs: number, random: () => number = Math.random): Promise<DelayProxy> {
    const [host, port] = upstream.split(':');
    let proxy: DelayProxy | undefined;
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      const isManifestPut = incoming.method === 'PUT' && /\/manifests\/[^/]+$/.test(incoming.url ?? '');
      const forward = (body?: Buffer) => {
        const upstreamRequest = request({ host, port: Number(port), method: incoming.method, path: incoming.url, headers: incoming.headers }, (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        });
        upstreamRequest.on('error', () => outgoing.destroy());
        if (body) upstreamRequest.end(body);
        else incoming.pipe(upstreamRequest);
      };
      if (!isManifestPut) return forward();
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        proxy?.puts.push({ path: incoming.url ?? '', digest: `sha256:${createHash('sha256').update(body).digest('hex')}` });
        setTimeout(() => forward(body), Math.floor(random() * maxDelayMs));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new DelayProxy(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Distinct digests PUT under one exact manifest reference (a tag). */
  digestsPutAt(repositoryPath: string, reference: string): string[] {
    return [...new Set(this.puts.filter((put) => put.path === `/v2/${repositoryPath}/manifests/${reference}`).map((put) => put.digest))];
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

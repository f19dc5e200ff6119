import { createHash } from 'node:crypto';
import { forward, HttpProxy } from './http-proxy';

export interface ManifestPut {
  path: string;
  /** sha256 of the body: the digest the registry will store. */
  digest: string;
}

/**
 * An HTTP proxy in front of a registry that delays every manifest PUT by a
 * random 0..maxDelayMs and logs it: the widest window two concurrent pushes
 * of one tag can meet in. Everything else passes straight through.
 */
export class DelayProxy {
  readonly puts: ManifestPut[] = [];
  private proxy: HttpProxy | undefined;

  get address(): string {
    return this.proxy!.address;
  }

  static async start(upstream: string, maxDelayMs: number, random: () => number = Math.random): Promise<DelayProxy> {
    const delay = new DelayProxy();
    delay.proxy = await HttpProxy.start((incoming, outgoing) => {
      if (incoming.method !== 'PUT' || !/\/manifests\/[^/]+$/.test(incoming.url ?? '')) return forward(upstream, incoming, outgoing);
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        delay.puts.push({ path: incoming.url ?? '', digest: `sha256:${createHash('sha256').update(body).digest('hex')}` });
        setTimeout(() => forward(upstream, incoming, outgoing, { body }), Math.floor(random() * maxDelayMs));
      });
    });
    return delay;
  }

  /** Distinct digests PUT under one exact manifest reference (a tag). */
  digestsPutAt(repositoryPath: string, reference: string): string[] {
    return [...new Set(this.puts.filter((put) => put.path === `/v2/${repositoryPath}/manifests/${reference}`).map((put) => put.digest))];
  }

  stop(): Promise<void> {
    return this.proxy?.stop() ?? Promise.resolve();
  }
}

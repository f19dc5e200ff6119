import { createHash } from 'node:crypto';
import { forward, HttpProxy } from './http-proxy';

export interface ManifestPut {
  path: string;
  /** sha256 of the body: the digest the registry will store. */
  digest: string;
}

export interface DelayOptions {
  /**
   * Manifest PUTs for which this returns a key wait for a second PUT with the
   * same key (at most `meetMs`) before either goes on: two runs' pushes are
   * made to overlap, whatever the speed of the machine that runs them.
   */
  meet?: (path: string) => string | undefined;
  meetMs?: number;
  random?: () => number;
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

  static async start(upstream: string, maxDelayMs: number, options: DelayOptions = {}): Promise<DelayProxy> {
    const random = options.random ?? Math.random;
    const delay = new DelayProxy();
    const waiting = new Map<string, () => void>();
    delay.proxy = await HttpProxy.start((incoming, outgoing) => {
      if (incoming.method !== 'PUT' || !/\/manifests\/[^/]+$/.test(incoming.url ?? '')) return forward(upstream, incoming, outgoing);
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        delay.puts.push({ path: incoming.url ?? '', digest: `sha256:${createHash('sha256').update(body).digest('hex')}` });
        const go = () => setTimeout(() => forward(upstream, incoming, outgoing, { body }), Math.floor(random() * maxDelayMs));
        const key = options.meet?.(incoming.url ?? '');
        if (key === undefined) return go();
        const partner = waiting.get(key);
        if (partner) {
          waiting.delete(key);
          partner();
          return go();
        }
        const timer = setTimeout(() => waiting.delete(key) && go(), options.meetMs ?? 60_000);
        waiting.set(key, () => {
          clearTimeout(timer);
          go();
        });
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

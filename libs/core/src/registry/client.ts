import { isLoopbackRegistry } from './loopback';
import { parseRepository, Repository } from './reference';
import { RegistryAuthError, RegistryResponseError, RegistryUnreachableError } from './errors';

/**
 * Given the registry's `WWW-Authenticate` challenge, return an Authorization
 * header value, or undefined when no credentials apply (see auth.ts). Without
 * one, a 401 is a RegistryAuthError. `cached` lets the client send a known
 * token up front instead of collecting a 401 first.
 */
export type Authorizer = ((challenge: string, repository: Repository, scope: 'pull' | 'push', extraScopes?: readonly string[], rejected?: string) => Promise<string | undefined>) & {
  cached?: (repository: Repository, scope: 'pull' | 'push', extraScopes?: readonly string[]) => string | undefined;
};

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RegistryClientOptions {
  timeoutMs?: number;
  authorize?: Authorizer;
  /** Force http for these hosts besides loopback (registry host with port). */
  insecureRegistries?: readonly string[];
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  upload?: Partial<UploadPolicy>;
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Path after `/v2/<repository>/`, or an absolute URL (upload locations). */
  path: string;
  headers?: Record<string, string>;
  /**
   * A stream is sent once (never retried); a function that opens the stream
   * afresh makes the request replayable (retries, and a 401 that forces re-authentication).
   */
  body?: Uint8Array<ArrayBuffer> | string | ReadableStream<Uint8Array> | (() => Promise<ReadableStream<Uint8Array>>);
  scope?: 'pull' | 'push';
  /** Further token scopes the request needs, e.g. `repository:<source>:pull` for a cross-repository mount. */
  scopes?: readonly string[];
  /** Statuses the caller reads itself instead of getting a RegistryResponseError. */
  expect: readonly number[];
  /**
   * Send once: no retry after a dropped connection or a 5xx (a 401 still
   * re-authenticates). For requests whose effect on failure is unknown, such as
   * an upload chunk the registry may have partly written; the caller asks the
   * registry where it stands instead.
   */
  once?: boolean;
}

/** When blobs are uploaded in chunks (POST → PATCH… → PUT) instead of one PUT. */
export interface UploadPolicy {
  /** Bytes per PATCH (default 8 MiB; ECR needs at least 5 MiB for every chunk but the last). */
  chunkSize: number;
  /** Blobs larger than this go in chunks (default 16 MiB); smaller ones in one PUT unless the registry refuses it. */
  chunkedAbove: number;
  /** Interruptions an upload survives (resumed or restarted) before it fails (default 5). */
  maxInterruptions: number;
}

// fetch reads a streamed request body ahead of the socket (here: 384 MiB of RSS for a 300 MiB blob in
// one PUT), so what one request carries is what one upload holds in memory at worst: keep it small.
export const DEFAULT_UPLOAD_POLICY: UploadPolicy = { chunkSize: 8 * 1024 * 1024, chunkedAbove: 16 * 1024 * 1024, maxInterruptions: 5 };

/** What one client did: for logs and for showing that a promotion moved no blob bytes. */
export interface RegistryStats {
  requests: Record<string, number>;
  retries: number;
  bytesSent: number;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

/** Seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Distribution v2 HTTP client: timeouts, bounded retries, auth hook. One per configuration, no global state. */
export class RegistryClient {
  readonly stats: RegistryStats = { requests: {}, retries: 0, bytesSent: 0 };
  /**
   * Manifests and small blobs read by digest (`<repository>@<digest>` → bytes): content-addressed, so
   * never stale. Bounded; one per client, so a process building many images reads a base once.
   */
  readonly byDigest = new Map<string, Uint8Array<ArrayBuffer>>();
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  readonly upload: UploadPolicy;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = { retries: 3, baseDelayMs: 200, maxDelayMs: 10_000, ...options.retry };
    this.upload = { ...DEFAULT_UPLOAD_POLICY, ...options.upload };
  }

  baseUrl(registry: string): string {
    // Loopback registries speak plain HTTP, as Docker assumes; everything else HTTPS.
    const insecure = isLoopbackRegistry(registry) || (this.options.insecureRegistries ?? []).includes(registry);
    // `localhost` is loopback for docker too; connecting to 127.0.0.1 skips a name lookup and an
    // IPv6 attempt on every request (about 10 ms each here). A registry on ::1 only is written [::1].
    const host = registry.replace(/^localhost(?=:|$)/, '127.0.0.1');
    return `${insecure ? 'http' : 'https'}://${host}`;
  }

  url(repository: Repository, path: string): string {
    if (/^https?:\/\//.test(path)) return path;
    if (path.startsWith('/')) return `${this.baseUrl(repository.registry)}${path}`;
    return `${this.baseUrl(repository.registry)}/v2/${repository.path}/${path}`;
  }

  async request(repositoryName: string | Repository, request: RegistryRequest): Promise<Response> {
    const repository = typeof repositoryName === 'string' ? parseRepository(repositoryName) : repositoryName;
    const scope = request.scope ?? 'pull';
    const url = this.url(repository, request.path);
    // Credentials belong to the registry's own origin: an absolute upload Location elsewhere gets none.
    const own = this.ownOrigin(repository, url);
    let authorization = own ? this.options.authorize?.cached?.(repository, scope, request.scopes) : undefined;
    let response = await this.sendWithRetry(url, request, authorization, repository);
    if (response.status === 401 && this.options.authorize && own) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      await response.body?.cancel();
      // The value just refused (if any) is never offered again: a cached token that lacks the access is replaced.
      authorization = await this.options.authorize(challenge, repository, scope, request.scopes, authorization);
      if (authorization) response = await this.sendWithRetry(url, request, authorization, repository);
    }
    if (request.expect.includes(response.status)) return response;
    const body = request.method === 'HEAD' ? '' : await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) throw new RegistryAuthError(url, repository.name, response.status);
    throw new RegistryResponseError(request.method, url, response.status, body);
  }

  /** Whether `url` is on the registry's own origin (scheme, host and port), the only place credentials go. */
  private ownOrigin(repository: Repository, url: string): boolean {
    return new URL(url).origin === new URL(this.baseUrl(repository.registry)).origin;
  }

  private async sendWithRetry(url: string, request: RegistryRequest, authorization: string | undefined, repository: Repository): Promise<Response> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    // A stream cannot be sent twice.
    const attempts = request.body instanceof ReadableStream || request.once ? 1 : this.retry.retries + 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        // A replayable body is opened afresh for every attempt.
        const body = typeof request.body === 'function' ? await request.body() : request.body;
        response = await this.send(url, { ...request, body }, authorization, repository);
      } catch (error) {
        if (attempt >= attempts) throw error;
        this.stats.retries++;
        await sleep(this.backoff(attempt));
        continue;
      }
      if (!RETRYABLE.has(response.status) || attempt >= attempts || request.expect.includes(response.status)) return response;
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? this.backoff(attempt);
      if (wait > this.retry.maxDelayMs) return response;
      await response.body?.cancel();
      this.stats.retries++;
      await sleep(wait);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
  }

  /**
   * One request, following redirects here rather than in fetch: a hop to
   * another origin (a blob store behind the registry, like S3 or a CDN) is
   * made without the Authorization header, whatever `fetch` would do.
   */
  private async send(url: string, request: RegistryRequest & { body?: Exclude<RegistryRequest['body'], () => unknown> }, authorization: string | undefined, repository: Repository): Promise<Response> {
    let current = url;
    let method = request.method;
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const response = await this.sendOnce(current, { ...request, method, body }, this.ownOrigin(repository, current) ? authorization : undefined);
      const location = response.headers.get('location');
      if (![301, 302, 303, 307, 308].includes(response.status) || !location || hop >= 5 || request.expect.includes(response.status)) return response;
      await response.body?.cancel();
      current = new URL(location, current).toString();
      // 303 (and 301/302 for anything but GET/HEAD, as browsers do) turns into a bodiless GET.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== 'GET' && method !== 'HEAD')) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  private async sendOnce(url: string, request: RegistryRequest & { body?: Exclude<RegistryRequest['body'], () => unknown> }, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (authorization) headers.authorization = authorization;
    this.stats.requests[request.method] = (this.stats.requests[request.method] ?? 0) + 1;
    // The timeout is for silence, not for size: it runs until the answer's headers arrive and is
    // restarted by every chunk of a streamed body sent, so a large upload is never cut for taking long;
    // reading the answer's body is left to the transport's own idle timeout.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`timeout: no progress for ${this.timeoutMs} ms`, 'TimeoutError')), this.timeoutMs);
    let body = request.body;
    if (typeof body === 'string') this.stats.bytesSent += Buffer.byteLength(body);
    else if (body instanceof Uint8Array) this.stats.bytesSent += body.byteLength;
    // A streamed body is read here, chunk by chunk, so it can be let go of when the request settles: fetch does
    // not cancel a body it has stopped reading when the answer comes first (a 413 or 401 before the upload ends),
    // and a body over an open file would hold it until the garbage collector closes it.
    let release = async (): Promise<unknown> => undefined;
    if (body instanceof ReadableStream) {
      const reader = body.getReader();
      const stats = this.stats;
      release = () => reader.cancel().catch(() => undefined);
      body = new ReadableStream<Uint8Array>(
        {
          async pull(streamController) {
            const { done, value } = await reader.read();
            if (done) return streamController.close();
            stats.bytesSent += value.byteLength;
            timer.refresh();
            streamController.enqueue(value);
          },
          cancel: (reason) => reader.cancel(reason),
        },
        { highWaterMark: 0 },
      );
    }
    try {
      return await (this.options.fetch ?? fetch)(url, {
        method: request.method,
        headers,
        body,
        redirect: 'manual',
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
        signal: controller.signal,
      });
    } catch (cause) {
      throw new RegistryUnreachableError(url, cause);
    } finally {
      clearTimeout(timer);
      await release();
    }
  }
}

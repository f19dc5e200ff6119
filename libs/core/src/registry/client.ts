import { isInsecureRegistry, parseRepository, Repository } from './reference';
import { RegistryAuthError, RegistryResponseError, RegistryUnreachableError } from './errors';

/**
 * Given the registry's `WWW-Authenticate` challenge, return an Authorization
 * header value, or undefined when no credentials apply. The registry-auth
 * module plugs in here; without it, a 401 is a RegistryAuthError.
 */
export type Authorizer = (challenge: string, repository: Repository, scope: 'pull' | 'push') => Promise<string | undefined>;

export interface RegistryClientOptions {
  timeoutMs?: number;
  authorize?: Authorizer;
  /** Force http for these hosts besides loopback (registry host with port). */
  insecureRegistries?: readonly string[];
  fetch?: typeof fetch;
}

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  /** Path after `/v2/<repository>/`. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array<ArrayBuffer> | string;
  scope?: 'pull' | 'push';
  /** Statuses the caller reads itself instead of getting a RegistryResponseError. */
  expect: readonly number[];
}

/** Minimal Distribution v2 HTTP client; one instance per configuration, no global state. */
export class RegistryClient {
  private readonly options: Required<Pick<RegistryClientOptions, 'timeoutMs'>> & RegistryClientOptions;

  constructor(options: RegistryClientOptions = {}) {
    this.options = { timeoutMs: 30_000, ...options };
  }

  baseUrl(registry: string): string {
    const insecure = isInsecureRegistry(registry) || (this.options.insecureRegistries ?? []).includes(registry);
    return `${insecure ? 'http' : 'https'}://${registry}`;
  }

  url(repository: Repository, path: string): string {
    return `${this.baseUrl(repository.registry)}/v2/${repository.path}/${path}`;
  }

  async request(repositoryName: string | Repository, request: RegistryRequest): Promise<Response> {
    const repository = typeof repositoryName === 'string' ? parseRepository(repositoryName) : repositoryName;
    const url = this.url(repository, request.path);
    let response = await this.send(url, request, undefined);
    if (response.status === 401 && this.options.authorize) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      await response.body?.cancel();
      const authorization = await this.options.authorize(challenge, repository, request.scope ?? 'pull');
      if (authorization) response = await this.send(url, request, authorization);
    }
    if (request.expect.includes(response.status)) return response;
    const body = request.method === 'HEAD' ? '' : await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403) throw new RegistryAuthError(url, repository.name, response.status);
    throw new RegistryResponseError(request.method, url, response.status, body);
  }

  private async send(url: string, request: RegistryRequest, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    if (authorization) headers.authorization = authorization;
    try {
      return await (this.options.fetch ?? fetch)(url, {
        method: request.method,
        headers,
        body: request.body,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (cause) {
      throw new RegistryUnreachableError(url, cause);
    }
  }
}

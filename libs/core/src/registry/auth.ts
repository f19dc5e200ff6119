import { Authorizer } from './client';
import { parseChallenge } from './challenge';
import { Credentials, resolveCredentials } from './credentials';
import { RegistryTokenError, RegistryUnreachableError } from './errors';
import { Repository } from './reference';

export interface RegistryAuthOptions {
  /** Credentials for a host; defaults to docker's lookup (env, helpers, config.json). */
  credentials?: (host: string) => Promise<Credentials | undefined>;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
  /** Attempts at a token endpoint answering 429/5xx or dropping the connection (default 4). */
  tokenAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

const DEFAULT_TOKEN_SECONDS = 60;

function basic(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`;
}

/**
 * Answers registry challenges like docker does. `Basic` → Basic credentials.
 * `Bearer realm,service,scope` → a token from the realm (Basic credentials or
 * anonymous; an identity token is traded with grant_type=refresh_token),
 * cached per realm, service and scope until it expires. One instance per run:
 * the cache lives here, not in the module.
 */
export function createAuthorizer(options: RegistryAuthOptions = {}): Authorizer & { cached(repository: Repository, scope: 'pull' | 'push', extraScopes?: readonly string[]): string | undefined } {
  const tokens = new Map<string, CachedToken>();
  const schemes = new Map<string, string>();
  const credentialsCache = new Map<string, Promise<Credentials | undefined>>();
  const now = options.now ?? Date.now;
  const getCredentials = (host: string) => {
    let found = credentialsCache.get(host);
    if (!found) credentialsCache.set(host, (found = (options.credentials ?? resolveCredentials)(host)));
    return found;
  };
  const scopeFor = (repository: Repository, scope: 'pull' | 'push') => `repository:${repository.path}:${scope === 'push' ? 'pull,push' : 'pull'}`;
  /** The scope set of a request: ours, any the request adds (a mount's source), any the challenge names. */
  const scopeSet = (repository: Repository, scope: 'pull' | 'push', extra: readonly string[] = [], challenged: string[] = []) =>
    [...new Set([scopeFor(repository, scope), ...extra, ...challenged])].sort();
  const cacheKey = (registry: string, scopes: readonly string[]) => `${registry} ${scopes.join(' ')}`;

  /**
   * A token from the realm. 429/5xx and dropped connections are retried with
   * backoff (Retry-After honoured); a refusal (401/403) is a RegistryTokenError
   * naming the registry and the realm, never an empty token.
   */
  async function fetchToken(registry: string, repositoryName: string, realm: string, service: string | undefined, scopes: readonly string[], credentials: Credentials | undefined): Promise<CachedToken> {
    const doFetch = options.fetch ?? fetch;
    const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    const attempts = options.tokenAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
      let response: Response;
      try {
        if (credentials?.identityToken) {
          const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.identityToken, client_id: 'hashdock', scope: scopes.join(' '), ...(service ? { service } : {}) });
          response = await doFetch(realm, { method: 'POST', body, signal });
        } else {
          const url = new URL(realm);
          if (service) url.searchParams.set('service', service);
          // One `scope` parameter per scope, as docker sends them.
          for (const scope of scopes) url.searchParams.append('scope', scope);
          response = await doFetch(url, { headers: credentials?.password !== undefined ? { authorization: basic(credentials) } : {}, signal });
        }
      } catch (cause) {
        if (attempt < attempts) {
          await sleep(100 * 2 ** (attempt - 1));
          continue;
        }
        throw new RegistryUnreachableError(realm, cause);
      }
      if (response.ok) {
        const json = (await response.json()) as { token?: string; access_token?: string; expires_in?: number };
        const token = json.token ?? json.access_token ?? '';
        if (!token) throw new RegistryTokenError(registry, repositoryName, realm, response.status, 'answered without a token');
        return { value: `Bearer ${token}`, expiresAt: now() + (json.expires_in ?? DEFAULT_TOKEN_SECONDS) * 1000 - 5_000 };
      }
      await response.body?.cancel();
      if ((response.status === 429 || response.status >= 500) && attempt < attempts) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 10_000) : 100 * 2 ** (attempt - 1));
        continue;
      }
      throw new RegistryTokenError(registry, repositoryName, realm, response.status, response.status === 401 || response.status === 403 ? 'refused the credentials' : 'failed');
    }
  }

  const authorize: Authorizer = async (header, repository, scope, extraScopes = [], rejected) => {
    const challenge = parseChallenge(header);
    if (!challenge) return undefined;
    const credentials = await getCredentials(repository.registry);
    schemes.set(repository.registry, challenge.scheme);
    if (challenge.scheme === 'basic') {
      if (!credentials || credentials.password === undefined) return undefined;
      const value = basic(credentials);
      tokens.set(cacheKey(repository.registry, scopeSet(repository, scope, extraScopes)), { value, expiresAt: Number.POSITIVE_INFINITY });
      return value;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) return undefined;
    // A challenge that names a wider scope than the cached token's gets a new token for the union.
    const scopes = scopeSet(repository, scope, extraScopes, (challenge.params.scope ?? '').split(' ').filter(Boolean));
    const key = cacheKey(repository.registry, scopes);
    const hit = tokens.get(key);
    if (hit && hit.expiresAt > now() && !challenge.params.error && hit.value !== rejected) return hit.value || undefined;
    const token = await fetchToken(repository.registry, repository.name, challenge.params.realm, challenge.params.service, scopes, credentials);
    tokens.set(key, token);
    return token.value;
  };

  return Object.assign(authorize, {
    cached(repository: Repository, scope: 'pull' | 'push', extraScopes: readonly string[] = []): string | undefined {
      const hit =
        tokens.get(cacheKey(repository.registry, scopeSet(repository, scope, extraScopes))) ??
        (scope === 'pull' && extraScopes.length === 0 ? tokens.get(cacheKey(repository.registry, scopeSet(repository, 'push'))) : undefined);
      return hit && hit.expiresAt > now() ? hit.value : undefined;
    },
  });
}

import { HashdockError } from '../errors';
import { isLoopbackRegistry } from './loopback';

/** A registry answered something Hashdock cannot read as "present" or "absent". */
export class RegistryError extends HashdockError {
  readonly url: string;
  readonly status: number | undefined;

  constructor(code: string, url: string, message: string, status?: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.url = url;
    this.status = status;
  }
}

export class RegistryResponseError extends RegistryError {
  constructor(method: string, url: string, status: number, body: string) {
    const detail = body.trim().slice(0, 300);
    // Upload URLs carry session state (`_state`): never printed.
    url = displayUrl(url);
    super(
      'REGISTRY_RESPONSE',
      url,
      `${method} ${url} answered ${status}${detail ? `: ${detail}` : ''}. ` +
        'This is neither "present" nor "absent"; check the registry and retry.',
      status,
    );
  }
}

export class RegistryAuthError extends RegistryError {
  readonly repository: string;
  constructor(url: string, repository: string, status: number) {
    url = displayUrl(url);
    super(
      'REGISTRY_AUTH',
      url,
      `Registry refused access to ${repository} (${status} at ${url}). ` +
        'Log in (docker login) or give credentials that may push and pull this repository.',
      status,
    );
    this.repository = repository;
  }
}

/** The token service a registry's challenge names refused or failed to issue a token. */
export class RegistryTokenError extends RegistryError {
  constructor(registry: string, repository: string, realm: string, status: number, what: string) {
    const refused = status === 401 || status === 403;
    super(
      refused ? 'REGISTRY_AUTH' : 'REGISTRY_TOKEN',
      realm,
      `Token service ${realm} for ${registry} ${what} for ${repository} (${status}). ` +
        (refused ? `Log in to ${registry} (docker login) with credentials that may pull and push there.` : 'Retry later; the token service is failing.'),
      status,
    );
  }
}

/** A URL fit for a message: upload URLs carry session state (`_state`) that must not be printed. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return url.replace(/\?.*$/, '?…');
  }
}

/** What to check when a registry cannot be reached: the library's own settings, never this repository's scripts. */
function unreachableHint(url: string, cause: unknown): string {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // not a URL: name it as given
  }
  const code = (error: unknown) => (error as { code?: unknown } | undefined)?.code;
  const refused = code(cause) === 'ECONNREFUSED' || code((cause as { cause?: unknown } | undefined)?.cause) === 'ECONNREFUSED';
  const local = isLoopbackRegistry(host);
  return (
    (refused && local ? `Nothing listens at ${host}: start the registry there (docker run -d -p 5000:5000 registry:2 serves localhost:5000). ` : `Check that ${host} is up and reachable from here. `) +
    'Images are pushed to the plugin option "registry" (nx.json) or HASHDOCK_REGISTRY; bases on another registry can be read through "mirrors".'
  );
}

export class RegistryUnreachableError extends RegistryError {
  constructor(url: string, cause: unknown, operation?: string) {
    const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    super(
      'REGISTRY_UNREACHABLE',
      displayUrl(url),
      `Registry unreachable at ${displayUrl(url)}${operation ? ` (${operation})` : ''}: ${reason}. ${unreachableHint(url, cause)}`,
      undefined,
      { cause },
    );
  }
}

export class InvalidReferenceError extends HashdockError {
  readonly reference: string;
  constructor(reference: string, detail: string) {
    super('INVALID_REFERENCE', `Invalid image reference "${reference}": ${detail}`);
    this.reference = reference;
  }
}

export class TagConflictError extends HashdockError {
  readonly reference: string;
  constructor(reference: string, existingDigest: string, newDigest: string, why = 'Content-hash tags are immutable.') {
    super('TAG_CONFLICT', `Refusing to clobber existing tag ${reference}: it points at ${existingDigest}, not ${newDigest}. ${why}`);
    this.reference = reference;
  }
}

export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof RegistryError;
}
/** A refusal of credentials: by the registry itself, or by the token service it names. */
export function isRegistryAuthError(value: unknown): value is RegistryError {
  return value instanceof RegistryAuthError || (value instanceof RegistryError && value.code === 'REGISTRY_AUTH');
}
export function isTagConflictError(value: unknown): value is TagConflictError {
  return value instanceof TagConflictError;
}

import { InvalidOptionError } from '../errors';
import { isStringRecord } from '../image/option-values';
import { DOCKER_HUB_HOST, parseReference, parseRepository } from './reference';

/** Registry host (Docker Hub as `registry-1.docker.io`) → where its images are read instead: `host[:port][/path]`. */
export type RegistryMirrors = Record<string, string>;

/** The environment variable that sets mirrors at run time: `docker.io=mirror.gcr.io,ghcr.io=harbor.acme.com/ghcr`. */
export const MIRRORS_ENV = 'HASHDOCK_MIRRORS';

function mirrorHost(host: string, where: string): string {
  try {
    const { registry, path } = parseRepository(`${host}/a/b`);
    if (path !== 'a/b' || (registry === DOCKER_HUB_HOST && !/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/.test(host))) throw new Error('not a host');
    return registry;
  } catch {
    throw new InvalidOptionError('mirrors', `${where}: mirror key ${JSON.stringify(host)} is not a registry host (e.g. docker.io, ghcr.io, registry.example.com:5000)`);
  }
}

function mirrorPrefix(value: string, host: string, where: string): string {
  const prefix = value.replace(/\/+$/, '');
  try {
    const { registry } = parseRepository(`${prefix}/x`);
    if (registry === DOCKER_HUB_HOST && !prefix.startsWith('docker.io') && !prefix.startsWith('registry-1.docker.io')) throw new Error('no host');
  } catch {
    throw new InvalidOptionError('mirrors', `${where}: the mirror of ${host}, ${JSON.stringify(value)}, must start with a registry host: host[:port][/path], e.g. mirror.gcr.io or harbor.acme.com/dockerhub-proxy`);
  }
  return prefix;
}

/** Mirrors as the plugin option or a target option gives them, checked, keys normalized (`docker.io` → Docker Hub's API host). */
export function normalizeMirrors(mirrors: unknown, where: string): RegistryMirrors {
  if (!isStringRecord(mirrors))
    throw new InvalidOptionError('mirrors', `${where}: option "mirrors" must be an object of strings (registry host → mirror), e.g. { "docker.io": "mirror.gcr.io" }`);
  return Object.fromEntries(Object.entries(mirrors).map(([host, value]) => [mirrorHost(host, where), mirrorPrefix(value, host, where)]));
}

/** `HASHDOCK_MIRRORS=docker.io=mirror.gcr.io,ghcr.io=harbor.acme.com/ghcr` → mirrors. */
export function parseMirrorsSpec(spec: string, where = MIRRORS_ENV): RegistryMirrors {
  const entries = spec
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new InvalidOptionError('mirrors', `${where}: ${JSON.stringify(item)} is not <registry host>=<mirror>`);
      return [item.slice(0, eq), item.slice(eq + 1)];
    });
  return normalizeMirrors(Object.fromEntries(entries), where);
}

/** Mirrors as `--mirror` flags and the environment spell them: `host=prefix`, sorted. */
export function mirrorsSpec(mirrors: RegistryMirrors): string[] {
  return Object.entries(mirrors)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([host, prefix]) => `${host}=${prefix}`);
}

/**
 * The reference to read an external image from: the same path, tag and
 * digest under the mirror of its registry (`node:24-slim` with Docker Hub
 * mirrored at `mirror.gcr.io` → `mirror.gcr.io/library/node:24-slim`), or the
 * reference itself when its registry has no mirror. A mirror serves the same
 * manifests, so digests, and with them content hashes, do not change.
 */
export function throughMirror(reference: string, mirrors: RegistryMirrors): string {
  const parsed = parseReference(reference);
  const mirror = mirrors[parsed.registry];
  if (!mirror) return reference;
  return `${mirror}/${parsed.path}${parsed.tag ? `:${parsed.tag}` : ''}${parsed.digest ? `@${parsed.digest}` : ''}`;
}

import { posix } from 'node:path';
import { parseYamlRecord, record } from './yaml-record';
import { BuildSettings, keyValues, mergeSettings, namedContextsFrom, namedImage, settings, sshFrom, strings } from './build-settings';

/** One service a compose file builds: where from, with which Dockerfile (both workspace paths, `.` for the root). */
export interface ComposeBuild {
  file: string;
  service: string;
  context: string;
  dockerfile: string;
  /** `args` (a value interpolated with a default, or undefined: from the environment), `target`, `platforms`, `labels`. */
  settings: BuildSettings;
}

/** compose.yaml, docker-compose.yml and their variants (docker-compose.prod.yml, compose.override.yaml). */
export const isComposeFileName = (name: string): boolean => /^(docker-)?compose(\.[\w.-]+)?\.ya?ml$/.test(name);

/**
 * The builds a compose file describes, resolved as Compose resolves them: `build: <context>` or
 * `build: { context, dockerfile }`, the context relative to the file's folder (default `.`), the
 * Dockerfile relative to the context (default `Dockerfile`). `${VAR:-default}` and `${VAR-default}`
 * take their default; a build that names anything else (a variable without a default, a remote
 * context, an inline Dockerfile, a path outside the workspace) is left out, as is a file that is not
 * YAML: what is returned is certain. A service's `extends` is followed (`read`: another compose file's
 * text, by workspace path).
 */
export function composeBuilds(file: string, text: string, read: (path: string) => string | undefined = () => undefined): ComposeBuild[] {
  const document = parseYamlRecord(text);
  const services = record(document?.services);
  if (!services) return [];
  const declaredSecrets = record(document?.secrets) ?? {};
  const builds: ComposeBuild[] = [];
  for (const service of Object.keys(services)) {
    const resolved = resolveService(file, services, service, read, 0);
    if (!resolved) continue;
    const { definition, dir } = resolved;
    const build = definition.build;
    const spec = buildSpec(build);
    if (!spec || spec.dockerfile_inline !== undefined) continue;
    const context = spec.context === undefined ? '.' : interpolate(spec.context);
    const dockerfile = spec.dockerfile === undefined ? 'Dockerfile' : interpolate(spec.dockerfile);
    if (context === undefined || dockerfile === undefined || /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(context) || posix.isAbsolute(context) || posix.isAbsolute(dockerfile)) continue;
    const contextPath = posix.normalize(posix.join(dir, context)).replace(/\/$/, '');
    const dockerfilePath = posix.normalize(posix.join(contextPath, dockerfile));
    if ([contextPath, dockerfilePath].some((path) => path === '..' || path.startsWith('../'))) continue;
    const args = keyValues(spec.args);
    const interpolated = args && Object.fromEntries(Object.entries(args).map(([name, value]) => [name, value === undefined ? undefined : interpolate(value)]));
    const platforms = Array.isArray(spec.platforms) ? spec.platforms.map(interpolate).filter((platform) => platform !== undefined) : [];
    const target = spec.target === undefined ? undefined : interpolate(spec.target) ?? String(spec.target);
    const image = namedImage([interpolate(record(definition)?.image)]);
    // extra_hosts as a list (`name:ip`, `name=ip`) or a map; ssh as a list (`default`, `id=path`) or a map.
    const hosts = Object.entries(keyValues(Array.isArray(spec.extra_hosts) ? spec.extra_hosts.map((entry) => String(entry).replace(/^([^:=]+):/, '$1=')) : spec.extra_hosts) ?? {});
    const addHosts = hosts.map(([name, ip]) => `${name}:${ip ?? ''}`);
    const ssh = Array.isArray(spec.ssh) ? strings(spec.ssh) : Object.entries(keyValues(spec.ssh) ?? {}).map(([id, path]) => (path === undefined ? id : `${id}=${path}`));
    const sshFromRoot = ssh?.map((entry) => sshFrom(entry, dir));
    const network = typeof spec.network === 'string' ? spec.network : undefined;
    // Relative to the project directory, as `context` is (compose-go resolves both).
    const buildContexts = namedContextsFrom(keyValues(spec.additional_contexts), dir);
    const found = settings({ buildArgs: interpolated, stage: target, platform: platforms.join(','), labels: keyValues(spec.labels), image, network, addHosts, ssh: sshFromRoot, buildContexts });
    builds.push({ file, service, context: contextPath, dockerfile: dockerfilePath, settings: mergeSettings(found, ...buildSecrets(spec.secrets, declaredSecrets, dir)) });
  }
  return builds;
}

/** A service's `build` in its long form: `build: ./apps/web` is `{ context: ./apps/web }`. */
function buildSpec(build: unknown): Record<string, unknown> | undefined {
  return typeof build === 'string' ? { context: build } : record(build);
}


/**
 * A service as Compose resolves its `extends` (`extends: base`, or `{ service, file }`, a file
 * relative to this one's folder; chains followed, at most 10 deep): the base's definition, then this
 * one's keys over it, `build` merged as Compose merges (see mergeBuild). `dir`: the folder its build's relative paths start
 * from (the base file's when the build comes from there). Undefined for a missing base or service.
 */
function resolveService(
  file: string,
  services: Record<string, unknown>,
  name: string,
  read: (path: string) => string | undefined,
  depth: number,
): { definition: Record<string, unknown>; dir: string } | undefined {
  const definition = record(services[name]);
  if (!definition || depth > 10) return undefined;
  const dir = posix.dirname(file);
  const extension = typeof definition.extends === 'string' ? { service: definition.extends } : record(definition.extends);
  if (!extension) return { definition, dir };
  const baseName = typeof extension.service === 'string' ? extension.service : undefined;
  if (!baseName) return { definition, dir };
  let baseFile = file;
  let baseServices = services;
  if (typeof extension.file === 'string') {
    baseFile = posix.normalize(posix.join(dir, extension.file));
    const text = read(baseFile);
    const other = text === undefined ? undefined : record(parseYamlRecord(text)?.services);
    if (!other) return { definition, dir };
    baseServices = other;
  }
  const base = resolveService(baseFile, baseServices, baseName, read, depth + 1);
  if (!base) return { definition, dir };
  const own = buildSpec(definition.build);
  const inherited = buildSpec(base.definition.build);
  const build = own && inherited ? mergeBuild(inherited, own) : (own ?? inherited);
  const { extends: _extends, ...rest } = definition;
  // Relative paths follow the file that wrote the context: this one's when it sets one, else the base's.
  const fromBase = inherited !== undefined && own?.context === undefined && base.dir !== dir;
  if (fromBase && build && build.context === undefined) build.context = '.';
  return { definition: { ...base.definition, ...rest, ...(build ? { build } : {}) }, dir: fromBase ? base.dir : dir };
}

/**
 * Two `build` mappings merged as Compose merges them (on their expanded forms): mappings (`args`,
 * `labels`) key by key, sequences (`platforms`, `secrets`, `ssh`, `extra_hosts`…) appended, the rest
 * replaced by the service's own.
 */
function mergeBuild(base: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const before = merged[key];
    if ((key === 'args' || key === 'labels') && before !== undefined) merged[key] = { ...keyValues(before), ...keyValues(value) };
    else if (Array.isArray(before) && Array.isArray(value)) merged[key] = [...before, ...value.filter((item) => !before.includes(item))];
    else merged[key] = value;
  }
  return merged;
}

/**
 * A build's `secrets` (names, or `{ source, target }`) through the file's top-level `secrets`:
 * `file:` → a secret file (from the compose file's folder), `environment:` → a variable. The id the
 * Dockerfile mounts is the target, else the name.
 */
function buildSecrets(used: unknown, declared: Record<string, unknown>, dir: string): BuildSettings[] {
  if (!Array.isArray(used)) return [];
  return used.flatMap((entry): BuildSettings[] => {
    const source = typeof entry === 'string' ? entry : record(entry)?.source;
    const target = typeof entry === 'string' ? entry : (record(entry)?.target ?? source);
    const definition = typeof source === 'string' ? record(declared[source]) : undefined;
    if (typeof target !== 'string' || !definition) return [];
    const file = interpolate(definition.file);
    const variable = interpolate(definition.environment);
    if (file !== undefined) return [{ secretFiles: { [target]: file.startsWith('/') || file.startsWith('~') ? file : posix.normalize(posix.join(dir, file)) } }];
    return variable !== undefined ? [{ secrets: { [target]: variable } }] : [];
  });
}


/** A compose string value with its `${VAR:-default}`s taken at their defaults; undefined when a variable has none (or `$` is not one). */
function interpolate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let certain = true;
  const text = value.replace(/\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}|\$[A-Za-z_][A-Za-z0-9_]*|\$/g, (match, fallback: string | undefined) => {
    if (match === '$$') return '$';
    if (fallback !== undefined) return fallback;
    certain = false;
    return match;
  });
  return certain ? text.trim() : undefined;
}

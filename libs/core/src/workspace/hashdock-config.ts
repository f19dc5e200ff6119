import { join } from 'node:path';
import { InvalidOptionError } from '../errors';
import { DEFAULT_TAG_TEMPLATES, unknownPlaceholders } from '../tags/tag-policy';
import { readJsoncFile } from './read-jsonc-file';
import { checkImageLabels } from '../image/image-labels';
import { isStringRecord } from '../image/option-values';
import { normalizeMirrors } from '../registry/mirrors';

import { DEFAULT_MANIFEST_DIR, DEFAULT_TARGET_NAME, PLUGIN_NAME } from '../names';
export { IMAGE_EXECUTOR, PLUGIN_NAME } from '../names';

/** Options of the plugin entry in nx.json: the one configuration every entry point reads. */
export interface HashdockOptions {
  /** Name of the inferred target; extra Dockerfiles of a project get `<targetName>-<variant>`. */
  targetName?: string;
  /** Registry host[:port]; HASHDOCK_REGISTRY overrides it at run time. */
  registry?: string;
  /** Repository prefix; HASHDOCK_NAMESPACE overrides it at run time. */
  namespace?: string;
  /** Tag templates: {contentHash}, {gitSha}, {version}, {branch}. */
  tags?: string[];
  /** Build args offered to every Dockerfile; each is passed only where the Dockerfile declares it. */
  buildArgs?: Record<string, string>;
  /** Target platform; the host's when unset. */
  platform?: string;
  /**
   * Registry host → mirror (`host[:port][/path]`) that external bases are read and pulled from,
   * e.g. { "docker.io": "mirror.gcr.io" }: a pull-through cache, or the only registry CI can reach.
   */
  mirrors?: Record<string, string>;
  /** Labels every image gets (docker build --label), e.g. org.opencontainers.image.source; part of the content hash. */
  labels?: Record<string, string>;
  /**
   * Target whose outputs the image needs, run first when the project has it:
   * `build`, or `build:production` for a configuration; `false` for none.
   */
  buildTarget?: string | false;
  /** Build context: `project` (default), `workspace`, or a path such as `{projectRoot}/..` or `docker`. */
  context?: string;
  /** Workspace-relative directory of the manifests. */
  manifestDir?: string;
  /** `auto` (default): the registry builder where the Dockerfile allows it, else docker; or always `docker` / `registry`. */
  builder?: ImageBuilder;
  /**
   * Hash the COPY/ADD sources from disk, gitignored files included (Nx 23.3+ `includeIgnored`), for
   * images that copy files git ignores and no task they depend on outputs. Off by default: it costs
   * every run a walk per image (~1.9 ms each here).
   */
  hashIgnoredSources?: boolean;
  /** Every image's context leaves out the sources of the projects its project does not depend on (the target option of that name). */
  pruneContext?: boolean;
}

export type ImageBuilder = 'auto' | 'docker' | 'registry';
export const IMAGE_BUILDERS: readonly ImageBuilder[] = ['auto', 'docker', 'registry'];

export interface HashdockConfig {
  targetName: string;
  registry: string;
  namespace: string;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** Registry host (normalized) → mirror. */
  mirrors: Record<string, string>;
  platform?: string;
  /**
   * The target an image waits for. `declared`: named in the options, so every image waits for it; the default
   * (`build`) is waited for only by an image whose Dockerfile builds nothing itself (see buildRunIn).
   */
  buildTarget?: { target: string; configuration?: string; declared?: true };
  /** A path template: `{projectRoot}`, `{workspaceRoot}`, or a workspace path with either. */
  context: string;
  manifestDir: string;
  builder: ImageBuilder;
  hashIgnoredSources: boolean;
  pruneContext: boolean;
}

const OPTION_TYPES: Record<keyof HashdockOptions, string> = {
  targetName: 'a string',
  registry: 'a string',
  namespace: 'a string',
  tags: 'an array of strings',
  buildArgs: 'an object of strings',
  labels: 'an object of strings',
  mirrors: 'an object of strings (registry host → mirror)',
  platform: 'a string',
  buildTarget: 'a string or false',
  context: 'a string',
  manifestDir: 'a string',
  builder: 'one of "auto", "docker", "registry"',
  hashIgnoredSources: 'true or false',
  pruneContext: 'true or false',
};

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `${typeof value} ${JSON.stringify(value)}`;
}

function isValid(option: keyof HashdockOptions, value: unknown): boolean {
  switch (option) {
    case 'tags':
      return Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0);
    case 'buildArgs':
    case 'labels':
    case 'mirrors':
      return isStringRecord(value);
    case 'builder':
      return (IMAGE_BUILDERS as readonly unknown[]).includes(value);
    case 'buildTarget':
      return value === false || (typeof value === 'string' && /^[^:\s]+(:[^:\s]+)?$/.test(value));
    case 'hashIgnoredSources':
    case 'pruneContext':
      return typeof value === 'boolean';
    default:
      return typeof value === 'string' && value.length > 0;
  }
}

/**
 * Validate the plugin options once and fill in defaults. A wrong option is one
 * error naming where it came from, the option and the type it needs.
 */
export function normalizeHashdockOptions(options: HashdockOptions | undefined, source = 'nx.json'): HashdockConfig {
  const raw = (options ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidOptionError('options', `${source}: the options of plugin "${PLUGIN_NAME}" must be an object`);
  for (const [option, value] of Object.entries(raw)) {
    if (!(option in OPTION_TYPES))
      throw new InvalidOptionError(option, `${source}: plugin "${PLUGIN_NAME}" has no option "${option}" (known: ${Object.keys(OPTION_TYPES).join(', ')})`);
    if (value !== undefined && !isValid(option as keyof HashdockOptions, value))
      throw new InvalidOptionError(option, `${source}: plugin "${PLUGIN_NAME}" option "${option}" must be ${OPTION_TYPES[option as keyof HashdockOptions]}, got ${describe(value)}`);
  }
  const unknown = unknownPlaceholders(options?.tags ?? []);
  if (unknown.length)
    throw new InvalidOptionError('tags', `${source}: plugin "${PLUGIN_NAME}" option "tags" uses ${unknown.map((name) => `{${name}}`).join(', ')}; the placeholders are {contentHash}, {gitSha}, {version} and {branch}`);
  const buildTarget = options?.buildTarget ?? 'build';
  const [target, configuration] = buildTarget === false ? [] : buildTarget.split(':');
  return {
    targetName: options?.targetName ?? DEFAULT_TARGET_NAME,
    registry: options?.registry ?? 'localhost:5000',
    namespace: options?.namespace ?? 'hashdock',
    tags: options?.tags ?? [...DEFAULT_TAG_TEMPLATES],
    buildArgs: options?.buildArgs ?? {},
    labels: options?.labels ? checkImageLabels(options.labels, `${source}: plugin "${PLUGIN_NAME}"`) : {},
    mirrors: options?.mirrors ? normalizeMirrors(options.mirrors, `${source}: plugin "${PLUGIN_NAME}"`) : {},
    ...(options?.platform ? { platform: options.platform } : {}),
    ...(target ? { buildTarget: { target, ...(configuration ? { configuration } : {}), ...(options?.buildTarget !== undefined ? { declared: true as const } : {}) } } : {}),
    context: contextTemplate(options?.context ?? 'project'),
    manifestDir: options?.manifestDir ?? DEFAULT_MANIFEST_DIR,
    builder: options?.builder ?? 'auto',
    hashIgnoredSources: options?.hashIgnoredSources ?? false,
    pruneContext: options?.pruneContext ?? false,
  };
}

/** `project` → `{projectRoot}`, `workspace` → `{workspaceRoot}`; anything else is a path template already. */
export function contextTemplate(policy: string): string {
  if (policy === 'project') return '{projectRoot}';
  if (policy === 'workspace' || policy === '.') return '{workspaceRoot}';
  return policy;
}

/** Environment variables that change what an image target produces (declared as Nx inputs). */
export const IMAGE_ENV_INPUTS = ['HASHDOCK_REGISTRY', 'HASHDOCK_NAMESPACE', 'HASHDOCK_REUSE_NAMESPACES', 'HASHDOCK_BUILDER', 'SOURCE_DATE_EPOCH'] as const;

interface NxJsonShape {
  plugins?: (string | { plugin: string; options?: unknown; include?: unknown; exclude?: unknown })[];
}

/** The plugin entry's options in an nx.json value, or undefined when the plugin is not registered. */
export function hashdockOptionsIn(nxJson: NxJsonShape | undefined): HashdockOptions | undefined {
  const entry = (nxJson?.plugins ?? []).find((plugin) => (typeof plugin === 'string' ? plugin : plugin?.plugin) === PLUGIN_NAME);
  if (entry === undefined) return undefined;
  return typeof entry === 'object' ? ((entry.options ?? {}) as HashdockOptions) : {};
}

/** Read the plugin options from nx.json (JSONC, as Nx reads it) without importing Nx: for infra and the turbo path. */
export function readHashdockConfig(workspaceRoot: string): HashdockConfig {
  const path = join(workspaceRoot, 'nx.json');
  const nxJson = readJsoncFile<NxJsonShape>(path);
  if (!nxJson) throw new InvalidOptionError('nx.json', `${path} is missing: not an Nx workspace`);
  return normalizeHashdockOptions(hashdockOptionsIn(nxJson), path);
}

/** The plugin entry's `include` and `exclude` globs: Nx gives the plugin only the Dockerfiles they let through. */
export interface PluginFileFilter {
  include?: string[];
  exclude?: string[];
}

/** `include`/`exclude` of the plugin's nx.json entry, for the paths that find Dockerfiles without Nx (turbo, infra, the CLI). */
export function hashdockFileFilterIn(nxJson: NxJsonShape | undefined, source = 'nx.json'): PluginFileFilter {
  const entry = (nxJson?.plugins ?? []).find((plugin) => (typeof plugin === 'string' ? plugin : plugin?.plugin) === PLUGIN_NAME);
  if (typeof entry !== 'object') return {};
  const filter: PluginFileFilter = {};
  for (const key of ['include', 'exclude'] as const) {
    const value = entry[key];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((glob) => typeof glob === 'string'))
      throw new InvalidOptionError(key, `${source}: the "${key}" of plugin "${PLUGIN_NAME}" must be an array of globs, got ${describe(value)}`);
    filter[key] = value;
  }
  return filter;
}

/** The plugin entry's file filter from the workspace's nx.json; none without one. */
export function readHashdockFileFilter(workspaceRoot: string): PluginFileFilter {
  const path = join(workspaceRoot, 'nx.json');
  return hashdockFileFilterIn(readJsoncFile<NxJsonShape>(path), path);
}

import { posix } from 'node:path';
import { addHostsOption, BUILD_ARG_ENV_PREFIX, BUILD_NETWORKS, checkImageLabels, redactUrls, secretLikeArg } from '@hashdock/core';

/** What a configured build passes docker besides the context: the settings an image target has options for. */
export interface BuildSettings {
  buildArgs?: Record<string, string | undefined>;
  stage?: string;
  platform?: string;
  labels?: Record<string, string | undefined>;
  /** BuildKit secrets by reference, never by value: id → environment variable, id → file (workspace path, or `~/…`). */
  secrets?: Record<string, string>;
  secretFiles?: Record<string, string>;
  /** Secret ids passed by value (nx-container's `secrets: ["id=value"]`): never carried, named. */
  inlineSecrets?: string[];
  /** The image it names (a tag, nx-container's metadata.images, compose's image), one with a registry host first. */
  image?: string;
  /** RUN's network, /etc/hosts entries (`name:ip`) and forwarded ssh agents or keys (`default`, `id=path`). */
  network?: string;
  addHosts?: string[];
  ssh?: string[];
  /**
   * Named build contexts passed besides the context (`--build-context name=…`): name → the directory as a
   * workspace path (see namedContextsFrom), or the value as written when it is not one (an image, a URL).
   */
  buildContexts?: Record<string, string | undefined>;
  /** Words of a variable among a command's arguments (`$DOCKER_BUILD_ARGUMENTS`): flags known only when it runs, never carried. */
  unknownArgs?: string[];
  /** What each of the target's configurations sets over these (nx-container's `configurations`), by name. */
  configurations?: Record<string, BuildSettings>;
}

/**
 * `K=V` words (or a compose map) as a record; `K` alone (docker and compose take its value from the
 * environment) maps to undefined. Undefined when there are none.
 */
export function keyValues(value: unknown): Record<string, string | undefined> | undefined {
  const pairs: [string, string | undefined][] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      pairs.push(eq < 0 ? [item, undefined] : [item.slice(0, eq), item.slice(eq + 1)]);
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) pairs.push([key, item === null || item === undefined ? undefined : String(item)]);
  }
  return pairs.length ? Object.fromEntries(pairs) : undefined;
}

/**
 * The settings of an `@nx-tools/nx-container:build` target's options (`build-args`, `target`,
 * `platforms`, `labels`, `secret-files` as `id=path`; `secrets` carry values, so only their ids), and
 * what each configuration sets over them (Nx merges a configuration's options over the target's,
 * key by key: a configuration's `build-args` replace the target's).
 */
export function containerSettings(options: Record<string, unknown>, configurations: Record<string, unknown> = {}): BuildSettings {
  const objectOf = (set: unknown) => (typeof set === 'object' && set !== null ? set : {}) as Record<string, unknown>;
  // The image names of the options and of every configuration (CI's often carries the registry).
  const references = [options, ...Object.values(configurations)].flatMap((set) => {
    const each = objectOf(set) as { tags?: unknown; metadata?: { images?: unknown } };
    return [...(Array.isArray(each.metadata?.images) ? each.metadata.images : []), ...(Array.isArray(each.tags) ? each.tags : [])];
  });
  const own = Object.entries(configurations)
    .map(([name, set]) => [name, containerOptionSettings(objectOf(set))] as const)
    .filter(([, found]) => Object.keys(found).length > 0);
  return settings({ ...containerOptionSettings(options), image: namedImage(references), configurations: Object.fromEntries(own) });
}

/** The build settings one set of nx-container options names (the image name aside: see containerSettings). */
function containerOptionSettings(options: Record<string, unknown>): BuildSettings {
  const files = keyValues(options['secret-files']);
  return settings({
    buildArgs: keyValues(options['build-args']),
    stage: typeof options.target === 'string' ? options.target : undefined,
    platform: Array.isArray(options.platforms) ? options.platforms.filter((item) => typeof item === 'string').join(',') : typeof options.platforms === 'string' ? options.platforms : undefined,
    labels: keyValues(options.labels),
    secretFiles: files && definedValues(files),
    inlineSecrets: Object.keys(keyValues(options.secrets) ?? {}),
    // nx-container runs docker from the workspace root.
    buildContexts: namedContextsFrom(keyValues(options['build-contexts']), '.'),
    network: typeof options.network === 'string' ? options.network : undefined,
    addHosts: strings(options['add-hosts']),
    ssh: strings(options.ssh),
  });
}

/**
 * The image a build names, from the references it tags (`-t`, nx-container `tags` and
 * `metadata.images`, compose `image`): the first with a registry host (`ghcr.io/acme/api:1`), else
 * the first; tags and digests dropped (a variable there is fine), never a repository with a variable.
 */
export function namedImage(references: readonly unknown[]): string | undefined {
  const names = references
    .filter((reference): reference is string => typeof reference === 'string')
    .map((reference) => reference.replace(/@.*$/, '').replace(/:[^/:]*$/, ''))
    // A variable in the tag leaves the repository known; one in the repository does not.
    .filter((name) => name !== '' && !/[${}]/.test(name))
    // A repository is lowercase: a build that pushes `ghcr.io/${{ github.repository }}` has lowercased it somewhere.
    .map((name) => name.toLowerCase());
  return names.find((name) => hasRegistryHost(name)) ?? names[0];
}

/** The image names of buildx `--output` specs of type image or registry (`name=a,b` in quotes lists several). */
export function outputNames(outputs: readonly string[]): string[] {
  return outputs.flatMap((output) => {
    const fields = output.match(/(?:"[^"]*"|[^,])+/g)?.map((field) => field.trim().replace(/^"(.*)"$/, '$1')) ?? [];
    const type = fields.find((field) => field.startsWith('type='))?.slice(5);
    if (type !== 'image' && type !== 'registry') return [];
    return fields.filter((field) => field.startsWith('name=')).flatMap((field) => field.slice(5).replace(/"/g, '').split(',')).map((name) => name.trim()).filter(Boolean);
  });
}

/** Whether a repository reference starts with a registry host (`ghcr.io/…`, `localhost:5000/…`), as docker reads it. */
export function hasRegistryHost(name: string): boolean {
  const [first, ...rest] = name.split('/');
  return rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/**
 * A `--secret` value of docker build (`id=x,src=path`, `id=x,env=VAR`, `id=x`: the variable named
 * like the id), from `cwd` (a workspace path): the reference it passes, never a value.
 */
export function dockerSecret(value: string, cwd: string): BuildSettings {
  const fields = Object.fromEntries(value.split(',').map((field) => [field.slice(0, Math.max(field.indexOf('='), 0)), field.slice(field.indexOf('=') + 1)]));
  const id = fields.id;
  if (!id) return {};
  const src = fields.src ?? fields.source;
  if (src !== undefined && fields.type !== 'env') return { secretFiles: { [id]: src.startsWith('/') || src.startsWith('~') ? src : posix.normalize(posix.join(cwd, src)) } };
  return { secrets: { [id]: fields.env ?? src ?? id } };
}

/** Where a named context's value is a directory: a relative path with nothing else in it (not `docker-image://…`, `target:…`, a URL, a variable). */
function localContext(value: string): boolean {
  return !/^([a-z][a-z0-9+.-]*:|git@)/i.test(value) && !/[$`*?]/.test(value) && !posix.isAbsolute(value);
}

/** A named context's value that is a directory of the workspace, as namedContextsFrom leaves it (a workspace path). */
function workspaceDirectory(value: string): boolean {
  return localContext(value) && value !== '..' && !value.startsWith('../');
}

/**
 * Named build contexts as given (`name=value` words, or a map) from `dir` (a workspace path): each directory
 * inside the workspace as a workspace path, any other value as written. Undefined when there are none.
 */
export function namedContextsFrom(values: Record<string, string | undefined> | undefined, dir: string): Record<string, string | undefined> | undefined {
  if (!values || !Object.keys(values).length) return undefined;
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      if (value === undefined || !localContext(value)) return [name, value];
      const path = posix.normalize(posix.join(dir, value)).replace(/\/$/, '') || '.';
      return [name, workspaceDirectory(path) ? path : value];
    }),
  );
}

/** Settings of several flags or entries, merged (records merged, the later scalar wins). */
export function mergeSettings(...all: BuildSettings[]): BuildSettings {
  const merged: BuildSettings = {};
  for (const one of all) {
    for (const key of ['buildArgs', 'labels', 'secrets', 'secretFiles', 'buildContexts'] as const) if (one[key]) merged[key] = { ...merged[key], ...one[key] } as never;
    for (const key of ['inlineSecrets', 'addHosts', 'ssh', 'unknownArgs'] as const) if (one[key]) merged[key] = [...(merged[key] ?? []), ...one[key]];
    if (one.network !== undefined) merged.network = one.network;
    if (one.stage !== undefined) merged.stage = one.stage;
    if (one.platform !== undefined) merged.platform = one.platform;
    if (one.image !== undefined) merged.image ??= one.image;
  }
  return settings(merged);
}

/** `id=path[,path]` with its relative paths from `dir` made workspace paths; `default` and `id=` sockets as they are. */
export function sshFrom(value: string, dir: string): string {
  const eq = value.indexOf('=');
  if (eq < 0) return value;
  const paths = value.slice(eq + 1).split(',').map((path) => (path.startsWith('/') || path.startsWith('~') || path.includes('$') ? path : posix.normalize(posix.join(dir, path))));
  return `${value.slice(0, eq)}=${paths.join(',')}`;
}

/** Whether a label is one Hashdock's labels option takes (a fixed value, a name that is not `dev.hashdock.*`). */
function validLabel(name: string, value: string): boolean {
  try {
    checkImageLabels({ [name]: value }, 'label');
    return true;
  } catch {
    return false;
  }
}

/** Whether an /etc/hosts entry is one Hashdock's addHosts takes (`name:ip`, as docker's --add-host). */
function validHost(entry: string): boolean {
  try {
    addHostsOption([entry], 'add-host');
    return true;
  } catch {
    return false;
  }
}

/** The strings of a list option (undefined when it is not a list). */
export function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

function definedValues(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Settings without their empty fields. */
export function settings(all: BuildSettings): BuildSettings {
  const empty = (value: unknown) => value === undefined || value === '' || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
  return Object.fromEntries(Object.entries(all).filter(([, value]) => !empty(value))) as BuildSettings;
}

/**
 * Image target options that build as the configured build did: build args, stage, platform and
 * labels with fixed values. Left out, each with the reason (never the value): a value from the
 * environment (the `HASHDOCK_BUILD_ARG_<NAME>` variable passes a build arg at run time), a build arg
 * whose name says it is a credential (Hashdock refuses those: a BuildKit secret is the way), a value
 * with credentials in a URL. Each configuration's settings (`within` one) the same way, its left-out
 * items named with it.
 */
export function settingsAsOptions(found: BuildSettings, within = false): CarriedSettings {
  const options: Record<string, unknown> = {};
  const leftOut: string[] = [];
  const fixed = (value: string | undefined) => value !== undefined && !value.includes('$');
  // A workflow value naming what an earlier step built (`${{ steps.<id>.outputs.digest }}`, or its image id).
  const builtEarlier = /\$\{\{\s*steps\.([\w-]+)\.outputs\.(?:digest|imageid)\s*\}\}/;
  // A value of the commit or the run: docker/metadata-action's version and tags, the commit, the run, a date.
  const perRun = /\$\{\{\s*(?:steps\.[\w-]+\.outputs\.(?:version|tags|json)|github\.(?:sha|run_id|run_number|run_attempt)|env\.GITHUB_SHA)\s*\}\}|\$\{?GITHUB_(?:SHA|RUN_ID|RUN_NUMBER)\b|\$\((?:git rev-parse|date)\b/;
  // A value set when the build runs whose name, or the name of what it reads, says commit or time.
  const perRunWord = /(?:^|[_.-])(?:SHA|COMMIT|REVISION|TIMESTAMP|BUILD_DATE|BUILD_TIME|BUILD_ID|BUILD_NUMBER|RUN_ID|RUN_NUMBER)(?:$|[_.\s}])/i;
  const ofEachRun = (name: string, value: string) => perRun.exec(value)?.[0] ?? (!fixed(value) && (perRunWord.test(name) || perRunWord.test(value)) ? value : undefined);
  const buildArgs: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.buildArgs ?? {})) {
    if (secretLikeArg(name)) leftOut.push(`build arg ${name} (its name says it is a credential: pass it as a secret, "secrets": { "<id>": "<ENV_VARIABLE>" })`);
    else if (value !== undefined && redactUrls(value) !== value) leftOut.push(`build arg ${name} (its value holds credentials in a URL: pass it as a secret)`);
    else if (value !== undefined && builtEarlier.test(value))
      // outline/outline: `BASE_IMAGE=${{ env.BASE_IMAGE_NAME }}@${{ steps.base_build.outputs.digest }}`, the base the job just built.
      leftOut.push(
        `build arg ${name} (the digest of an image an earlier step of that job builds, ${builtEarlier.exec(value)![1]}: Hashdock builds a workspace base first and passes its digest itself when the Dockerfile names it, ARG ${name}=<namespace>/<its image name>; make that image a target)`,
      );
    else if (value !== undefined && ofEachRun(name, value) !== undefined)
      // penxle/typie: `IMAGE_TAG=${{ steps.meta-ghcr.outputs.version }}`, baked into the image as an ENV; trigger.dev's
      // `BUILD_GIT_SHA=${{ steps.set_build_info.outputs.BUILD_GIT_SHA }}`, `BUILD_TIMESTAMP_SECONDS=…`.
      leftOut.push(
        `build arg ${name} (a value of each commit or run, ${ofEachRun(name, value)}: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set ${BUILD_ARG_ENV_PREFIX}${name})`,
      );
    else if (!fixed(value)) leftOut.push(`build arg ${name} (its value comes from the environment: set ${BUILD_ARG_ENV_PREFIX}${name})`);
    else buildArgs[name] = value!;
  }
  if (Object.keys(buildArgs).length) options.buildArgs = buildArgs;
  else if (found.buildArgs && within) {
    // A configuration's build args replace the target's (Nx merges options key by key): none fixed is none at all.
    options.buildArgs = {};
  }
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.labels ?? {})) {
    // `labels: ${{ steps.meta.outputs.labels }}`: a variable standing for every label, known only when the workflow runs.
    if (name.includes('$')) leftOut.push(`labels ${name} (set when the build runs; labels are part of the image, so a per-commit one would make every commit a new image: the commit is the git-{gitSha} tag)`);
    else if (!fixed(value)) leftOut.push(`label ${name} (its value is not fixed)`);
    else if (redactUrls(value!) !== value) leftOut.push(`label ${name} (its value holds credentials in a URL)`);
    else if (!validLabel(name, value!)) leftOut.push(`label ${name} (not a label Hashdock sets: a fixed value, a name not its own)`);
    else labels[name] = value!;
  }
  if (Object.keys(labels).length) options.labels = labels;
  // Secrets go by reference (an environment variable's name, a file's path): carried as they are.
  for (const [option, references, what] of [
    ['secrets', found.secrets, 'variable'],
    ['secretFiles', found.secretFiles, 'path'],
  ] as const) {
    const kept: Record<string, string> = {};
    for (const [id, reference] of Object.entries(references ?? {})) {
      if (fixed(reference)) kept[id] = reference;
      else leftOut.push(`secret ${id} (its ${what} is not fixed)`);
    }
    if (Object.keys(kept).length) options[option] = kept;
  }
  const buildContexts: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.buildContexts ?? {})) {
    // A directory of the workspace or an image is carried (the image is then read by digest); the rest cannot be hashed.
    if (value !== undefined && /[$`]/.test(value)) leftOut.push(`build context ${name}=${value} (known only when the build runs: set it on the image target, "buildContexts": { "${name}": "<dir>" })`);
    else if (value !== undefined && (workspaceDirectory(value) || /^docker-image:\/\/[^\s]+$/.test(value))) buildContexts[name] = value;
    else leftOut.push(`build context ${name}=${value ?? ''} (neither a directory in the workspace nor an image: keep its content in the workspace)`);
  }
  if (Object.keys(buildContexts).length) options.buildContexts = buildContexts;
  for (const word of found.unknownArgs ?? [])
    leftOut.push(`arguments ${word} (known only when the build runs: set what they hold on the image target, as "platform", "buildArgs" or "labels")`);
  for (const id of found.inlineSecrets ?? []) leftOut.push(`secret ${id} (its value is written in the target: keep it in an environment variable and set "secrets": { "${id}": "<ENV_VARIABLE>" })`);
  if (found.network !== undefined) {
    if ((BUILD_NETWORKS as readonly string[]).includes(found.network)) options.network = found.network;
    else leftOut.push(`network ${found.network} (RUN joins the default, host or none network here)`);
  }
  const addHosts: string[] = [];
  for (const entry of found.addHosts ?? []) {
    if (!fixed(entry)) leftOut.push(`add-host ${entry} (not a fixed value)`);
    else if (!validHost(entry)) leftOut.push(`add-host ${entry} (not "name:ip")`);
    else addHosts.push(entry);
  }
  if (addHosts.length) options.addHosts = addHosts;
  const ssh: string[] = [];
  for (const entry of found.ssh ?? []) {
    if (fixed(entry)) ssh.push(entry);
    else leftOut.push(`ssh ${entry} (not a fixed value)`);
  }
  if (ssh.length) options.ssh = ssh;
  if (found.stage !== undefined) {
    if (fixed(found.stage)) options.stage = found.stage;
    else leftOut.push(`stage ${found.stage} (not a fixed name)`);
  }
  if (found.platform !== undefined) {
    if (fixed(found.platform)) options.platform = found.platform;
    else leftOut.push(`platform ${found.platform} (not a fixed value)`);
  }
  const configurations: Record<string, Record<string, unknown>> = {};
  for (const [name, set] of Object.entries(found.configurations ?? {})) {
    const carried = settingsAsOptions(set, true);
    if (Object.keys(carried.options).length) configurations[name] = carried.options;
    leftOut.push(...carried.leftOut.map((item) => `configuration "${name}": ${item}`));
  }
  return { options, leftOut, ...(Object.keys(configurations).length ? { configurations } : {}) };
}

/** Image target options carried over, the target's configurations' own, and what was left out with why. */
export interface CarriedSettings {
  options: Record<string, unknown>;
  leftOut: string[];
  configurations?: Record<string, Record<string, unknown>>;
}

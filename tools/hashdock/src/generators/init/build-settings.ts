import { BUILD_ARG_ENV_PREFIX, redactUrls, secretLikeArg } from '@hashdock/core';

/** What a configured build passes docker besides the context: the settings an image target has options for. */
export interface BuildSettings {
  buildArgs?: Record<string, string | undefined>;
  stage?: string;
  platform?: string;
  labels?: Record<string, string | undefined>;
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

/** The settings of an `@nx-tools/nx-container:build` target's options (`build-args`, `target`, `platforms`, `labels`). */
export function containerSettings(options: Record<string, unknown>): BuildSettings {
  return settings({
    buildArgs: keyValues(options['build-args']),
    stage: typeof options.target === 'string' ? options.target : undefined,
    platform: Array.isArray(options.platforms) ? options.platforms.filter((item) => typeof item === 'string').join(',') : typeof options.platforms === 'string' ? options.platforms : undefined,
    labels: keyValues(options.labels),
  });
}

/** Settings without their empty fields. */
export function settings(all: BuildSettings): BuildSettings {
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined && value !== '')) as BuildSettings;
}

/**
 * Image target options that build as the configured build did: build args, stage, platform and
 * labels with fixed values. Left out, each with the reason (never the value): a value from the
 * environment (the `HASHDOCK_BUILD_ARG_<NAME>` variable passes a build arg at run time), a build arg
 * whose name says it is a credential (Hashdock refuses those: a BuildKit secret is the way), a value
 * with credentials in a URL.
 */
export function settingsAsOptions(found: BuildSettings): { options: Record<string, unknown>; leftOut: string[] } {
  const options: Record<string, unknown> = {};
  const leftOut: string[] = [];
  const fixed = (value: string | undefined) => value !== undefined && !value.includes('$');
  const buildArgs: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.buildArgs ?? {})) {
    if (secretLikeArg(name)) leftOut.push(`build arg ${name} (its name says it is a credential: pass it as a secret, "secrets": { "<id>": "<ENV_VARIABLE>" })`);
    else if (value !== undefined && redactUrls(value) !== value) leftOut.push(`build arg ${name} (its value holds credentials in a URL: pass it as a secret)`);
    else if (!fixed(value)) leftOut.push(`build arg ${name} (its value comes from the environment: set ${BUILD_ARG_ENV_PREFIX}${name})`);
    else buildArgs[name] = value!;
  }
  if (Object.keys(buildArgs).length) options.buildArgs = buildArgs;
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(found.labels ?? {})) {
    if (!fixed(value)) leftOut.push(`label ${name} (its value is not fixed)`);
    else if (redactUrls(value!) !== value) leftOut.push(`label ${name} (its value holds credentials in a URL)`);
    else labels[name] = value!;
  }
  if (Object.keys(labels).length) options.labels = labels;
  if (found.stage !== undefined) {
    if (fixed(found.stage)) options.stage = found.stage;
    else leftOut.push(`stage ${found.stage} (not a fixed name)`);
  }
  if (found.platform !== undefined) {
    if (fixed(found.platform)) options.platform = found.platform;
    else leftOut.push(`platform ${found.platform} (not a fixed value)`);
  }
  return { options, leftOut };
}

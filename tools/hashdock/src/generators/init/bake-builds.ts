import { posix } from 'node:path';
import { BuildSettings, namedContextsFrom, namedImage, settings } from './build-settings';
import { CommandBuild, isLiteralPath } from './docker-build-command';
import { HclBody, HclReference, HclUnknown, HclValue, parseHcl } from './hcl-body';
import { record } from './yaml-record';

/** Bake's own file names, read from the workspace root (where `docker buildx bake` runs), in its merge order. */
export const BAKE_FILES = ['docker-bake.json', 'docker-bake.override.json', 'docker-bake.hcl', 'docker-bake.override.hcl'];

/** One image a Bake target builds. */
export interface BakeBuild extends CommandBuild {
  file: string;
  target: string;
}

/** A target's attributes, merged over the files and its `inherits`, before variables are read. */
type Attributes = Record<string, HclValue>;

/** Attributes bake merges key by key (a later file or an inheriting target adds to them); others it replaces. */
const MERGED = new Set(['args', 'labels', 'annotations']);

function mergeAttributes(base: Attributes, over: Attributes): Attributes {
  const merged = { ...base };
  for (const [name, value] of Object.entries(over)) {
    const [before, after] = [plainObject(merged[name]), plainObject(value)];
    merged[name] = MERGED.has(name) && before && after && !(value instanceof HclUnknown) ? { ...before, ...after } : value;
  }
  return merged;
}

/** An HCL object value (not an unknown or a reference, which are objects to JavaScript too). */
function plainObject(value: HclValue | undefined): Record<string, HclValue> | undefined {
  return value instanceof HclUnknown || value instanceof HclReference ? undefined : (record(value) as Record<string, HclValue> | undefined);
}

/** The JSON form of a Bake file as the HCL form's top-level body. */
function jsonBody(text: string): HclBody {
  const json = record(JSON.parse(text)) ?? {};
  const blocks = (type: string) => Object.entries(record(json[type]) ?? {}).map(([label, body]) => ({ type, labels: [label], body: { attributes: (record(body) ?? {}) as Attributes, blocks: [] } }));
  return { attributes: {}, blocks: [...blocks('variable'), ...blocks('target'), ...blocks('group')] };
}

/**
 * The builds Bake files define (`docker-bake.hcl`, `docker-bake.json` and their overrides, or the files a
 * `-f` names, merged as bake merges them), as `docker buildx bake [targets]` run from `dir` (a workspace path)
 * builds them: `wanted`'s targets and groups, or those it builds by default (see builtTargets); each target's `context`
 * (default `.`, from `dir` as bake reads it) and `dockerfile` (default `Dockerfile`, relative to the context), with `args`, `target`,
 * `platforms`, `labels` and `tags`, after `inherits`. `${VAR}` reads a variable's default; a value bake
 * could only know at run time (the environment, a function) is left unknown: a path holding one is left
 * out, a build arg keeps it as written (it then comes from the environment). Targets with a `matrix`, a
 * `dockerfile-inline` or a context that is no local folder are left out. A file that is not HCL or JSON
 * gives nothing. `described`: the files read as a description of how each image is built (nx add reading the
 * workspace's Bake files), not as one run of bake: the targets it builds by default first, then every other target
 * that is no template (`docker buildx bake teable-db-migrate`, run by CI, builds that one only when named).
 */
export function bakeBuilds(files: readonly { file: string; text: string }[], wanted: readonly string[] | 'described' = [], dir = '.'): BakeBuild[] {
  const variables = new Map<string, HclValue>();
  const targets = new Map<string, { file: string; attributes: Attributes }>();
  const groups = new Map<string, string[]>();
  for (const { file, text } of files) {
    let body: HclBody;
    try {
      body = file.endsWith('.json') ? jsonBody(text) : parseHcl(text);
    } catch {
      continue;
    }
    for (const block of body.blocks) {
      const [label] = block.labels;
      if (label === undefined) continue;
      // A variable without a default is the environment's (bake reads it as empty when unset): unknown here.
      if (block.type === 'variable') variables.set(label, 'default' in block.body.attributes ? block.body.attributes.default : new HclUnknown(label));
      if (block.type === 'group') groups.set(label, Array.isArray(block.body.attributes.targets) ? block.body.attributes.targets.filter((item): item is string => typeof item === 'string') : []);
      if (block.type === 'target') targets.set(label, { file, attributes: mergeAttributes(targets.get(label)?.attributes ?? {}, block.body.attributes) });
    }
  }
  const resolved = new Map<string, Attributes | undefined>();
  /** A target's attributes after its `inherits` (in order, later ones winning), itself last; undefined for a cycle. */
  const inherited = (name: string, seen: readonly string[] = []): Attributes | undefined => {
    if (seen.includes(name)) return undefined;
    if (resolved.has(name)) return resolved.get(name);
    const own = targets.get(name)?.attributes;
    if (!own) return undefined;
    let attributes: Attributes = {};
    const parents = Array.isArray(own.inherits) ? own.inherits : [];
    for (const parent of parents) {
      const from = typeof parent === 'string' ? inherited(parent, [...seen, name]) : undefined;
      if (from) attributes = mergeAttributes(attributes, from);
    }
    attributes = mergeAttributes(attributes, own);
    resolved.set(name, attributes);
    return attributes;
  };
  const builds: BakeBuild[] = [];
  const byDefault = builtTargets(targets, groups, wanted === 'described' ? [] : wanted);
  const named = wanted === 'described' ? [...byDefault, ...buildableTargets(targets).filter((name) => !byDefault.includes(name))] : byDefault;
  for (const name of named) {
    const { file } = targets.get(name)!;
    const attributes = inherited(name);
    if (!attributes || attributes.matrix !== undefined || attributes['dockerfile-inline'] !== undefined) continue;
    // A value known here, or undefined; an arg or label keeps what only bake knows as written (it comes from the environment).
    const text = (value: HclValue | undefined) => {
      const found = stringOf(value, variables);
      return found?.known ? found.text : undefined;
    };
    const written = (value: HclValue | undefined) => stringOf(value, variables)?.text;
    const context = attributes.context === undefined ? '.' : text(attributes.context);
    const dockerfile = attributes.dockerfile === undefined ? 'Dockerfile' : text(attributes.dockerfile);
    if (context === undefined || dockerfile === undefined || !isBakePath(context) || !isBakePath(dockerfile)) continue;
    const contextPath = posix.normalize(posix.join(dir, context)).replace(/\/$/, '') || '.';
    const dockerfilePath = posix.normalize(posix.join(contextPath, dockerfile));
    if ([contextPath, dockerfilePath].some((path) => path === '..' || path.startsWith('../'))) continue;
    const map = (value: HclValue | undefined) =>
      Object.fromEntries(Object.entries(plainObject(value) ?? {}).map(([key, item]) => [key, written(item)]));
    const list = (value: HclValue | undefined) => (Array.isArray(value) ? value.map((item) => text(item)).filter((item): item is string => item !== undefined) : []);
    const found: BuildSettings = {
      buildArgs: map(attributes.args),
      labels: map(attributes.labels),
      stage: text(attributes.target),
      platform: list(attributes.platforms).join(',') || undefined,
      image: namedImage(list(attributes.tags)),
      // Bake reads a context's directory from where it runs, as it reads `context`.
      buildContexts: namedContextsFrom(map(attributes.contexts), dir),
    };
    builds.push({ file, target: name, context: contextPath, dockerfile: dockerfilePath, settings: settings(found) });
  }
  return builds;
}

/** A path bake reads from the workspace: a literal relative path (see isLiteralPath), not another target's result. */
const isBakePath = (path: string) => path !== '' && isLiteralPath(path) && !path.startsWith('target:');

/**
 * The targets `docker buildx bake` builds: those `wanted` names (groups followed), else those of the `default`
 * group, or a target named `default`; without either (CI names them), every target no other inherits from
 * (those are templates).
 */
function builtTargets(targets: ReadonlyMap<string, { attributes: Attributes }>, groups: ReadonlyMap<string, string[]>, wanted: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (name: string, seen: readonly string[]) => {
    if (seen.includes(name)) return;
    if (groups.has(name)) for (const member of groups.get(name)!) visit(member, [...seen, name]);
    else if (targets.has(name) && !found.includes(name)) found.push(name);
  };
  if (wanted.length) {
    for (const name of wanted) visit(name, []);
    return found;
  }
  if (groups.has('default')) {
    visit('default', []);
    return found;
  }
  if (targets.has('default')) return ['default'];
  return buildableTargets(targets);
}

/** Every target no other inherits from (those are templates), in the files' order. */
function buildableTargets(targets: ReadonlyMap<string, { attributes: Attributes }>): string[] {
  const parents = new Set([...targets.values()].flatMap(({ attributes }) => (Array.isArray(attributes.inherits) ? attributes.inherits.filter((item): item is string => typeof item === 'string') : [])));
  return [...targets.keys()].filter((name) => !parents.has(name));
}

/**
 * A value as bake would read it as a string, variables by their defaults. `known: false` when part of it
 * is only known when bake runs (an environment variable, a function): `text` then keeps that part as written.
 */
function stringOf(value: HclValue | undefined, variables: ReadonlyMap<string, HclValue>, depth = 0): { text: string; known: boolean } | undefined {
  if (value === undefined || value === null || depth > 20) return undefined;
  if (value instanceof HclUnknown) return { text: `\${${value.text}}`, known: false };
  if (value instanceof HclReference) return variables.has(value.name) ? stringOf(variables.get(value.name), variables, depth + 1) : { text: `\${${value.name}}`, known: false };
  if (typeof value === 'number' || typeof value === 'boolean') return { text: String(value), known: true };
  if (typeof value !== 'string') return undefined;
  let known = true;
  const text = value.replace(/\$\$\{|\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}|\$\{[^}]*\}|%\{[^}]*\}/g, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    const found = name !== undefined && variables.has(name) ? stringOf(variables.get(name), variables, depth + 1) : undefined;
    if (!found?.known) known = false;
    return found?.known ? found.text : match;
  });
  return { text, known };
}

import { posix } from 'node:path';
import { parseYamlRecord, record, YamlReference } from './yaml-record';
import { keyValues, mergeSettings, namedImage, settings } from './build-settings';
import { bakeCommands } from './bake-calls';
import { CommandBuild, commandSegments, dockerBuildsIn, UnfollowedBuild, unfollowedIn } from './docker-build-command';
import { substituteVariables } from './substitute-variables';

/** One image a GitLab CI job builds: with `docker build`, or kaniko's executor. */
export interface GitlabBuild extends CommandBuild {
  file: string;
  job: string;
  /** `docker build`, kaniko, or a bake target (`docker buildx bake, target "api" of docker-bake.hcl`). */
  via: string;
}

/** Top-level keys of a .gitlab-ci.yml that are not jobs. */
const NOT_JOBS = new Set(['stages', 'variables', 'include', 'default', 'workflow', 'image', 'services', 'before_script', 'after_script', 'cache', 'pages']);

/** More combinations than this in one job's `parallel: matrix`: it is not read. */
const MAX_COMBINATIONS = 256;

/**
 * The images a GitLab CI file builds (`.gitlab-ci.yml`, and the files it includes with `include: local`,
 * read through `read`): each job's `before_script` and `script` lines (its `extends` templates merged in,
 * from any of those files), with the files' and the job's literal `variables` and `$CI_PROJECT_DIR` (the
 * checkout: the workspace root) and the `predefined` variables known (`CI_REGISTRY_IMAGE`) substituted, once per combination of its `parallel: matrix`. `docker build` is read as a script's, from the workspace
 * root (`docker buildx bake` as its Bake files' builds); kaniko's `/kaniko/executor` from its `--context`, `--dockerfile`, `--build-arg`, `--target`,
 * `--custom-platform` and `--destination`. A value left with a variable in it is unknown: a path with
 * one is skipped, a setting with one is not carried. A file that is not YAML gives nothing.
 */
export function gitlabBuilds(file: string, read: (path: string) => string | undefined, unfollowed?: UnfollowedBuild, predefined: Record<string, string> = {}): GitlabBuild[] {
  // Every file first (the included ones share one set of jobs, templates and variables), then each job.
  const jobs = new Map<string, { definition: Record<string, unknown>; file: string }>();
  let global: Record<string, string> = {};
  let defaults: Record<string, unknown> | undefined;
  const files = [file];
  for (let index = 0; index < files.length && index < 20; index++) {
    const document = parseYamlRecord(read(files[index]));
    if (!document) continue;
    for (const included of localIncludes(document.include)) if (!files.includes(included)) files.push(included);
    global = { ...global, ...literalVariables(document.variables) };
    defaults ??= record(document.default);
    for (const [name, raw] of Object.entries(document)) {
      const definition = record(raw);
      if (!NOT_JOBS.has(name) && definition && !jobs.has(name)) jobs.set(name, { definition, file: files[index] });
    }
  }
  const builds: GitlabBuild[] = [];
  const seen = new Set<string>();
  for (const [job, { file: jobFile }] of jobs) {
    if (job.startsWith('.')) continue;
    const definition = resolveReferences(resolveExtends(job, jobs, 0), jobs, 0) as Record<string, unknown>;
    const lines = [...scriptLines(definition.before_script ?? resolveReferences(defaults?.before_script, jobs, 0)), ...scriptLines(definition.script)];
    if (!lines.some((line) => /\b(build|kaniko)\b/.test(line))) continue;
    for (const combination of matrixOf(record(definition.parallel)?.matrix)) {
      const variables = { ...predefined, ...global, ...literalVariables(definition.variables), ...combination, CI_PROJECT_DIR: '.', CI_BUILDS_DIR: '..' };
      for (const line of lines) {
        const command = substituteVariables(line, variables);
        const found: Omit<GitlabBuild, 'file' | 'job'>[] = [
          ...dockerBuildsIn(command, '.', { other: bakeCommands(read), unfollowed: unfollowedIn(file, unfollowed) }).map((build) => ({ ...build, via: build.via ?? 'docker build' })),
          ...kanikoBuilds(command, (path) => read(path) !== undefined).map((build) => ({ ...build, via: 'kaniko' as const })),
        ];
        for (const build of found) {
          const key = JSON.stringify([job, build]);
          if (seen.has(key)) continue;
          seen.add(key);
          builds.push({ file: jobFile, job, ...build });
        }
      }
    }
  }
  return builds;
}

/**
 * A value with each `!reference [job, key, …]` replaced by what it names (the job's own keys, its `extends`
 * merged in), references in that followed too; at most 10 levels, as GitLab allows. One naming nothing is dropped.
 */
function resolveReferences(value: unknown, jobs: ReadonlyMap<string, { definition: Record<string, unknown> }>, depth: number): unknown {
  if (value instanceof YamlReference) {
    if (depth >= 10 || !jobs.has(value.path[0] ?? '')) return undefined;
    let found: unknown = resolveExtends(value.path[0], jobs, 0);
    for (const key of value.path.slice(1)) found = record(found)?.[key];
    return resolveReferences(found, jobs, depth + 1);
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(item, jobs, depth)).filter((item) => item !== undefined);
  const mapping = record(value);
  return mapping ? Object.fromEntries(Object.entries(mapping).map(([key, item]) => [key, resolveReferences(item, jobs, depth)])) : value;
}

/**
 * A job with its `extends` (a template's name, or several) merged in as GitLab merges them: the
 * templates in order, then the job's own keys over them; mappings (`variables`) merged key by key,
 * anything else (a `script` list) replaced. At most 11 levels, as GitLab allows.
 */
function resolveExtends(name: string, jobs: ReadonlyMap<string, { definition: Record<string, unknown> }>, depth: number): Record<string, unknown> {
  const own = jobs.get(name)?.definition ?? {};
  const parents = typeof own.extends === 'string' ? [own.extends] : Array.isArray(own.extends) ? own.extends.filter((item): item is string => typeof item === 'string') : [];
  if (!parents.length || depth > 10) return own;
  let merged: Record<string, unknown> = {};
  for (const parent of parents) if (jobs.has(parent)) merged = deepMerge(merged, resolveExtends(parent, jobs, depth + 1));
  return deepMerge(merged, own);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const before = record(merged[key]);
    const next = record(value);
    merged[key] = before && next ? deepMerge(before, next) : value;
  }
  return merged;
}

/**
 * kaniko's executor in a command: `--context` (default the working directory, here the workspace root),
 * `--dockerfile` (as given when that file exists, else under the context; default `<context>/Dockerfile`),
 * `--build-arg`, `--target`, `--custom-platform`, `--destination` (the image).
 */
function kanikoBuilds(command: string, exists: (path: string) => boolean): CommandBuild[] {
  const builds: CommandBuild[] = [];
  for (const words of commandSegments(command)) {
    const at = words.findIndex((word) => /(^|\/)executor$/.test(word) && word.includes('kaniko'));
    if (at < 0) continue;
    let context = '.';
    let dockerfile: string | undefined;
    const buildArgs: string[] = [];
    const destinations: string[] = [];
    let stage: string | undefined;
    let platform: string | undefined;
    for (let i = at + 1; i < words.length; i++) {
      const word = words[i];
      const eq = word.startsWith('--') ? word.indexOf('=') : -1;
      const flag = eq > 0 ? word.slice(0, eq) : word;
      const value = () => (eq > 0 ? word.slice(eq + 1) : words[++i]);
      if (flag === '--context' || flag === '-c') context = value() ?? '.';
      else if (flag === '--dockerfile' || flag === '-f') dockerfile = value();
      else if (flag === '--build-arg') buildArgs.push(value() ?? '');
      else if (flag === '--destination' || flag === '-d') destinations.push(value() ?? '');
      else if (flag === '--target') stage = value();
      else if (flag === '--custom-platform') platform = value();
    }
    context = context.replace(/^dir:\/\//, '');
    if (!isWorkspacePath(context) || (dockerfile !== undefined && !isWorkspacePath(dockerfile))) continue;
    const contextPath = posix.normalize(context).replace(/\/$/, '') || '.';
    // kaniko takes a relative --dockerfile as it is when that file exists, else under the context.
    const given = dockerfile === undefined ? undefined : posix.normalize(dockerfile);
    const dockerfilePath = given === undefined ? posix.join(contextPath, 'Dockerfile') : exists(given) ? given : posix.normalize(posix.join(contextPath, given));
    if ([contextPath, dockerfilePath].some((path) => path === '..' || path.startsWith('../'))) continue;
    builds.push({ context: contextPath, dockerfile: dockerfilePath, settings: mergeSettings(settings({ buildArgs: keyValues(buildArgs), stage, platform, image: namedImage(destinations) })) });
  }
  return builds;
}

/** A relative path written out, with no variable left in it. */
function isWorkspacePath(path: string): boolean {
  return path !== '' && !path.includes('$') && !posix.isAbsolute(path) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

/** A `variables:` map's literal values (`NAME: value`, or `{ value: … }`), those with no variable in them. */
function literalVariables(value: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, raw] of Object.entries(record(value) ?? {})) {
    const item = record(raw)?.value ?? raw;
    if ((typeof item === 'string' || typeof item === 'number') && !String(item).includes('$')) found[name] = String(item);
  }
  return found;
}

/** `parallel: matrix` as GitLab expands it: each entry's lists multiplied out, the entries' combinations together. */
function matrixOf(matrix: unknown): Record<string, string>[] {
  if (!Array.isArray(matrix)) return [{}];
  const all: Record<string, string>[] = [];
  for (const entry of matrix) {
    let combinations: Record<string, string>[] = [{}];
    for (const [name, values] of Object.entries(record(entry) ?? {})) {
      const list = (Array.isArray(values) ? values : [values]).filter((value) => typeof value === 'string' || typeof value === 'number');
      combinations = combinations.flatMap((combination) => list.map((value) => ({ ...combination, [name]: String(value) })));
      if (combinations.length > MAX_COMBINATIONS) return [{}];
    }
    all.push(...combinations);
  }
  return all.length ? all : [{}];
}

/** A script: one line, or a list of lines (nested lists, as YAML anchors make them, flattened). */
function scriptLines(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.flatMap(scriptLines) : [];
}

/** The workspace paths `include` names locally (`include: ci/images.yml`, `- local: /ci/images.yml`). */
function localIncludes(value: unknown): string[] {
  const entries = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return entries.flatMap((entry) => {
    const path = typeof entry === 'string' ? entry : record(entry)?.local;
    if (typeof path !== 'string' || /^[a-z]+:\/\//i.test(path) || path.includes('$') || /[*?]/.test(path)) return [];
    return [posix.normalize(path.replace(/^\/+/, ''))];
  });
}



/**
 * GitLab's predefined variables for the project an origin names on gitlab.com (`git@gitlab.com:acme/shop.git`,
 * `https://gitlab.com/acme/platform/shop`): its container registry (`CI_REGISTRY`, `CI_REGISTRY_IMAGE`, the
 * path lowercased as GitLab makes it) and path. Another host's registry is not known from its address.
 */
export function gitlabProjectVariables(origin: string): Record<string, string> {
  const match = /^(?:git@gitlab\.com:|(?:https?|ssh):\/\/(?:[^@/]+@)?gitlab\.com(?::\d+)?\/)([^\s]+?)(?:\.git)?\/?$/.exec(origin.trim());
  if (!match || !match[1].includes('/')) return {};
  const path = match[1];
  const segments = path.split('/');
  return {
    CI_SERVER_HOST: 'gitlab.com',
    CI_REGISTRY: 'registry.gitlab.com',
    CI_REGISTRY_IMAGE: `registry.gitlab.com/${path.toLowerCase()}`,
    CI_PROJECT_PATH: path,
    CI_PROJECT_NAMESPACE: segments.slice(0, -1).join('/'),
    CI_PROJECT_NAME: segments.at(-1)!,
  };
}

import { posix } from 'node:path';
import { parseYamlRecord, record } from './yaml-record';
import { BuildSettings, keyValues, mergeSettings, namedContextsFrom, namedImage, outputNames, settings, sshFrom } from './build-settings';
import { bakeCallBuilds, bakeCommands } from './bake-calls';
import { dockerBuildsIn, isLiteralPath, UnfollowedBuild, unfollowedIn } from './docker-build-command';
import { substituteVariables } from './substitute-variables';

/** One image a GitHub Actions workflow builds: in which job and step, from where, with what (workspace paths, `.` for the root). */
export interface WorkflowBuild {
  file: string;
  job: string;
  step: string;
  context: string;
  dockerfile: string;
  settings: BuildSettings;
  /** `docker/build-push-action`, `docker/bake-action`, or the `docker build` (or bake) a `run` step runs. */
  via: string;
}

/** docker/build-push-action and the drop-ins that take its inputs (Depot's, Blacksmith's). */
const BUILD_PUSH_ACTIONS = ['docker/build-push-action', 'depot/build-push-action', 'useblacksmith/build-push-action'];
/** docker/bake-action and Depot's drop-in. */
const BAKE_ACTIONS = ['docker/bake-action', 'depot/bake-action'];

/** A workflow file: `.github/workflows/<name>.yml` or `.yaml`. */
export const isWorkflowPath = (path: string): boolean => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);

/** More combinations than this in one job's matrix: it is not read (a build per combination would be guessed at). */
const MAX_COMBINATIONS = 256;

type Combination = Record<string, string>;

/**
 * The images a workflow builds, as its runner would: each job's steps, for each combination of the
 * job's literal matrix (`${{ matrix.app }}` in `file: apps/${{ matrix.app }}/Dockerfile` read per value;
 * `include` and `exclude` applied as GitHub applies them). A `docker/build-push-action` step reads its
 * `context` (default: the repository at the commit, which is the workspace root) and `file` (from the
 * workspace root for a path context, from the context for the Git context), and `build-args`, `target`, `platforms`, `labels`, `tags`, `secret-files`, `secrets`
 * (ids only), `ssh`, `network`, `add-hosts`; a `run` step's `docker build` is read as a script's, from
 * its `working-directory` (or the job's, the workflow's `defaults.run`). A job calling a reusable workflow
 * of the repository (`uses: ./.github/workflows/build.yml`, read through `read`) has that workflow's builds,
 * `${{ inputs.… }}` taken from its `with:` (per matrix combination) over the inputs' defaults. `${{ env.… }}` is
 * read from the literal `env` of the workflow, job and step, `${{ github.repository }}` and `repository_owner`
 * from `github` (the origin's), `${{ steps.<id>.outputs.tags }}` (and bake-action's metadata bake-file) from that
 * docker/metadata-action step's `images`; its drop-ins (Depot's, Blacksmith's) are read alike, and an image named
 * only by `outputs` (`type=image,name=…`) by that name. Any other `${{ … }}` leaves what it is in unknown: a path
 * with one is skipped, a value with one is not carried (settingsAsOptions says so). A file that is not YAML gives
 * nothing.
 */
export function workflowBuilds(
  file: string,
  text: string,
  read: (path: string) => string | undefined = () => undefined,
  unfollowed?: UnfollowedBuild,
  github: Record<string, string> = {},
): WorkflowBuild[] {
  return readWorkflow(file, text, read, { github }, 0, unfollowed);
}

/**
 * What a workflow's expressions are known to be: its caller's `inputs` (a reusable workflow), a combination of the
 * job's matrix, the `github` context's values known before any run (`repository`, `repository_owner`: from the
 * origin, see githubContext) and the `env` context (the workflow's, the job's and the step's literal `env`).
 */
interface Known {
  inputs?: Record<string, string>;
  matrix?: Record<string, string>;
  github?: Record<string, string>;
  env?: Record<string, string>;
  /** Other jobs' literal outputs (`${{ needs.<job>.outputs.<name> }}`), and this job's steps' (`${{ steps.<id>.outputs.<name> }}`). */
  needs?: Record<string, Record<string, string>>;
  steps?: Record<string, Record<string, string>>;
}

/**
 * The `github` context's values a workflow of this repository is known to run with, from its origin on github.com:
 * `repository` (`Acme/Shop`, as GitHub spells it), `repository_owner`.
 */
export function githubContext(origin: string): Record<string, string> {
  const match = /^(?:git@github\.com:|(?:https?|ssh|git):\/\/(?:[^@/]+@)?github\.com(?::\d+)?\/)([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(origin.trim());
  return match ? { repository: `${match[1]}/${match[2]}`, repository_owner: match[1] } : {};
}

/** A literal `env:` mapping's values, each expanded with what is known (an expression left unknown stays as written). */
function envOf(value: unknown, known: Known): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value) ?? {}).flatMap(([name, item]) => (isScalar(item) ? [[name, expandKnown(String(item), known)]] : [])));
}

/** Reusable workflows call others at most this deep (GitHub's limit is 4 levels). */
const MAX_CALL_DEPTH = 4;

function readWorkflow(file: string, text: string | undefined, read: (path: string) => string | undefined, known: Known, depth: number, unfollowed?: UnfollowedBuild): WorkflowBuild[] {
  const document = parseYamlRecord(text);
  const builds: WorkflowBuild[] = [];
  // A reusable workflow's inputs: the caller's values over their defaults.
  const declared = record(record(record(document?.on)?.workflow_call)?.inputs) ?? {};
  const inputs = { ...Object.fromEntries(Object.entries(declared).flatMap(([name, spec]) => (isScalar(record(spec)?.default) ? [[name, String(record(spec)!.default)]] : []))), ...known.inputs };
  const workflowDir = runDirectory(document, '.');
  const workflowEnv = envOf(document?.env, { inputs, github: known.github });
  const jobs = Object.entries(record(document?.jobs) ?? {});
  const literal = new Map(jobs.map(([job, definition]) => [job, literalOutputs(record(definition), { inputs, github: known.github }, workflowEnv)]));
  const needs = Object.fromEntries([...literal].map(([job, { outputs }]) => [job, outputs]));
  for (const [job, definition] of jobs) {
    const jobRecord = record(definition);
    const stepOutputs = literal.get(job)!.steps;
    const steps = Array.isArray(jobRecord?.steps) ? jobRecord.steps : [];
    const jobDir = runDirectory(jobRecord, workflowDir);
    const combinations = matrixCombinations(record(jobRecord?.strategy)?.matrix);
    // A job that calls a reusable workflow of this repository (`uses: ./.github/workflows/build.yml`) with `with:` inputs.
    const called = typeof jobRecord?.uses === 'string' && /^\.\/\.github\/workflows\/[^/@]+\.ya?ml$/.test(jobRecord.uses) ? jobRecord.uses.slice(2) : undefined;
    if (called !== undefined && depth < MAX_CALL_DEPTH) {
      for (const combination of combinations ?? [{}]) {
        const expand = (value: unknown) => (isScalar(value) ? expandKnown(String(value), { inputs, needs, ...(combinations ? { matrix: combination } : {}) }) : undefined);
        const given = Object.fromEntries(Object.entries(record(jobRecord?.with) ?? {}).flatMap(([name, value]) => { const expanded = expand(value); return expanded === undefined ? [] : [[name, expanded]]; }));
        for (const build of readWorkflow(called, read(called), read, { inputs: given, github: known.github }, depth + 1, unfollowed))
          if (!builds.some((known) => JSON.stringify(known) === JSON.stringify(build))) builds.push(build);
      }
      continue;
    }
    steps.forEach((raw, index) => {
      const step = record(raw);
      if (!step) return;
      const name = typeof step.name === 'string' ? step.name : typeof step.id === 'string' ? step.id : `#${index + 1}`;
      // Builds alike but for the platform, across the matrix (one job per platform, pushed by digest and merged into one
      // index, as Docker's docs show): one build for all those platforms.
      const seen = new Map<string, Omit<WorkflowBuild, 'file' | 'job' | 'step'>>();
      // The matrix values of each build's combinations: its step named with those they share (`(web, ${{ matrix.platform_tag }})`).
      const combinationsOf = new Map<Omit<WorkflowBuild, 'file' | 'job' | 'step'>, Combination[]>();
      for (const combination of combinations ?? [{}]) {
        const context: Known = { inputs, github: known.github, needs, steps: stepOutputs, ...(combinations ? { matrix: combination } : {}) };
        const env = stepEnv(jobRecord, step, context, workflowEnv);
        const expand = (value: unknown) => (typeof value === 'string' ? expandKnown(value, { ...context, env }) : undefined);
        const found: Omit<WorkflowBuild, 'file' | 'job' | 'step'>[] = [];
        // `owner/repo@ref`, `owner/repo/path@ref` (an action in a folder of a repository), or `./path` (one of this repository).
        const action = typeof step.uses === 'string' ? (/^([\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@/.exec(step.uses)?.[1] ?? /^\.\/[\w./-]+$/.exec(step.uses)?.[0]) : undefined;
        if (action !== undefined && BUILD_PUSH_ACTIONS.includes(action)) {
          const build = actionBuild(withMetadataTags(record(step.with) ?? {}, metadataImages(steps.slice(0, index), expand)), expand);
          if (build) found.push({ ...build, via: action });
        } else if (action !== undefined && BAKE_ACTIONS.includes(action)) {
          found.push(...bakeActionBuilds(record(step.with) ?? {}, expand, read, metadataImages(steps.slice(0, index), expand), action));
        } else if (action !== undefined) {
          const inputs = buildLikeInputs(record(step.with) ?? {}, expand, read);
          const build = inputs && actionBuild(inputs, expand);
          if (build) found.push({ ...build, via: action });
        } else if (typeof step.run === 'string') {
          // The step's shell sees the env context as variables, and GitHub's own (`$GITHUB_REPOSITORY`, the checkout).
          const expanded = expand(step.run);
          const run = expanded === undefined ? undefined : substituteVariables(expanded, shellVariables(known.github, env));
          const dir = typeof step['working-directory'] === 'string' ? expand(step['working-directory']) : jobDir;
          if (run !== undefined && dir !== undefined && !hasExpression(dir))
            for (const { via, ...build } of dockerBuildsIn(run, posix.normalize(dir), { other: bakeCommands(read), unfollowed: unfollowedIn(file, unfollowed) }))
              found.push({ ...build, via: via ?? 'docker build' });
        }
        for (const build of found) {
          const { platform, ...settings } = build.settings;
          const key = JSON.stringify({ ...build, settings });
          const known = seen.get(key);
          if (!known) {
            seen.set(key, build);
            combinationsOf.set(build, [combination]);
            continue;
          }
          combinationsOf.get(known)!.push(combination);
          const platforms = [...new Set([...(known.settings.platform ?? '').split(','), ...(platform ?? '').split(',')].filter(Boolean))];
          if (platforms.length) known.settings = { ...known.settings, platform: platforms.join(',') };
        }
      }
      for (const build of seen.values()) {
        const [first, ...others] = combinationsOf.get(build)!;
        const shared = Object.fromEntries(Object.entries(first).filter(([key, value]) => others.every((other) => other[key] === value)));
        builds.push({ file, job, step: combinations ? expandKnown(name, { matrix: shared }) : name, ...build });
      }
    });
  }
  return builds;
}

/**
 * What one `docker/bake-action` step builds: the Bake files it names (`files`, from `workdir`; bake's own names
 * there without it) and its `targets` (the default group without them). Only the checkout's files: a `source`
 * other than the repository (a remote Bake definition) is not read.
 */
function bakeActionBuilds(
  inputs: Record<string, unknown>,
  expand: (value: unknown) => string | undefined,
  read: (path: string) => string | undefined,
  metadata: ReadonlyMap<string, readonly string[]> = new Map(),
  action = 'docker/bake-action',
): Omit<WorkflowBuild, 'file' | 'job' | 'step'>[] {
  const source = inputs.source === undefined ? '.' : expand(inputs.source)?.trim();
  if (source !== '.' && source !== '{{defaultContext}}') return [];
  const dir = inputs.workdir === undefined ? '.' : expand(inputs.workdir)?.trim();
  const list = (value: unknown) => (value === undefined ? [] : (expand(value) ?? '$unknown').split(/[\r\n,]+/).map((item) => item.trim()).filter(Boolean));
  // docker/metadata-action's Bake file (`${{ steps.meta.outputs.bake-file }}`, `cwd://` before it in bake-action v6):
  // its target "docker-metadata-action" holds the tags, which the targets inheriting it take. Its images name those
  // of this step's targets that name none themselves.
  const images: string[] = [];
  const files = list(inputs.files).filter((file) => {
    const id = /^(?:cwd:\/\/)?\$\{\{\s*steps\.([\w-]+)\.outputs\.bake-file(?:-tags)?\s*\}\}$/.exec(file)?.[1];
    if (id === undefined) return true;
    images.push(...(metadata.get(id) ?? []));
    return false;
  });
  const targets = list(inputs.targets);
  if (dir === undefined || !isLiteralPath(dir) || [...files, ...targets].some((item) => !isLiteralPath(item))) return [];
  const at = posix.normalize(dir);
  if (at === '..' || at.startsWith('../')) return [];
  const named = namedImage(images);
  return bakeCallBuilds({ files: files.map((file) => posix.normalize(posix.join(at, file))), targets, dir: at }, read).map(({ context, dockerfile, settings, file, target }) => ({
    context,
    dockerfile,
    settings: named && !settings.image ? { ...settings, image: named } : settings,
    via: `${action}, target "${target}" of ${file}`,
  }));
}

/**
 * The images each earlier `docker/metadata-action` step of the job names (its `images` input: one per line or
 * comma-separated, or CSV entries `name=ghcr.io/acme/api,enable=…`; those with `enable=false` left out), by step id.
 * An image with an unknown expression in it is left out.
 */
function metadataImages(steps: readonly unknown[], expand: (value: unknown) => string | undefined): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const raw of steps) {
    const step = record(raw);
    if (typeof step?.uses !== 'string' || !/^docker\/metadata-action@/.test(step.uses) || typeof step.id !== 'string') continue;
    const written = expand(record(step.with)?.images) ?? '';
    const images = written.split(/\r?\n/).flatMap((line) => {
      const entry = line.trim();
      if (!/^name=/.test(entry)) return entry.split(',').map((item) => item.trim());
      const attributes = Object.fromEntries(entry.split(',').map((pair) => [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()]));
      return attributes.enable === 'false' ? [] : [attributes.name ?? ''];
    });
    // metadata-action lowercases them, as registries want (`ghcr.io/${{ github.repository }}` is `ghcr.io/acme/shop`).
    found.set(step.id, images.filter((image) => image !== '' && !hasExpression(image)).map((image) => image.toLowerCase()));
  }
  return found;
}

/** A build-push-action's inputs with `${{ steps.<id>.outputs.tags }}` in `tags` replaced by that metadata-action step's images. */
function withMetadataTags(inputs: Record<string, unknown>, metadata: ReadonlyMap<string, readonly string[]>): Record<string, unknown> {
  if (typeof inputs.tags !== 'string') return inputs;
  const tags = inputs.tags.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.tags\s*\}\}/g, (whole, id: string) => (metadata.get(id)?.length ? metadata.get(id)!.join('\n') : whole));
  return { ...inputs, tags };
}

/**
 * Another action's inputs read as docker/build-push-action's, when they say it builds a Dockerfile of the workspace:
 * a company's own composite action (makeplane/plane's `makeplane/actions/build-push`: `build-context`,
 * `dockerfile-path`, `docker-image-owner`, `docker-image-name`). An input whose name holds `dockerfile` must name an
 * existing file (from the workspace root, else from the context); one holding `context` is the context (default the
 * root); the image is its `tags`, else an input naming the image (`image`, `image-name`, `repository`) after the ones
 * naming its registry and owner (`registry`, `owner`, `namespace`, `org`); `build-args`, `platforms` and `target`
 * as build-push-action's. Undefined when no input names a Dockerfile, or neither a context nor an image (a linter's).
 */
function buildLikeInputs(given: Record<string, unknown>, expand: (value: unknown) => string | undefined, read: (path: string) => string | undefined): Record<string, unknown> | undefined {
  const inputs = new Map(Object.entries(given).map(([key, value]) => [key.toLowerCase().replace(/_/g, '-'), value]));
  const named = (test: (key: string) => boolean) => [...inputs].find(([key]) => test(key))?.[1];
  const written = named((key) => key.includes('dockerfile'));
  const file = typeof written === 'string' ? expand(written) : undefined;
  if (file === undefined || hasExpression(file) || posix.isAbsolute(file)) return undefined;
  const contextInput = named((key) => key.includes('context') && !key.includes('contexts'));
  const context = contextInput === undefined ? '.' : expand(contextInput);
  if (context === undefined || hasExpression(context)) return undefined;
  const dockerfile = [posix.normalize(file), posix.join(context, file)].find((path) => !path.startsWith('..') && read(path) !== undefined);
  if (dockerfile === undefined) return undefined;
  const text = (value: unknown) => (typeof value === 'string' ? expand(value) : undefined);
  const name = text(named((key) => /(^|-)(image|image-name|repository)$/.test(key)));
  const prefix = [named((key) => /(^|-)registry$/.test(key)), named((key) => /(^|-)(owner|namespace|org|organization)$/.test(key))].map(text).filter(Boolean);
  const tags = named((key) => key === 'tags') ?? (name === undefined ? undefined : name.includes('/') ? name : [...prefix, name].join('/'));
  // A Dockerfile alone is what linters and scanners take (hadolint/hadolint-action's `dockerfile`): a build names a context or an image too.
  if (contextInput === undefined && tags === undefined) return undefined;
  return {
    context,
    file: dockerfile,
    ...(tags !== undefined ? { tags } : {}),
    ...Object.fromEntries(['build-args', 'platforms', 'target'].flatMap((key) => (inputs.has(key) ? [[key, inputs.get(key)]] : []))),
  };
}

/** What one `docker/build-push-action` step builds; undefined when its context or file is not a workspace path. */
function actionBuild(inputs: Record<string, unknown>, expand: (value: unknown) => string | undefined): Omit<WorkflowBuild, 'file' | 'job' | 'step' | 'via'> | undefined {
  // `{{defaultContext}}` is the repository at the commit (the Git context), `{{defaultContext}}:apps/api` a folder of it.
  const written = inputs.context === undefined ? '{{defaultContext}}' : expand(inputs.context);
  // The repository at the commit (the Git context, the default), or a folder of it: its `file` is read from the context.
  const gitContext = written !== undefined && /^\{\{\s*defaultContext\s*\}\}(?::|$)/.test(written);
  const context = written === undefined ? undefined : written.replace(/^\{\{\s*defaultContext\s*\}\}(?::|$)/, '') || '.';
  if (context === undefined || hasExpression(context) || /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(context) || posix.isAbsolute(context)) return undefined;
  const contextPath = posix.normalize(context).replace(/\/$/, '') || '.';
  const file = inputs.file === undefined ? 'Dockerfile' : expand(inputs.file);
  if (file === undefined || hasExpression(file) || posix.isAbsolute(file)) return undefined;
  // A path context's file is read from the workspace root (the step's directory), a Git context's from the context.
  const dockerfile = posix.normalize(inputs.file === undefined || gitContext ? posix.join(contextPath, file) : file);
  if ([contextPath, dockerfile].some((path) => path === '..' || path.startsWith('../'))) return undefined;
  // The action's list inputs: one item per line, or comma-separated (build-args and labels: per line only, a value may hold commas).
  const lines = (value: unknown) => (expand(value) ?? '').split(/\r?\n/).map((item) => item.trim()).filter(Boolean);
  const list = (value: unknown) => lines(value).flatMap((item) => item.split(',')).map((item) => item.trim()).filter(Boolean);
  const secretFiles = Object.fromEntries(
    Object.entries(keyValues(lines(inputs['secret-files'])) ?? {}).flatMap(([id, path]) => (path === undefined ? [] : [[id, path.startsWith('/') || path.startsWith('~') ? path : posix.normalize(path)]])),
  );
  const found = settings({
    buildArgs: keyValues(lines(inputs['build-args'])),
    labels: keyValues(lines(inputs.labels)),
    stage: expand(inputs.target),
    platform: list(inputs.platforms).join(','),
    // Its tags, else the names of its image outputs (`type=image,name=ghcr.io/acme/api,push-by-digest=true`, as
    // Docker's multi-platform recipe pushes each platform by digest).
    image: namedImage([...list(inputs.tags), ...outputNames(lines(inputs.outputs))]),
    network: expand(inputs.network),
    addHosts: list(inputs['add-hosts']),
    ssh: lines(inputs.ssh).map((entry) => sshFrom(entry, '.')),
    secretFiles,
    buildContexts: namedContextsFrom(keyValues(lines(inputs['build-contexts'])), '.'),
    // `id=${{ secrets.X }}`: a value, never carried; its id is named.
    inlineSecrets: Object.keys(keyValues(lines(inputs.secrets).map((line) => line.replace(/^"(.*)"$/, '$1'))) ?? {}),
  });
  return { context: contextPath, dockerfile, settings: mergeSettings(found) };
}

/**
 * A job's matrix as the runner expands it: every combination of its list-valued keys, then each
 * `include` entry added to the combinations it overwrites nothing of (else one of its own), then
 * `exclude` entries removed. Undefined when the matrix is not literal (`${{ fromJSON(…) }}`) or too big.
 */
export function matrixCombinations(matrix: unknown): Combination[] | undefined {
  if (matrix === undefined) return undefined;
  const spec = record(matrix);
  if (!spec) return undefined;
  let combinations: Combination[] = [{}];
  const original = new Set<string>();
  for (const [key, values] of Object.entries(spec)) {
    if (key === 'include' || key === 'exclude') continue;
    // A value may be a mapping (hoppscotch's `platform: [{ platform: linux/amd64, cache: … }]`, read as `matrix.platform.platform`).
    const flat = Array.isArray(values) ? values.map((value) => flatValues({ [key]: value })) : [];
    if (!Array.isArray(values) || !flat.every((value): value is Combination => value !== undefined)) return undefined;
    for (const value of flat) for (const name of Object.keys(value)) original.add(name);
    combinations = combinations.flatMap((combination) => flat.map((value) => ({ ...combination, ...value })));
    if (combinations.length > MAX_COMBINATIONS) return undefined;
  }
  if (original.size === 0) combinations = [];
  const added: Combination[] = [];
  for (const entry of Array.isArray(spec.include) ? spec.include : []) {
    const include = scalarRecord(entry);
    if (!include) return undefined;
    // Added to each original combination none of whose original values it changes; else a combination of its own.
    const fits = combinations.filter((combination) => Object.entries(include).every(([key, value]) => !original.has(key) || combination[key] === value));
    if (fits.length) for (const combination of fits) Object.assign(combination, include);
    else added.push({ ...include });
  }
  combinations.push(...added);
  for (const entry of Array.isArray(spec.exclude) ? spec.exclude : []) {
    const exclude = scalarRecord(entry);
    if (exclude) combinations = combinations.filter((combination) => !Object.entries(exclude).every(([key, value]) => combination[key] === value));
  }
  return combinations.length <= MAX_COMBINATIONS ? combinations : undefined;
}

/** `${{ matrix.app }}`, `${{ inputs.dockerfile }}`, `${{ env.IMAGE_NAME }}`, `${{ github.repository }}` (any spacing) replaced where known; other expressions left as they are. */
function expandKnown(value: string, known: Known): string {
  return value
    .replace(/\$\{\{\s*(needs|steps)\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (whole, scope: 'needs' | 'steps', id: string, key: string) => known[scope]?.[id]?.[key] ?? whole)
    .replace(/\$\{\{\s*matrix\.([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}/g, (whole, key: string) => known.matrix?.[key] ?? whole)
    .replace(/\$\{\{\s*(inputs|env|github)\.([A-Za-z_][\w-]*)\s*\}\}/g, (whole, scope: 'inputs' | 'env' | 'github', key: string) => known[scope]?.[key] ?? whole);
}

/**
 * The outputs a job's run steps write with literal values (`echo "IMAGE=plane-frontend" >> $GITHUB_OUTPUT`, or the
 * older `::set-output name=IMAGE::…`), by step id, and the job's `outputs` those make literal: makeplane/plane names
 * its images in a setup job that later jobs read as `${{ needs.<job>.outputs.<name> }}`. A matrix job's are not read
 * (one value per combination).
 */
function literalOutputs(job: Record<string, unknown> | undefined, known: Known, workflowEnv: Record<string, string>): { steps: Record<string, Record<string, string>>; outputs: Record<string, string> } {
  const steps: Record<string, Record<string, string>> = {};
  if (record(job?.strategy)?.matrix !== undefined) return { steps, outputs: {} };
  for (const raw of Array.isArray(job?.steps) ? job.steps : []) {
    const step = record(raw);
    if (typeof step?.id !== 'string' || typeof step.run !== 'string') continue;
    const env = stepEnv(job, step, known, workflowEnv);
    const run = substituteVariables(expandKnown(step.run, { ...known, env, steps }), shellVariables(known.github, env));
    for (const line of run.split(/\r?\n/)) {
      const written =
        /^\s*echo\s+(["']?)([A-Za-z_][\w-]*)=([^"'$`]*)\1\s*>>\s*"?\$\{?GITHUB_OUTPUT\}?"?\s*$/.exec(line) ?? /^\s*echo\s+(["']?)::set-output name=([\w-]+)::([^"'$`]*)\1\s*$/.exec(line);
      if (written) steps[step.id] = { ...steps[step.id], [written[2]]: written[3].trim() };
    }
  }
  const outputs = Object.fromEntries(
    Object.entries(record(job?.outputs) ?? {}).flatMap(([name, value]) => {
      const expanded = typeof value === 'string' ? expandKnown(value, { ...known, env: { ...workflowEnv, ...envOf(job?.env, known) }, steps }) : undefined;
      return expanded === undefined || hasExpression(expanded) ? [] : [[name, expanded]];
    }),
  );
  return { steps, outputs };
}

/**
 * The env context a step sees: the workflow's, the job's and the step's literal `env`, each expanded with what is known
 * (the job's without the env context, which GitHub does not offer there).
 */
function stepEnv(job: Record<string, unknown> | undefined, step: Record<string, unknown>, known: Known, workflowEnv: Record<string, string>): Record<string, string> {
  const jobEnv = { ...workflowEnv, ...envOf(job?.env, known) };
  return { ...jobEnv, ...envOf(step.env, { ...known, env: jobEnv }) };
}

/** What a run step's shell has as variables before the run: GitHub's own and the env context, less what is still unknown. */
function shellVariables(github: Record<string, string> | undefined, env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries({ ...githubVariables(github ?? {}), ...env }).filter(([, value]) => !hasExpression(value)));
}

/** GitHub's default variables a run step's shell has that are known before the run: the checkout (the workspace root) and the repository. */
function githubVariables(github: Record<string, string>): Record<string, string> {
  return {
    GITHUB_WORKSPACE: '.',
    ...(github.repository ? { GITHUB_REPOSITORY: github.repository } : {}),
    ...(github.repository_owner ? { GITHUB_REPOSITORY_OWNER: github.repository_owner } : {}),
  };
}

function hasExpression(value: string): boolean {
  return value.includes('${{');
}

/** `defaults.run.working-directory` of a workflow or job, from `inherited`; undefined when it is an expression. */
function runDirectory(definition: Record<string, unknown> | undefined, inherited: string): string {
  const dir = record(record(definition?.defaults)?.run)?.['working-directory'];
  return typeof dir === 'string' && !hasExpression(dir) && !posix.isAbsolute(dir) ? posix.normalize(dir) : inherited;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function scalarRecord(value: unknown): Combination | undefined {
  const entry = record(value);
  return entry ? flatValues(entry) : undefined;
}

/** A mapping's scalars by their dotted paths (`{ platform: { os: linux } }` → `platform.os: linux`); undefined where a list is met. */
function flatValues(entry: Record<string, unknown>, prefix = ''): Combination | undefined {
  const flat: Combination = {};
  for (const [key, item] of Object.entries(entry)) {
    if (isScalar(item)) flat[`${prefix}${key}`] = String(item);
    else {
      const inner = record(item) && flatValues(record(item)!, `${prefix}${key}.`);
      if (!inner) return undefined;
      Object.assign(flat, inner);
    }
  }
  return flat;
}


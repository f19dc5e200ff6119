import { isAbsolute, resolve } from 'node:path';
import { InvalidOptionError } from '../errors';
import { DEFAULT_TAG_TEMPLATES } from '../tags/tag-policy';
import { hostPlatform, ImageBuildOptions } from './image-options';
import { imageNameOf } from '../workspace/image-name';
import { contextTemplate, IMAGE_BUILDERS, ImageBuilder } from '../workspace/hashdock-config';
import { STAGE_NAME } from '../docker/dockerfile-stages';
import { checkImageLabels } from './image-labels';
import { normalizeSshForwards } from './ssh-forwards';
import { buildContextsOption, imageContextReference } from './named-contexts';
import { normalizeSecretFiles } from './secret-files';
import { addHostsOption, buildNetworkOption } from './build-network';
import { MIRRORS_ENV, normalizeMirrors, parseMirrorsSpec, RegistryMirrors } from '../registry/mirrors';
import { BUILD_ARG_ENV_PREFIX, buildArgOverrides } from './build-arg-overrides';
import type { DependencyOutputs } from './root-context-hint';
import { projectsLeftOut, WorkspaceProjectGraph } from './prune-context';

export { BUILD_ARG_ENV_PREFIX, buildArgOverrides };

/** What a user sets on an image target (the executor's schema). */
export interface ImageTargetOptions {
  /** Image name under the namespace, and the manifest's file name (default: the project name). */
  name?: string;
  dockerfile?: string;
  context?: string;
  /** Named build contexts (`--build-context <name>=<dir>`): name → directory in the workspace (path template), or `docker-image://<reference>`. */
  buildContexts?: Record<string, string>;
  /** Leave the sources of the workspace projects this one does not depend on (the runner's project graph) out of the context. */
  pruneContext?: boolean;
  registry?: string;
  namespace?: string;
  repository?: string;
  tags?: string[];
  extraTags?: string[];
  version?: string;
  buildArgs?: Record<string, string>;
  /**
   * The plugin's buildArgs (nx.json) the Dockerfile declares, as inference sets them: offered under the
   * target's own `buildArgs`, which add to and override them (Nx would otherwise let a target's own
   * buildArgs replace the plugin's whole object).
   */
  pluginBuildArgs?: Record<string, string>;
  /** Registry host → mirror for external bases, e.g. { "docker.io": "mirror.gcr.io" }; HASHDOCK_MIRRORS overrides it. */
  mirrors?: Record<string, string>;
  /** Labels the image carries (docker build --label): fixed values, part of the content hash; added to and over pluginLabels. */
  labels?: Record<string, string>;
  /** Set by inference: the plugin's labels (nx.json), under the target's own `labels` (as pluginBuildArgs). */
  pluginLabels?: Record<string, string>;
  env?: Record<string, string>;
  platform?: string;
  /** The Dockerfile stage to build (docker build --target); the last stage when unset. */
  stage?: string;
  push?: boolean;
  dryRun?: boolean;
  noCache?: boolean;
  cacheFrom?: string[];
  manifestDir?: string;
  /** esbuild metafile of the build that produced the context, for "why rebuilt" reports. */
  buildMetafile?: string;
  /** BuildKit secrets: id → environment variable name. */
  secrets?: Record<string, string>;
  /** BuildKit secrets read from files: id → path (`~/.npmrc`; relative to the workspace root). */
  secretFiles?: Record<string, string>;
  /** SSH forwards for RUN --mount=type=ssh: `default` (SSH_AUTH_SOCK's agent) or `<id>=<socket or key>`. */
  ssh?: string[];
  /** The network RUN instructions get: `default`, `host` (reach the runner's own services, e.g. a local npm registry) or `none`. */
  network?: 'default' | 'host' | 'none';
  /** `name:ip` entries for RUN's /etc/hosts. */
  addHosts?: string[];
  /** `auto` (default), `docker` or `registry`; HASHDOCK_BUILDER overrides it at run time. */
  builder?: ImageBuilder;
}

export interface ImageTargetFacts {
  workspaceRoot: string;
  projectName: string;
  projectRoot: string;
  /** `<namespace>/<name>` → name of every workspace image (see workspaceImageNames). */
  workspaceImages: Record<string, string>;
  gitSha?: string;
  /** The `{branch}` value, when a tag uses it. */
  branch?: string;
  /** From an Nx target: its id and the InputsBasis its metadata records (see checkInputsBasis). */
  inferredInputs?: { task: string; basis: unknown };
  /** What the tasks the image depends on write (Nx outputs): named when a COPY source is missing (see buildOutputHint). */
  dependencyOutputs?: readonly DependencyOutputs[];
  /**
   * Under Nx: what the tasks the image depends on output, directly or through another (workspace paths), which
   * reach its task hash, and whether its inputs hash ignored COPY sources from disk (hashIgnoredSources). With
   * these, a COPY of a file git ignores that neither covers is named (see sourcesNxCannotSee).
   */
  nxSees?: { taskOutputs: readonly string[]; ignoredSources: boolean };
  /** The runner's project graph (Nx's; the package graph under turbo): what pruneContext leaves out. */
  projectGraph?: WorkspaceProjectGraph;
  env: NodeJS.ProcessEnv;
}


// Names real repos give credentials (AWS_SECRET_ACCESS_KEY, NPM_TOKEN, DB_PASSWORD, SSH_PRIVATE_KEY, …).
const SECRET_LIKE = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|_KEY$|^KEY$|APIKEY|AUTH/i;

/** Whether a build arg's name says it carries a credential. */
export function secretLikeArg(name: string): boolean {
  return SECRET_LIKE.test(name);
}

/**
 * Build args land in image history and (as digests) in the inputs record: a
 * value for one whose name looks like a credential is refused, naming the arg
 * and where it came from, never the value.
 */
export function refuseSecretBuildArgs(buildArgs: Record<string, string>): void {
  const offending = Object.keys(buildArgs).filter(secretLikeArg).sort();
  if (offending.length === 0) return;
  const where = offending.map((name) => `${name} (set by the buildArgs option or ${BUILD_ARG_ENV_PREFIX}${name})`).join(', ');
  throw new InvalidOptionError(
    'buildArgs',
    `Build arg ${where} looks like a credential: build args are stored in the image's history for anyone who can pull it. ` +
      'Pass it as a BuildKit secret instead: "secrets": { "<id>": "<ENV_VARIABLE>" } in the image target, ' +
      'and RUN --mount=type=secret,id=<id> in the Dockerfile (never hashed, never in history or logs).',
  );
}

/** A stage name as BuildKit accepts it (matched without regard to case). */
function stageOption(value: unknown, where: string): string {
  if (typeof value !== 'string' || !STAGE_NAME.test(value.toLowerCase()))
    throw new InvalidOptionError('stage', `${where}: option "stage" must name a Dockerfile stage (FROM <image> AS <name>: a letter, then letters, digits, ".", "_" or "-"), got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

/** Whether pruneContext is on; on, it needs the runner's project graph (an entry point without one says so). */
function pruneContextOption(value: unknown, facts: ImageTargetFacts): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError('pruneContext', `project ${facts.projectName}: option "pruneContext" must be true or false, got ${JSON.stringify(value)}`);
  if (value && facts.projectGraph === undefined)
    throw new InvalidOptionError('pruneContext', `project ${facts.projectName}: option "pruneContext" needs the project graph, which this entry point does not have: run the image target through Nx, or hashdock image (turbo).`);
  return value;
}

/** The target's mirrors, or HASHDOCK_MIRRORS's when set (an empty value turns them off). */
function mirrorsOption(mirrors: Record<string, string> | undefined, facts: ImageTargetFacts): { mirrors?: RegistryMirrors } {
  const spec = facts.env[MIRRORS_ENV];
  const chosen = spec !== undefined ? parseMirrorsSpec(spec) : normalizeMirrors(mirrors ?? {}, `project ${facts.projectName}`);
  return Object.keys(chosen).length ? { mirrors: chosen } : {};
}

function builderOption(value: string): ImageBuilder {
  if (!(IMAGE_BUILDERS as readonly string[]).includes(value)) throw new InvalidOptionError('builder', `Option "builder" (or HASHDOCK_BUILDER) must be one of ${IMAGE_BUILDERS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as ImageBuilder;
}


/**
 * A path option as Nx interpolates it ({projectRoot}, {projectName},
 * {workspaceRoot}), made absolute against the workspace root.
 */
export function expandPathTemplate(value: string, projectRoot: string, projectName: string, workspaceRoot: string): string {
  const expanded = value
    .replace(/\{projectRoot\}/g, projectRoot)
    .replace(/\{projectName\}/g, projectName)
    .replace(/^\{workspaceRoot\}\/?/, '')
    .replace(/\{workspaceRoot\}/g, workspaceRoot);
  return isAbsolute(expanded) ? expanded : resolve(workspaceRoot, expanded || '.');
}

/**
 * A target's `context` option as a path template: `project` and `workspace` mean what they mean in the
 * plugin options; Nx interpolates "{workspaceRoot}" in options to "", so an empty one is the workspace root.
 */
export function contextOption(value: string | undefined): string {
  return value === '' ? '.' : contextTemplate(value ?? '{projectRoot}');
}

function workspacePath(value: string, facts: ImageTargetFacts, option: string): string {
  if (!value.trim()) throw new InvalidOptionError(option, `Option "${option}" is empty`);
  return expandPathTemplate(value, facts.projectRoot, facts.projectName, facts.workspaceRoot);
}

/** The build args a target offers its Dockerfile: the plugin's, then its own over them. */
export function targetBuildArgs(options: Pick<ImageTargetOptions, 'buildArgs' | 'pluginBuildArgs'>): Record<string, string> {
  return { ...options.pluginBuildArgs, ...options.buildArgs };
}

/** Where a target's image goes: its name (which also names its manifest file) and the repository it is pushed to. */
export function imageDestination(
  options: Pick<ImageTargetOptions, 'registry' | 'namespace' | 'name' | 'repository'>,
  facts: Pick<ImageTargetFacts, 'env' | 'projectName'>,
): { registry: string; namespace: string; imageName: string; repository: string } {
  const registry = facts.env.HASHDOCK_REGISTRY || options.registry || 'localhost:5000';
  const namespace = facts.env.HASHDOCK_NAMESPACE || options.namespace || 'hashdock';
  const imageName = options.name ?? imageNameOf(facts.projectName);
  return { registry, namespace, imageName, repository: options.repository ?? `${registry}/${namespace}/${imageName}` };
}

/**
 * Options once, in full: paths absolute, env overrides applied, repository
 * decided. The Nx executor, infra's integrated mode and the turbo command all
 * come through here, so they compute the same tag for the same bytes.
 */
export function resolveImageOptions(options: ImageTargetOptions, facts: ImageTargetFacts): ImageBuildOptions {
  const { registry, namespace, imageName, repository } = imageDestination(options, facts);
  const buildArgs = { ...targetBuildArgs(options), ...buildArgOverrides(facts.env) };
  return {
    project: facts.projectName,
    imageName,
    workspaceRoot: facts.workspaceRoot,
    contextDir: workspacePath(contextOption(options.context), facts, 'context'),
    dockerfile: workspacePath(options.dockerfile ?? '{projectRoot}/Dockerfile', facts, 'dockerfile'),
    ...(options.pruneContext !== undefined && pruneContextOption(options.pruneContext, facts) ? { leaveOut: projectsLeftOut(facts.projectRoot, facts.projectGraph!) } : {}),
    ...(options.buildContexts !== undefined
      ? {
          buildContexts: Object.fromEntries(
            Object.entries(buildContextsOption(options.buildContexts, `project ${facts.projectName}`)).map(([name, value]) => [
              name,
              imageContextReference(value) === undefined ? workspacePath(value, facts, `buildContexts.${name}`) : value,
            ]),
          ),
        }
      : {}),
    repository,
    tagTemplates: [...(options.tags ?? DEFAULT_TAG_TEMPLATES), ...(options.extraTags ?? [])],
    buildArgs,
    ...mirrorsOption(options.mirrors, facts),
    ...(options.labels !== undefined || options.pluginLabels !== undefined ? { labels: checkImageLabels({ ...options.pluginLabels, ...options.labels }, `project ${facts.projectName}`) } : {}),
    env: { ...options.env },
    platform: options.platform ?? hostPlatform(),
    ...(options.stage !== undefined ? { stage: stageOption(options.stage, `project ${facts.projectName}`) } : {}),
    push: options.push ?? true,
    dryRun: options.dryRun ?? false,
    noCache: options.noCache ?? false,
    builder: builderOption(facts.env.HASHDOCK_BUILDER || options.builder || 'auto'),
    sourceDateEpoch: /^\d+$/.test(facts.env.SOURCE_DATE_EPOCH ?? '') ? Number(facts.env.SOURCE_DATE_EPOCH) : 0,
    version: options.version,
    gitSha: facts.gitSha,
    ...(facts.branch ? { branch: facts.branch } : {}),
    manifestDir: workspacePath(options.manifestDir ?? 'dist/images', facts, 'manifestDir'),
    cacheFrom: options.cacheFrom ?? [],
    ...(options.secrets ? { secrets: { ...options.secrets } } : {}),
    ...(options.secretFiles !== undefined ? { secretFiles: normalizeSecretFiles(options.secretFiles, options.secrets, facts.workspaceRoot, `project ${facts.projectName}`) } : {}),
    ...(options.ssh !== undefined ? { ssh: normalizeSshForwards(options.ssh, facts.workspaceRoot, `project ${facts.projectName}`) } : {}),
    ...(options.network !== undefined ? { network: buildNetworkOption(options.network, `project ${facts.projectName}`) } : {}),
    ...(options.addHosts !== undefined ? { addHosts: addHostsOption(options.addHosts, `project ${facts.projectName}`) } : {}),
    ...(facts.env.HASHDOCK_REUSE_NAMESPACES
      ? { reuseRepositories: facts.env.HASHDOCK_REUSE_NAMESPACES.split(',').map((ns) => ns.trim()).filter((ns) => ns && ns !== namespace).map((ns) => `${registry}/${ns}/${imageName}`) }
      : {}),
    ...(options.buildMetafile ? { buildMetafile: workspacePath(options.buildMetafile, facts, 'buildMetafile') } : {}),
    // Dockerfiles name workspace images with the configured namespace; an env override only moves where they go.
    workspaceImages: Object.fromEntries(
      Object.entries(facts.workspaceImages).flatMap(([reference, name]) => [
        [reference, name],
        [`${namespace}/${name}`, name],
      ]),
    ),
  };
}

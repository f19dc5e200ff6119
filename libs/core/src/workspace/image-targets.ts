import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, posix, relative } from 'node:path';
import { HashdockError, UnknownStageError } from '../errors';
import { dockerfileForStage } from '../docker/dockerfile-stages';
import { declaredArgNames } from '../docker/dockerfile-from';
import { buildRunIn } from '../docker/build-run';
import { findWorkspaceBaseImages, inheritedTriggers } from '../image/base-images';
import { InheritedTriggers, onbuildTriggers } from '../docker/onbuild-triggers';
import { targetPlatforms } from '../docker/platform-args';
import { ExternalFrom, externalFroms } from '../image/external-bases';
import { expandPathTemplate, ImageTargetOptions, targetBuildArgs } from '../image/resolve-image-options';
import { DockerfileVariantClashError, projectDockerfileVariants } from './dockerfile-names';
import { contextTemplate, HashdockConfig } from './hashdock-config';
import { buildContextsOption, imageContextReference } from '../image/named-contexts';
import { IMAGE_EXECUTOR } from '../names';
import { imageNameOf } from './image-name';
import { WorkspaceProject } from './project-files';

/** A Dockerfile and the project that owns it; or a project that declares image targets and holds no Dockerfile. */
export interface ImageTargetCandidate {
  /** Workspace-relative, slash-separated; none for a project that only declares image targets. */
  dockerfile?: string;
  project: WorkspaceProject;
}

export type TargetDependency = string | { projects: string[]; target: string };

/** One image target, resolved: the answer every entry point shares. */
export interface ImageTarget {
  project: string;
  projectRoot: string;
  targetName: string;
  /**
   * The Dockerfile that gave rise to this target (workspace-relative); `dockerfile` may be overridden.
   * For a target declared in a project that holds no Dockerfile, the one it builds.
   */
  source: string;
  /** Image name under the namespace (`api`, `api-worker`); also names the manifest file. */
  name: string;
  /** What Hashdock infers; Nx merges the project's own target options over these. */
  inferred: ImageTargetOptions;
  /** What the target runs with: the inferred options, then the project's own. */
  options: ImageTargetOptions;
  /** Workspace-relative (`.` for the root) unless the options point outside the workspace. */
  dockerfile: string;
  context: string;
  /** Named build contexts (`--build-context`): name → directory, workspace-relative as `context` is, or `docker-image://<reference>`. */
  namedContexts?: Record<string, string>;
  /** Undefined when the Dockerfile does not exist (the executor reports it). */
  dockerfileText?: string;
  /** Where the Dockerfile leads when it is a symlink inside the workspace (an input too: docker reads it). */
  dockerfileTarget?: string;
  /** Workspace images this one builds FROM. */
  bases: { project: string; targetName: string; name: string }[];
  /** The ONBUILD triggers those bases bring into this build, by FROM line (see contextScopeOf). */
  inheritedTriggers?: ReadonlyMap<number, InheritedTriggers>;
  /** Images from outside the workspace it builds FROM (their digests are runtime inputs). */
  externalBases: ExternalFrom[];
  dependsOn: TargetDependency[];
  /** The RUN by which its Dockerfile builds the sources inside the image: then it does not wait for the build target (unless declared). */
  buildRun?: string;
  /** Set when the build target is wanted with a configuration (`build:production`). */
  defaultConfiguration?: string;
}

export class ImageNameClashError extends HashdockError {
  constructor(name: string, first: string, second: string) {
    super(
      'IMAGE_NAME_CLASH',
      `Two image targets would publish the same image "${name}": ${first} and ${second}. ` +
        'Set the "name" option of one of them in its project.json.',
    );
  }
}

/** A path option of a project's target as a workspace path (`.` for the root), absolute when outside the workspace. */
export function workspaceRelative(workspaceRoot: string, template: string, project: Pick<WorkspaceProject, 'root' | 'name'>): string {
  const absolute = expandPathTemplate(template, project.root, project.name, workspaceRoot);
  const rel = relative(workspaceRoot, absolute).split('\\').join('/');
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

/**
 * Where a Dockerfile that is a symlink (`apps/api/Dockerfile → ../../docker/node.Dockerfile`) leads, as a
 * workspace path; undefined when it is none, or leads outside the workspace. Docker reads the target's
 * text, so an edit there must change the task hash: Nx hashes the link itself.
 */
function dockerfileLinkTarget(workspaceRoot: string, path: string): string | undefined {
  const file = isAbsolute(path) ? path : `${workspaceRoot}/${path}`;
  try {
    if (!lstatSync(file).isSymbolicLink()) return undefined;
    const target = relative(realpathSync(workspaceRoot), realpathSync(file)).split('\\').join('/');
    return target && !target.startsWith('..') && !isAbsolute(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

function readText(workspaceRoot: string, path: string): string | undefined {
  try {
    return readFileSync(isAbsolute(path) ? path : `${workspaceRoot}/${path}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The part of the Dockerfile a `stage` option builds, so inputs and base
 * edges follow it; the whole file when the stage is missing (the executor
 * then fails naming it, and an unread stage is never left out of the inputs).
 */
function stageText(text: string | undefined, stage: string | undefined, dockerfile: string, buildArgs: Record<string, string>, platform: string | undefined): string | undefined {
  if (text === undefined || stage === undefined) return text;
  try {
    return dockerfileForStage(text, stage, dockerfile, buildArgs, targetPlatforms(platform)[0]);
  } catch (error) {
    if (error instanceof UnknownStageError) return text;
    throw error;
  }
}

/** The plugin's build args the Dockerfile declares, as the inferred `pluginBuildArgs` option (none: no option). */
function pluginBuildArgs(all: Record<string, string>, declared: ReadonlySet<string>): Pick<ImageTargetOptions, 'pluginBuildArgs'> {
  const offered = Object.entries(all).filter(([arg]) => declared.has(arg));
  return offered.length ? { pluginBuildArgs: Object.fromEntries(offered) } : {};
}

function stringOption(options: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = options?.[key];
  return typeof value === 'string' && value ? value : undefined;
}

/**
 * Which projects have which image targets with which options: the one model
 * behind the Nx plugin, the executor, the turbo command and infra. A project
 * with one Dockerfile gets `<targetName>`; with several, its root `Dockerfile`
 * keeps `<targetName>` and each other gets `<targetName>-<variant>`, its own
 * repository (`<name>-<variant>`) and manifest. The project's own target
 * options (project.json, package.json `nx`) override the inferred ones, here
 * exactly as Nx merges them, so inputs follow what actually runs. A target the
 * project declares with the image executor (`image-debug` with `stage: debug`)
 * is resolved the same way, its repository `<name>-<target name without "image-">`; so is one
 * declared in a project that holds no Dockerfile, building the one its `dockerfile` option names
 * (several apps sharing `docker/rust.Dockerfile`), its repository the project's name for `image`.
 */
export function resolveImageTargets(workspaceRoot: string, config: HashdockConfig, candidates: readonly ImageTargetCandidate[]): ImageTarget[] {
  const byRoot = new Map<string, { project: WorkspaceProject; dockerfiles: string[] }>();
  for (const candidate of candidates) {
    const entry = byRoot.get(candidate.project.root) ?? { project: candidate.project, dockerfiles: [] };
    if (candidate.dockerfile !== undefined) entry.dockerfiles.push(candidate.dockerfile);
    byRoot.set(candidate.project.root, entry);
  }
  const targets: ImageTarget[] = [];
  for (const { project, dockerfiles } of [...byRoot.values()].sort((a, b) => (a.project.root < b.project.root ? -1 : 1))) {
    const sorted = [...new Set(dockerfiles)].sort();
    const variants = new Map<string, string>();
    const variantOf = projectDockerfileVariants(project.root, project.name, sorted);
    for (const dockerfile of sorted) {
      const variant = variantOf.get(dockerfile)!;
      const clash = variants.get(variant);
      if (clash !== undefined) throw new DockerfileVariantClashError(project.name, clash, dockerfile, variant);
      variants.set(variant, dockerfile);
    }
    const inferred = [...variants].map(([variant, dockerfile]) => resolveOne(workspaceRoot, config, project, dockerfile, variant));
    targets.push(...inferred);
    // Targets the project declares with the image executor (another stage, another Dockerfile) get the same
    // inference: inputs, outputs, base edges. Their default Dockerfile is the one the main target builds; in a
    // project that holds none, the one their `dockerfile` option names (else {projectRoot}/Dockerfile, which the
    // executor reports missing).
    const primary = variants.get('') ?? sorted[0];
    for (const [targetName, declared] of Object.entries(project.targets)) {
      if (declared.executor !== IMAGE_EXECUTOR || inferred.some((target) => target.targetName === targetName)) continue;
      const variant = targetName === config.targetName ? '' : targetName.startsWith(`${config.targetName}-`) ? targetName.slice(config.targetName.length + 1) : targetName;
      const own = stringOption(declared.options, 'dockerfile');
      const dockerfile = primary ?? (own ? workspaceRelative(workspaceRoot, own, project) : posix.join(project.root, 'Dockerfile'));
      targets.push(resolveOne(workspaceRoot, config, project, dockerfile, variant, targetName));
    }
  }
  const byName = new Map<string, ImageTarget>();
  for (const target of targets) {
    const other = byName.get(target.name);
    if (other) throw new ImageNameClashError(target.name, `${other.project}:${other.targetName}`, `${target.project}:${target.targetName}`);
    byName.set(target.name, target);
  }
  const images = workspaceImageNames(targets, config.namespace);
  // The names a FROM may use for a workspace image, per set of namespaces (one or two sets in a workspace):
  // built once each, not once per image (at 200 images that was 140 ms of every cold inference).
  const knownByNamespaces = new Map<string, Record<string, string>>();
  const knownNames = (namespaces: readonly string[]) => {
    const key = namespaces.join('\n');
    let known = knownByNamespaces.get(key);
    if (!known) knownByNamespaces.set(key, (known = { ...images, ...Object.fromEntries(Object.values(images).flatMap((name) => namespaces.map((ns) => [`${ns}/${name}`, name]))) }));
    return known;
  };
  for (const target of targets) {
    if (!target.dockerfileText) continue;
    // A Dockerfile that names its own image does not build on itself.
    target.bases = findWorkspaceBaseImages(target.dockerfileText, images)
      .filter((base) => base.project !== target.name)
      .map((base) => {
        const image = byName.get(base.project)!;
        return { project: image.project, targetName: image.targetName, name: image.name };
      });
    target.dependsOn.push(...target.bases.map((base) => ({ projects: [base.project], target: base.targetName })));
    const triggers = inheritedTriggers(target.dockerfileText, images, (name) => {
      const base = byName.get(name);
      return base && base !== target && base.dockerfileText ? onbuildTriggers(base.dockerfileText) : undefined;
    });
    if (triggers.size) target.inheritedTriggers = triggers;
    try {
      const known = knownNames([...new Set([config.namespace, target.options.namespace ?? config.namespace])]);
      target.externalBases = externalFroms(target.dockerfile, target.dockerfileText, targetBuildArgs(target.options), known, targetPlatforms(target.options.platform)[0], Object.keys(target.namedContexts ?? {}));
    } catch {
      // A FROM with no image fails the build itself, with the line named.
      target.externalBases = [];
    }
  }
  return targets;
}

function resolveOne(workspaceRoot: string, config: HashdockConfig, project: WorkspaceProject, dockerfile: string, variant: string, declaredName?: string): ImageTarget {
  const targetName = declaredName ?? (variant ? `${config.targetName}-${variant}` : config.targetName);
  const own = project.targets[targetName]?.options;
  const name = stringOption(own, 'name') ?? (variant ? `${imageNameOf(project.name)}-${variant}` : imageNameOf(project.name));
  const dockerfileTemplate =
    project.root === '.' ? `{projectRoot}/${dockerfile}`
    : isAbsolute(dockerfile) ? dockerfile
    : dockerfile.startsWith(`${project.root}/`) ? `{projectRoot}/${posix.relative(project.root, dockerfile)}`
    : `{workspaceRoot}/${dockerfile}`;
  const effectiveDockerfile = workspaceRelative(workspaceRoot, stringOption(own, 'dockerfile') ?? dockerfileTemplate, project);
  // The project's own buildArgs over the plugin's (pluginBuildArgs: Nx alone would let the own object replace the plugin's).
  const buildArgs = { ...config.buildArgs, ...(own?.buildArgs as Record<string, string> | undefined) };
  const dockerfileText = stageText(readText(workspaceRoot, effectiveDockerfile), stringOption(own, 'stage'), effectiveDockerfile, buildArgs, stringOption(own, 'platform') ?? config.platform);
  const declared = dockerfileText ? declaredArgNames(dockerfileText) : new Set<string>();
  const linked = dockerfileLinkTarget(workspaceRoot, effectiveDockerfile);
  const inferred: ImageTargetOptions = {
    dockerfile: dockerfileTemplate,
    context: config.context,
    name,
    registry: config.registry,
    namespace: config.namespace,
    tags: config.tags,
    ...pluginBuildArgs(config.buildArgs, declared),
    ...(Object.keys(config.labels).length ? { pluginLabels: config.labels } : {}),
    ...(Object.keys(config.mirrors).length ? { mirrors: config.mirrors } : {}),
    ...(config.platform ? { platform: config.platform } : {}),
    manifestDir: config.manifestDir,
    ...(config.builder !== 'auto' ? { builder: config.builder } : {}),
    ...(config.pruneContext ? { pruneContext: true } : {}),
  };
  const options = { ...inferred, ...(own as ImageTargetOptions | undefined) };
  // A Dockerfile that builds its sources itself (RUN turbo run build, npm run build, next build …) needs nothing the
  // host's build writes: the image does not wait for it (a `next build` on the host, minutes, for nothing sent).
  const buildRun = dockerfileText !== undefined ? buildRunIn(dockerfileText) : undefined;
  const waitsForBuild = config.buildTarget !== undefined && (config.buildTarget.declared === true || buildRun === undefined);
  return {
    project: project.name,
    projectRoot: project.root,
    targetName,
    source: dockerfile,
    name,
    inferred,
    options,
    dockerfile: effectiveDockerfile,
    context: workspaceRelative(workspaceRoot, contextTemplate(options.context ?? config.context), project),
    ...namedContextsOf(workspaceRoot, options.buildContexts, project),
    ...(dockerfileText !== undefined ? { dockerfileText } : {}),
    ...(linked ? { dockerfileTarget: linked } : {}),
    bases: [],
    externalBases: [],
    ...(buildRun ? { buildRun } : {}),
    dependsOn: waitsForBuild ? [config.buildTarget!.target] : [],
    ...(waitsForBuild && config.buildTarget?.configuration ? { defaultConfiguration: config.buildTarget.configuration } : {}),
  };
}

/** The target's named contexts as workspace paths; none where the option is malformed (the executor names what is wrong). */
function namedContextsOf(workspaceRoot: string, value: unknown, project: WorkspaceProject): Pick<ImageTarget, 'namedContexts'> {
  if (value === undefined) return {};
  try {
    const contexts = buildContextsOption(value, `project ${project.name}`);
    return {
      namedContexts: Object.fromEntries(Object.entries(contexts).map(([name, value]) => [name, imageContextReference(value) === undefined ? workspaceRelative(workspaceRoot, value, project) : value])),
    };
  } catch {
    return {};
  }
}

/**
 * The image targets in a set of project configurations (as Nx hands them to
 * an executor): their names and options, for workspaceImageNames.
 */
export function imageTargetsIn(
  projects: Record<string, { targets?: Record<string, { executor?: string; options?: Record<string, unknown> }> }>,
  executor: string,
): Pick<ImageTarget, 'name' | 'options'>[] {
  return Object.entries(projects).flatMap(([project, config]) =>
    Object.values(config.targets ?? {})
      .filter((target) => target.executor === executor)
      .map((target) => ({ name: stringOption(target.options, 'name') ?? imageNameOf(project), options: (target.options ?? {}) as ImageTargetOptions })),
  );
}

/** `<namespace>/<name>` → name, for every image target: how Dockerfiles refer to workspace images. */
export function workspaceImageNames(targets: readonly Pick<ImageTarget, 'name' | 'options'>[], namespace: string): Record<string, string> {
  const names: Record<string, string> = {};
  for (const target of targets)
    for (const prefix of new Set([namespace, target.options.namespace ?? namespace])) names[`${prefix}/${target.name}`] = target.name;
  return names;
}

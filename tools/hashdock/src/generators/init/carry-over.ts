import { posix } from 'node:path';
import { getProjects, readJson, Tree, updateJson, writeJson } from '@nx/devkit';
import { declaredArgNames, dockerfileStages, dockerfileVariant, IMAGE_EXECUTOR, imageNameOf, owningProjectRoot, parseRepository, projectDockerfileVariants } from '@hashdock/core';
import { settingsAsOptions } from './build-settings';
import { ConfiguredBuild, ContextChoice, DockerfileContext } from './context-evidence';
import { releaseNames } from './release-names';

export interface CarriedOver {
  /** One line per image target whose options were written, naming the file, target and options. */
  written: string[];
  /** What could not be written (the target name taken by another executor, a command or a script), with the options to set. */
  toSet: string[];
  /** Settings not carried over, each with why and what it is of (a Dockerfile, a project's declared target). */
  leftOut: { subject: string; item: string }[];
  /** project.json files made for projects whose package.json Nx does not read. */
  created: string[];
}

/**
 * Make each image target build its Dockerfile as the workspace does today: where the context one
 * was built (or written) for is not the policy (`workspace` or `project`; a path template: no
 * comparison), its `context`; the build args, stage, platforms, labels, secrets, network, hosts and
 * ssh forwards the build followed passes; the name its image has today. Written where Nx reads the
 * project's own target options (project.json, else the "nx" key of its package.json), keys already
 * set untouched; said instead where another target of that name would run. `shared`: builds a
 * project runs on a Dockerfile it does not hold (see sharedDockerfileBuilds); each such project
 * declares a target with the executor and that `dockerfile`, the rest carried over the same way.
 */
export function carryOver(
  tree: Tree,
  choice: ContextChoice | undefined,
  policy: 'workspace' | 'project' | undefined,
  targetName: string,
  dockerfiles: readonly string[],
  shared: readonly ConfiguredBuild[] = [],
  nxReadsPackageJson: (root: string) => boolean = () => true,
): CarriedOver {
  const result: CarriedOver = { written: [], toSet: [], leftOut: [], created: [] };
  const projects = [...getProjects(tree)];
  const projectNames = new Map(projects.map(([name, project]) => [project.root, name]));
  // @nx/docker's name for a project's image (`release.docker.repositoryName`, what nx release tags and pushes it as).
  const releaseNamesByRoot = releaseNames(tree, projects);
  // Each Dockerfile's project and Hashdock's name for its image, worked out once (the clash check below asks for every pair).
  const owners = new Map(dockerfiles.map((dockerfile) => [dockerfile, owningProjectRoot(tree.root, dockerfile, (path) => tree.exists(path))]));
  const perProject = new Map<string | undefined, number>();
  for (const owner of owners.values()) perProject.set(owner, (perProject.get(owner) ?? 0) + 1);
  // As resolveImageTargets names them (a project's only Dockerfile, or the one named after it, has no variant).
  const variantsByRoot = new Map<string, Map<string, string>>();
  const variantOf = (root: string, dockerfile: string) => {
    let variants = variantsByRoot.get(root);
    if (!variants) {
      const own = [...owners].filter(([, owner]) => owner === root).map(([file]) => file).sort();
      variants = projectDockerfileVariants(root, projectNames.get(root), own);
      variantsByRoot.set(root, variants);
    }
    return variants.get(dockerfile) ?? dockerfileVariant(root, dockerfile);
  };
  const imageName = (root: string | undefined, variant: string) => {
    const projectName = root === undefined ? undefined : projectNames.get(root);
    return projectName ? [imageNameOf(projectName), variant].filter(Boolean).join('-') : undefined;
  };
  const planned: Planned[] = (choice?.dockerfiles ?? []).map((entry) => {
    const variant = variantOf(entry.root, entry.dockerfile);
    return { ...entry, key: entry.dockerfile, target: variant ? `${targetName}-${variant}` : targetName, declare: false };
  });
  // A project's one Dockerfile that said nothing of its context keeps the name @nx/docker releases it under, all the same.
  for (const dockerfile of dockerfiles) {
    const root = owners.get(dockerfile);
    const named = root === undefined ? undefined : releaseNamesByRoot.get(root);
    if (root === undefined || named === undefined || variantOf(root, dockerfile) !== '' || planned.some((plan) => plan.key === dockerfile)) continue;
    planned.push({ key: dockerfile, root, dockerfile, said: `${named.from} is "${named.name}"`, target: targetName, declare: false });
  }
  // A project building a Dockerfile it does not hold (one shared by several apps) declares a target that names it:
  // `image` where it holds none, else `image-<the Dockerfile's variant>`; each further one it builds (Dokploy's
  // apps/dokploy: the root Dockerfile and Dockerfile.cloud), `image-<its variant>`, a plain-named one first. Each
  // Dockerfile's first build decides.
  const sharedVariant = (dockerfile: string) => dockerfileVariant(posix.dirname(dockerfile), dockerfile) || dockerfileVariant(posix.dirname(posix.dirname(dockerfile)), dockerfile);
  const declaring = new Map<string, Map<string, string>>();
  const ordered = [...shared].sort((a, b) => Number(sharedVariant(a.dockerfile) !== '') - Number(sharedVariant(b.dockerfile) !== ''));
  for (const build of ordered) {
    const root = build.from!;
    const targets = declaring.get(root) ?? new Map<string, string>();
    if (targets.has(build.dockerfile)) continue;
    const own = perProject.get(root) ?? 0;
    const variant = own === 0 && targets.size === 0 ? '' : sharedVariant(build.dockerfile);
    const target = variant ? `${targetName}-${variant}` : targetName;
    if (targets.size > 0 && (!variant || [...targets.values()].includes(target))) {
      result.leftOut.push({ subject: root, item: `${build.said} (another of its declared image targets would have the name "${target}"; declare this one with the executor under another)` });
      continue;
    }
    targets.set(build.dockerfile, target);
    declaring.set(root, targets);
    const value = build.context === '.' ? 'workspace' : build.context === root ? 'project' : build.context;
    planned.push({ key: `${root}:${build.dockerfile}`, root, dockerfile: build.dockerfile, value, said: build.said, build, target, declare: true });
  }
  const defaultNames = new Map<string, string | undefined>(dockerfiles.map((dockerfile) => [dockerfile, imageName(owners.get(dockerfile), variantOf(owners.get(dockerfile) ?? '', dockerfile))]));
  for (const plan of planned) if (plan.declare) defaultNames.set(plan.key, imageName(plan.root, plan.target === targetName ? '' : plan.target.slice(targetName.length + 1)));
  const defaultName = (key: string) => defaultNames.get(key);
  // The image keeps the name it has today (its repository's last part), where that is not the one Hashdock gives it,
  // unless another image would have it too (Hashdock refuses two images of one name).
  const carried = new Map<string, string>();
  for (const plan of planned) {
    // The image the build names (`docker build -t …`), else, for a project's one Dockerfile, @nx/docker's release name.
    const released = !plan.declare && variantOf(plan.root, plan.dockerfile) === '' ? releaseNamesByRoot.get(plan.root) : undefined;
    const built = repositoryName(plan.build?.settings.image);
    const today = built ?? repositoryName(released?.name);
    if (!today || today === defaultName(plan.key)) continue;
    carried.set(plan.key, today);
    if (!built && released && !plan.said.includes(released.from)) plan.said = `${plan.said}; ${released.from} is "${released.name}"`;
  }
  // Every name in a clash falls back to Hashdock's, which may clash anew: until none does.
  const dropped = new Map<string, string>();
  const keys = [...defaultNames.keys()];
  for (let clashing = true; clashing; ) {
    const finalName = (key: string) => carried.get(key) ?? defaultName(key);
    const clashes = [...carried].filter(([key, name]) => keys.some((other) => other !== key && finalName(other) === name));
    for (const [key, name] of clashes) {
      carried.delete(key);
      dropped.set(key, name);
    }
    clashing = clashes.length > 0;
  }
  for (const plan of planned) {
    const settings = settingsAsOptions(plan.build?.settings ?? {});
    const name = carried.get(plan.key);
    if (name) settings.options.name = name;
    const clash = dropped.get(plan.key);
    if (clash) settings.leftOut.push(`name ${clash} (another image would have it too)`);
    const text = tree.read(plan.dockerfile, 'utf8') ?? '';
    settings.leftOut.push(...buildableHere(settings.options, text));
    const configurations = Object.entries(settings.configurations ?? {})
      .map(([configuration, options]) => {
        settings.leftOut.push(...buildableHere(options, text, true).map((item) => `configuration "${configuration}": ${item}`));
        return [configuration, options] as const;
      })
      .filter(([, options]) => Object.keys(options).length > 0);
    const subject = plan.declare ? `${plan.root} (${plan.dockerfile})` : plan.dockerfile;
    result.leftOut.push(...settings.leftOut.map((item) => ({ subject, item })));
    const wanted: Record<string, unknown> = {
      ...(plan.declare ? { dockerfile: plan.dockerfile } : {}),
      ...(policy !== undefined && plan.value !== undefined && plan.value !== policy ? { context: plan.value } : {}),
      ...settings.options,
    };
    if (Object.keys(wanted).length === 0 && configurations.length === 0) continue;
    const target = plan.target;
    const why = plan.build ? `as ${plan.said}` : `(${plan.said})`;
    // Where Nx reads the project's own target options: project.json, else the "nx" key of its package.json when Nx reads
    // that (a workspace package); else a project.json made for them, named as the project is (makeplane/plane's
    // apps/api, left out of pnpm's workspace, is a project only by its Dockerfile).
    const projectJson = plan.root === '.' ? 'project.json' : `${plan.root}/project.json`;
    const packageJson = `${plan.root === '.' ? '' : `${plan.root}/`}package.json`;
    if (!tree.exists(projectJson) && tree.exists(packageJson) && !nxReadsPackageJson(plan.root)) {
      const name = projectNames.get(plan.root) ?? (readJson(tree, packageJson) as { name?: unknown }).name;
      writeJson(tree, projectJson, { name: typeof name === 'string' ? name : posix.basename(plan.root), targets: {} });
      result.created.push(projectJson);
    }
    const file = tree.exists(projectJson) ? projectJson : tree.exists(packageJson) ? packageJson : undefined;
    // project.json may have comments: read it as Nx does.
    const read = file ? readJson<{ nx?: ProjectTargets; scripts?: Record<string, unknown> } & ProjectTargets>(tree, file) : undefined;
    const existing = file === projectJson ? read?.targets?.[target] : read?.nx?.targets?.[target];
    // Another executor, a command, or (package.json) a script of that name would run instead of Hashdock's target.
    const occupied = (existing && (existing.command !== undefined || (existing.executor !== undefined && existing.executor !== IMAGE_EXECUTOR))) || (file === packageJson && read?.scripts?.[target] !== undefined);
    if (!file || occupied) {
      const declared = plan.declare ? `a "${target}" target with "executor": "${IMAGE_EXECUTOR}" and the options ${JSON.stringify(wanted)}` : `${JSON.stringify(wanted)} in the options of its "${target}" target`;
      const configured = configurations.length ? `, and the configurations ${JSON.stringify(Object.fromEntries(configurations))}` : '';
      result.toSet.push(`${subject} ${why}: ${declared}${configured}`);
      continue;
    }
    const added: Record<string, unknown> = {};
    const addedConfigurations: Record<string, Record<string, unknown>> = {};
    updateJson(tree, file, (json: { nx?: ProjectTargets } & ProjectTargets) => {
      const holder = file === projectJson ? json : (json.nx ??= {});
      const declared = ((holder.targets ??= {})[target] ??= {});
      // A declared target runs Hashdock's executor: Nx infers none there for it to merge into.
      if (plan.declare && declared.executor === undefined) declared.executor = added.executor = IMAGE_EXECUTOR;
      const options = (declared.options ??= {});
      for (const [key, value] of Object.entries(wanted)) if (!(key in options)) options[key] = added[key] = value;
      // A configuration of the same name (nx run <project>:<target>:<configuration>), its keys already set untouched.
      for (const [configuration, values] of configurations) {
        const existing = ((declared.configurations ??= {})[configuration] ??= {});
        for (const [key, value] of Object.entries(values)) if (!(key in existing)) existing[key] = (addedConfigurations[configuration] ??= {})[key] = value;
      }
      return json;
    });
    if (Object.keys(addedConfigurations).length) added.configurations = addedConfigurations;
    if (Object.keys(added).length) {
      const what = plan.declare ? `declares a "${target}" target building ${plan.dockerfile}` : `its "${target}" target builds ${plan.dockerfile}`;
      result.written.push(`${file}${file === packageJson ? ' ("nx" key)' : ''}: ${what} ${why}: ${JSON.stringify(added)}`);
    }
  }
  return result;
}

/** One image target to carry a build over to: inferred from a Dockerfile the project holds, or declared (one it builds from elsewhere). */
interface Planned extends DockerfileContext {
  /** The Dockerfile (inferred), or `<root>:<Dockerfile>` (declared). */
  key: string;
  target: string;
  declare: boolean;
}

interface ProjectTargets {
  targets?: Record<string, { executor?: string; command?: string; options?: Record<string, unknown>; configurations?: Record<string, Record<string, unknown>> }>;
}

/**
 * Options this Dockerfile can build with, each one it cannot removed and said: a stale stage (a
 * `--target` naming no stage would make a target that cannot build).
 */
/** Build args BuildKit reads without an ARG: the proxy variables, its own BUILDKIT_* and SOURCE_DATE_EPOCH. */
const PREDEFINED_ARG = /^(?:(?:HTTP|HTTPS|FTP|NO|ALL)_PROXY|(?:http|https|ftp|no|all)_proxy|BUILDKIT_\w+|SOURCE_DATE_EPOCH)$/;

function buildableHere(options: Record<string, unknown>, dockerfileText: string, within = false): string[] {
  const leftOut: string[] = [];
  // A build arg the Dockerfile never declares changes nothing in the image (docker warns it was not consumed), as
  // compose files' `DOCKER_BUILDKIT: 1` under `args` (an environment variable of the docker CLI, not a build arg).
  if (options.buildArgs && typeof options.buildArgs === 'object') {
    const declared = declaredArgNames(dockerfileText);
    const buildArgs = { ...(options.buildArgs as Record<string, string>) };
    for (const name of Object.keys(buildArgs)) {
      if (declared.has(name) || PREDEFINED_ARG.test(name)) continue;
      delete buildArgs[name];
      leftOut.push(`build arg ${name} (the Dockerfile declares no ARG ${name}: it changes nothing in the image)`);
    }
    // A configuration's build args replace the target's: one left empty stays, meaning none.
    if (Object.keys(buildArgs).length || within) options.buildArgs = buildArgs;
    else delete options.buildArgs;
  }
  const stage = options.stage;
  if (typeof stage === 'string' && !dockerfileStages(dockerfileText).some((candidate) => candidate.name === stage.toLowerCase())) {
    delete options.stage;
    leftOut.push(`stage ${stage} (the Dockerfile has no stage of that name)`);
  }
  return leftOut;
}

/** The last part of an image's repository (`ghcr.io/acme/shop-api` → `shop-api`), when it is a valid one. */
/** The last part of an image's repository (`ghcr.io/acme/shop-api:1` → `shop-api`): the name Hashdock gives it. */
export function repositoryName(image: string | undefined): string | undefined {
  try {
    return image ? parseRepository(image.toLowerCase()).path.split('/').pop() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Left-out settings as said: each reason once, after every Dockerfile it holds for (`apps/web/Dockerfile,
 * apps/ws/Dockerfile: arguments $DOCKER_BUILD_ARGUMENTS (…)`), in the order first met.
 */
export function leftOutLines(leftOut: readonly { subject: string; item: string }[]): string[] {
  const subjects = new Map<string, string[]>();
  for (const { subject, item } of leftOut) {
    const of = subjects.get(item) ?? [];
    if (!of.includes(subject)) of.push(subject);
    subjects.set(item, of);
  }
  return [...subjects].map(([item, of]) => `${of.join(', ')}: ${item}`);
}

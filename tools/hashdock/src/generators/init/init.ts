import { basename } from 'node:path';
import { assertSupportedRuntime } from '../../runtime-check';
import { addDependenciesToPackageJson, formatFiles, GeneratorCallback, getProjects, installPackagesTask, logger, readJson, readNxJson, Tree, updateJson, updateNxJson, writeJson } from '@nx/devkit';
import { buildRunIn, discoverImageTargets, HashdockConfig, HashdockOptions, IMAGE_EXECUTOR, isRootImageFile, isToolingPath, normalizeHashdockOptions, owningProjectRoot, PLUGIN_NAME, runCommand } from '@hashdock/core';
import type { InitGeneratorSchema } from './schema';
import { githubContext, isWorkflowPath } from './workflow-builds';
import { gitlabProjectVariables } from './gitlab-builds';
import { CI_SCRIPT_FILES } from './ci-script-builds';
import { BAKE_FILES } from './bake-builds';
import { JENKINS_FILE } from './jenkins-builds';
import { carryOver, leftOutLines } from './carry-over';
import { workspacePackages } from './workspace-packages';
import { unownedBuildNotes } from './unowned-builds';
import { chooseContext, configuredBuilds, rootNameHolder, sharedDockerfileBuilds } from './context-evidence';
import { dockerHubHome, imageHome } from './image-home';
import { workspaceFiles } from './workspace-files';
import { unreadIgnoreFiles } from './unread-ignore-files';
import { stdinContextDockerfiles, UnfollowedNote } from './stdin-context-dockerfiles';
import { attributeBuilds } from './attribute-builds';
import { buildOutputsElsewhere } from './build-outputs-elsewhere';
import { selfChangingContexts } from './self-changing-contexts';
import { copiesMadeInCi } from './copies-made-in-ci';
import { gitIgnoreOwnData } from './git-ignore-own-data';
import { ignoreOwnData } from './ignore-own-data';
import { wholeContextCopies } from './whole-context-copies';
import { WiredImage, wireTurbo } from './turbo-wiring';
import { keepJsonLayout } from '../keep-json-layout';

type PluginEntry = string | { plugin: string; options?: unknown };

/**
 * `nx add @hashdock/nx-plugin` runs this: register the plugin in nx.json with
 * the given registry, namespace and context policy. Idempotent: options not
 * given keep their values, and a second run with the same options changes
 * nothing. Prints what it did.
 */
export default async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<GeneratorCallback | undefined> {
  assertSupportedRuntime();
  const nxJson = readNxJson(tree) ?? {};
  const plugins: PluginEntry[] = [...((nxJson.plugins ?? []) as PluginEntry[])];
  const index = plugins.findIndex((entry) => (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME);
  const current = index >= 0 && typeof plugins[index] === 'object' ? ((plugins[index] as { options?: HashdockOptions }).options ?? {}) : {};
  const given: HashdockOptions = Object.fromEntries(
    Object.entries({ registry: schema.registry, namespace: schema.namespace, context: schema.context, targetName: schema.targetName }).filter(([, value]) => value !== undefined),
  );
  // Moving from @nx/docker: its build target's working directory is the context its Dockerfiles were written for;
  // else, Dockerfile by Dockerfile, how the workspace builds it today (nx-container or docker build targets, scripts,
  // GitHub Actions workflows, GitLab CI, other CI files, a Jenkinsfile, Bake files, compose files) or what it copies.
  const dockerContext = index < 0 && given.context === undefined ? nxDockerContext(plugins) : undefined;
  const { dockerfiles, composeFiles } = workspaceFiles(tree, '');
  const workflowFiles = tree.exists('.github/workflows') ? tree.children('.github/workflows').map((name) => `.github/workflows/${name}`).filter(isWorkflowPath).sort() : [];
  // What CI files name through their platform's variables (`ghcr.io/${{ github.repository }}`, `$CI_REGISTRY_IMAGE`): from git's origin.
  const origin = (await gitOrigin(tree.root)) ?? '';
  const ci = {
    workflows: workflowFiles,
    github: githubContext(origin),
    ...(tree.exists('.gitlab-ci.yml') ? { gitlab: '.gitlab-ci.yml', gitlabVariables: gitlabProjectVariables(origin) } : {}),
    scripts: CI_SCRIPT_FILES.filter((file) => tree.exists(file)),
    bake: BAKE_FILES.filter((file) => tree.exists(file)),
    ...(tree.exists(JENKINS_FILE) ? { jenkins: JENKINS_FILE } : {}),
  };
  // Builds of today that cannot be made the same way from a workspace folder (a context on stdin, a variable): said, each once.
  const unfollowed: UnfollowedNote[] = [];
  // One Dockerfile built with several sets of build args for several projects (compose services api and web): each project's.
  const attributed = attributeBuilds(tree, index < 0 ? configuredBuilds(tree, composeFiles, plugins, ci, (note) => unfollowed.push(note)) : []);
  const builds = attributed.builds;
  // A Dockerfile in a tools' folder that a build names an image for is shipped, not a tool's environment (AFFiNE's
  // `.github/deployment/node/Dockerfile`, pushed as ghcr.io/toeverything/affine-graphql): one as the others, never inferred.
  for (const build of builds)
    if (isToolingPath(build.dockerfile) && build.settings.image !== undefined && tree.exists(build.dockerfile) && !dockerfiles.includes(build.dockerfile)) dockerfiles.push(build.dockerfile);
  const choice = index < 0 ? chooseContext(tree, builds, dockerfiles) : undefined;
  const configured = given.context === undefined && !dockerContext ? choice : undefined;
  const { shared, others } = sharedDockerfileBuilds(tree, builds);
  // The registry and namespace the images are pushed to today, unless either is given.
  const images = [
    ...(choice?.dockerfiles ?? []).map((entry) => ({ subject: entry.dockerfile, image: entry.build?.settings.image })),
    // A project's first build of a Dockerfile it does not hold (see carryOver).
    ...shared.filter((build, i) => shared.findIndex((other) => other.from === build.from) === i).map((build) => ({ subject: `${build.from} (${build.dockerfile})`, image: build.settings.image })),
  ];
  const home = given.registry === undefined && given.namespace === undefined ? imageHome(images) : undefined;
  // On GHCR a package lives under its owner: unless a namespace is given or set, the repository's own owner/repo.
  const registry = given.registry ?? current.registry ?? home?.registry ?? 'localhost:5000';
  const ghcrNamespace = registry === 'ghcr.io' && given.namespace === undefined && current.namespace === undefined && !home ? githubContext(origin).repository?.toLowerCase() : undefined;
  const options: HashdockOptions = {
    ...(index >= 0 ? {} : { registry: 'localhost:5000', namespace: defaultNamespace(tree) }),
    ...(home ? { registry: home.registry, namespace: home.namespace } : {}),
    ...(ghcrNamespace ? { namespace: ghcrNamespace } : {}),
    ...(dockerContext ? { context: dockerContext } : {}),
    // `project` is the default: written only when it is not.
    ...(configured?.context === 'workspace' ? { context: configured.context } : {}),
    ...current,
    ...given,
  };
  const config = normalizeHashdockOptions(options, 'nx add @hashdock/nx-plugin');
  if (index >= 0 && JSON.stringify(current) === JSON.stringify(options)) {
    logger.info(`${PLUGIN_NAME}: already registered in nx.json; nothing changed.`);
    return undefined;
  }
  const policy = config.context === '{workspaceRoot}' ? 'workspace' : config.context === '{projectRoot}' ? 'project' : undefined;
  // Dockerfiles built today only from a context a command pipes in, copying what no folder has: left out of inference.
  const piped = index < 0 ? stdinContextDockerfiles(tree, unfollowed, builds, dockerfiles, choice?.dockerfiles ?? [], policy) : [];
  // And those whose every build is another project's image (declared there below): their own target would build none of them.
  const exclude = [...piped.map((entry) => entry.dockerfile), ...attributed.othersOnly.map((entry) => entry.dockerfile)];
  // An entry's own include and exclude stay.
  if (index >= 0) plugins[index] = { ...(typeof plugins[index] === 'object' ? plugins[index] : {}), plugin: PLUGIN_NAME, options };
  else plugins.push({ plugin: PLUGIN_NAME, options, ...(exclude.length ? { exclude } : {}) });
  // Nx runs without an nx.json (a package-based workspace), and devkit's updateNxJson then writes nothing: create it.
  if (tree.exists('nx.json')) updateNxJson(tree, { ...nxJson, plugins: plugins as never });
  else writeJson(tree, 'nx.json', { $schema: './node_modules/nx/schemas/nx-schema.json', plugins });
  logger.info(
    `${PLUGIN_NAME}: ${index >= 0 ? 'updated' : 'registered'} in nx.json — images go to ${config.registry}/${config.namespace}/<project>, ` +
      `built from ${config.context === '{projectRoot}' ? 'each project folder' : config.context === '{workspaceRoot}' ? 'the workspace root' : config.context}. ` +
      `Every project with a Dockerfile now has an "${config.targetName}" target: nx run-many -t ${config.targetName}`,
  );
  if (home) logger.info(`${PLUGIN_NAME}: registry ${home.registry} and namespace ${home.namespace}, where the images go today (${home.said}); pass --registry and --namespace to choose others.`);
  const hub = !home && given.registry === undefined && given.namespace === undefined && index < 0 ? dockerHubHome(images) : undefined;
  if (hub) logger.info(`${PLUGIN_NAME}: the images are named for Docker Hub today (${hub.said}); to push there: nx g ${PLUGIN_NAME}:init --registry docker.io --namespace ${hub.namespace}`);
  if (configured?.evidence) logger.info(`${PLUGIN_NAME}: context "${configured.context}", as ${configured.evidence}; pass --context to choose another.`);
  // Each image target builds its Dockerfile as the workspace does today: its own context where it differs from the
  // policy (when that is one of the two), its build args, stage, platforms, labels, secrets.
  // Nx reads a project's package.json only when the package manager's workspaces (or lerna's) hold it, or a project.json is beside it.
  const nxPackages = await workspacePackages(tree, { lerna: true });
  const nxReadsPackageJson = (root: string) => root === '.' || root === '' || nxPackages?.roots.has(root) === true;
  const carried = carryOver(tree, choice, policy, config.targetName, dockerfiles, shared, nxReadsPackageJson);
  if (carried.created.length)
    logger.info(
      `${PLUGIN_NAME}: created ${carried.created.join(', ')}: Nx does not read ${carried.created.length > 1 ? 'their' : 'its'} package.json (${nxPackages ? `${nxPackages.declaredIn} leaves it out of the workspace packages` : 'no workspace packages are declared'}), so the image target's options go there.`,
    );
  for (const line of carried.written) logger.info(`${PLUGIN_NAME}: ${line}`);
  if (carried.toSet.length) logger.warn(`${PLUGIN_NAME}: to build as today, set: ${carried.toSet.join('; ')}.`);
  if (carried.leftOut.length) logger.warn(`${PLUGIN_NAME}: not carried over: ${leftOutLines(carried.leftOut).join('; ')}.`);
  if (others.length) {
    logger.warn(
      `${PLUGIN_NAME}: these builds use another project's Dockerfile as it is: ${others.map((build) => build.said).join('; ')}. ` +
        'Hashdock builds each as the image of the project that holds it; to build one under another project too, declare a target there with the executor and its "dockerfile".',
    );
  }
  if (choice?.ignored.length) logger.warn(`${PLUGIN_NAME}: not followed (its Dockerfile says otherwise): ${choice.ignored.join('; ')}.`);
  const elsewhere = buildOutputsElsewhere(tree, dockerfiles, choice?.dockerfiles ?? [], policy, config.buildTarget?.target);
  if (elsewhere.length) logger.warn(`${PLUGIN_NAME}: these images cannot build as written: ${elsewhere.join('; ')}.`);
  const madeInCi = copiesMadeInCi(tree, dockerfiles.filter((dockerfile) => !exclude.includes(dockerfile)), choice?.dockerfiles ?? [], policy);
  if (madeInCi.length)
    logger.warn(
      `${PLUGIN_NAME}: these images copy what CI makes before building them: ${madeInCi.join('; ')}. ` +
        'Hashdock builds from the checkout: have a target write it first (its "outputs" naming it, the image target\'s "dependsOn" that target), ' +
        'or copy the sources themselves (with "pruneContext": true an image is sent only its project and what it depends on, as turbo prune does).',
    );
  const unignored = await gitIgnoreOwnData(tree, config.manifestDir);
  if (unignored.length) logger.info(`${PLUGIN_NAME}: added to .gitignore (written on every run, not to be committed): ${unignored.join(', ')}.`);
  const ignoring = ignoreOwnData(tree, dockerfiles, choice?.dockerfiles ?? [], policy, config.manifestDir);
  if (ignoring.length) logger.info(`${PLUGIN_NAME}: left out of the images that copy their whole context (they change on every run): ${ignoring.join('; ')}.`);
  const changing = selfChangingContexts(tree, dockerfiles, choice?.dockerfiles ?? [], policy);
  if (changing.length) {
    logger.warn(
      `${PLUGIN_NAME}: these images copy their whole build context, git's and Nx's data included: ${changing.join('; ')}. ` +
        'Each would get a new content hash on every run, never found in the registry; add them to the .dockerignore there.',
    );
  }
  // A project's image copying the workspace root whole: every project's edit is a new image, unless pruned to what it
  // depends on. (Not the root project's: a root Dockerfile usually builds some app inside, which its graph does not name.)
  const wholeRoot = wholeContextCopies(tree, dockerfiles, choice?.dockerfiles ?? [], policy).filter((copy) => copy.context === '.' && copy.dockerfile.includes('/'));
  if (wholeRoot.length && getProjects(tree).size > 1) {
    logger.info(
      `${PLUGIN_NAME}: these images copy the whole workspace root: ${wholeRoot.map((copy) => copy.dockerfile).join(', ')}; an edit in any project makes each a new image. ` +
        'With "pruneContext": true on their image targets (or in targetDefaults), each is sent only its project, what it depends on in the project graph and the files no project owns.',
    );
  }
  const unread = unreadIgnoreFiles(tree, dockerfiles, choice?.dockerfiles ?? [], policy);
  if (unread.length) logger.warn(`${PLUGIN_NAME}: not read by the builds of these images (Docker does not apply them): ${unread.join('; ')}.`);
  if (attributed.othersOnly.length) {
    logger.info(
      `${PLUGIN_NAME}: left out of inference (the plugin's "exclude" in nx.json): ${attributed.othersOnly.map((entry) => `${entry.dockerfile} (every build of it makes another project's image: ${entry.projects.join(', ')}, each declaring its own target)`).join('; ')}.`,
    );
  }
  if (attributed.untold.length) {
    logger.warn(
      `${PLUGIN_NAME}: built for several images, not told apart by project: ${attributed.untold.join('; ')}. Of those, only the first build is carried over (to the project holding the Dockerfile, if one does); ` +
        `in each project that builds it, declare a target with "executor": "${IMAGE_EXECUTOR}" and its "dockerfile", "buildArgs" and "stage".`,
    );
  }
  if (piped.length) {
    logger.warn(
      `${PLUGIN_NAME}: left out of inference (the plugin's "exclude" in nx.json): ${piped.map((entry) => `${entry.dockerfile} (built only with its context on stdin, ${entry.said}; it copies ${entry.missing}, which no workspace folder has)`).join('; ')}. ` +
        'To build one with Hashdock, have a target write that context to a folder, give the image target that "context" and that target in "dependsOn", and remove the Dockerfile from "exclude".',
    );
  }
  // Each once (a CI file often runs the same build in several jobs); those of a Dockerfile left out are said above.
  const notFollowed = [...new Set(unfollowed.filter((note) => !piped.some((entry) => note.dockerfiles.includes(entry.dockerfile))).map(({ file, command, reason }) => `${file}: \`${command}\` (${reason})`))];
  if (notFollowed.length) {
    const named = notFollowed.slice(0, 5);
    logger.warn(
      `${PLUGIN_NAME}: not followed (no build Hashdock can make the same way from a workspace folder): ${named.join('; ')}` +
        `${notFollowed.length > named.length ? ` and ${notFollowed.length - named.length} more` : ''}. Those Dockerfiles build from the context above; set a target's "context" where one needs another.`,
    );
  }
  if (dockerContext) logger.info(`${PLUGIN_NAME}: context "${dockerContext}", as @nx/docker's build target runs from the workspace root here (its "cwd"); pass --context to choose another.`);
  // An image whose Dockerfile builds the sources itself does not wait for the project's build (see resolveOne): said, as it is not what @nx/docker does.
  if (config.buildTarget && !config.buildTarget.declared) {
    const inside = dockerfiles.filter((dockerfile) => !exclude.includes(dockerfile)).flatMap((dockerfile) => {
      const run = buildRunIn(tree.read(dockerfile, 'utf8') ?? '');
      return run ? [`${dockerfile} (RUN ${run.length > 80 ? `${run.slice(0, 79)}…` : run})`] : [];
    });
    if (inside.length)
      logger.info(
        `${PLUGIN_NAME}: these Dockerfiles build their sources themselves, so their images do not wait for the project's "${config.buildTarget.target}": ${inside.join('; ')}. ` +
          'Set the plugin\'s "buildTarget" to have every image wait for it.',
      );
  }
  // A turbo workspace runs them with turbo too: scripts, the task, and the CLI they call installed at the root.
  const turbo = index < 0 && !schema.skipTurbo && tree.exists('turbo.json') ? await wireTurbo(tree, config.targetName, dockerfiles, exclude, await imageTargetsOnDisk(tree.root, config)) : undefined;
  let install: GeneratorCallback | undefined;
  if (turbo && (turbo.scripts.length || turbo.task)) {
    // The CLI turbo runs is the core this plugin runs: one version, so both compute the same tag for the same bytes.
    const core = coreVersion();
    const held = tree.exists('package.json') ? dependencySpec(tree, '@hashdock/core') : undefined;
    if (tree.exists('package.json') && held?.spec !== core) {
      if (held) updateJson(tree, 'package.json', (json) => ({ ...json, [held.field]: { ...json[held.field], '@hashdock/core': core } }));
      install = held ? () => installPackagesTask(tree) : addDependenciesToPackageJson(tree, {}, { '@hashdock/core': core });
    }
    logger.info(
      `${PLUGIN_NAME}: turbo: ${turbo.scripts.length ? `a "${config.targetName}": "hashdock image" script in ${turbo.scripts.join(', ')}` : 'the scripts were there'}` +
        `${turbo.task ? `, an uncached "${config.targetName}" task in turbo.json` : ''}` +
        `${turbo.edges.length ? `, ${turbo.edges.join(', ')} after the workspace images each is FROM` : ''}` +
        `${turbo.builds.length ? `, ${turbo.builds.join(', ')}` : ''}` +
        `${install ? `, @hashdock/core ${core} (the hashdock command, the plugin's own core${held ? `; it was ${held.spec}` : ''}) in the root ${held?.field ?? 'devDependencies'}` : ''}: turbo run ${config.targetName}`,
    );
  }
  if (turbo?.left.length) logger.warn(`${PLUGIN_NAME}: turbo does not run these images: ${turbo.left.join('; ')}.`);
  if (index < 0) logger.info(`${PLUGIN_NAME}: next, CI: nx g ${PLUGIN_NAME}:github-workflow; promotion by digest: nx g ${PLUGIN_NAME}:release`);
  // A Dockerfile the projects building it now declare targets for is theirs: not named as no project's.
  const unclaimed = dockerfiles.filter((dockerfile) => !shared.some((build) => build.dockerfile === dockerfile));
  // What is built today from a Dockerfile no project owns: the target that would build it so (said instead of the plain note).
  const unowned = unownedBuildNotes(unclaimed.filter((path) => owningProjectRoot(tree.root, path, (file) => tree.exists(file)) === undefined), builds, config.targetName);
  for (const line of adoptionNotes(tree, plugins, config.targetName, unclaimed.filter((dockerfile) => !unowned.dockerfiles.includes(dockerfile)))) logger.warn(line);
  for (const line of unowned.notes) logger.warn(line);
  keepJsonLayout(tree);
  if (!schema.skipFormat) await formatFiles(tree);
  return install;
}

/**
 * The image targets the plugin will infer, read from disk (the Dockerfiles, the projects and the options just chosen):
 * each project's target names and the workspace images each is FROM. Unreadable: none (the wiring then knows only
 * the tree's Dockerfiles, and turbo orders by package dependencies alone).
 */
async function imageTargetsOnDisk(root: string, config: HashdockConfig): Promise<WiredImage[]> {
  try {
    const targets = await discoverImageTargets(root, config);
    const rootOf = new Map(targets.map((target) => [target.project, target.projectRoot]));
    return targets.map((target) => ({
      root: target.projectRoot,
      targetName: target.targetName,
      baseRoots: target.bases.flatMap((base) => (rootOf.has(base.project) ? [rootOf.get(base.project)!] : [])),
      waitsForBuild: config.buildTarget !== undefined && target.dependsOn.includes(config.buildTarget.target),
    }));
  } catch {
    return [];
  }
}

/** Where the root package.json lists `name`, and as what. */
function dependencySpec(tree: Tree, name: string): { field: 'dependencies' | 'devDependencies'; spec: string } | undefined {
  const manifest = readJson(tree, 'package.json') as Record<string, Record<string, string> | undefined>;
  const field = (['dependencies', 'devDependencies'] as const).find((key) => manifest[key]?.[name] !== undefined);
  return field ? { field, spec: manifest[field]![name] } : undefined;
}

/** The @hashdock/core this plugin was released with (its own dependency on it). */
function coreVersion(): string {
  return (require('../../../package.json') as { dependencies: Record<string, string> }).dependencies['@hashdock/core'];
}

/**
 * What the workspace already has that meets Hashdock's targets: another tool inferring targets from
 * the same Dockerfiles, project targets that take the inferred target's name with another
 * executor (Nx lets the project's own target replace an inferred one of the same name, so Hashdock's
 * would not run there), and Dockerfiles no project owns (which get no target).
 */
export function adoptionNotes(tree: Tree, plugins: readonly PluginEntry[], targetName: string, dockerfiles: readonly string[] = workspaceFiles(tree, '').dockerfiles): string[] {
  const notes: string[] = [];
  for (const [plugin, infers, defaultTargets] of OTHER_DOCKER_PLUGINS) {
    const entry = plugins.find((candidate) => (typeof candidate === 'string' ? candidate : candidate.plugin) === plugin);
    if (entry === undefined) continue;
    const named = otherPluginTargets(entry, defaultTargets);
    const clash = named.includes(targetName) ? ` It names a target "${targetName}" too: Nx keeps one of the two (the plugin listed later in nx.json); pick another name with --targetName.` : '';
    notes.push(
      `${PLUGIN_NAME}: ${plugin} is registered in nx.json too; it infers ${named.join(' and ')} from ${infers}. ` +
        `Both can stay${clash ? '' : ' (their target names differ)'}; to let Hashdock replace it, remove its entry from nx.json "plugins".${clash}`,
    );
  }
  const dockerReleases = dockerReleaseConfigs(tree);
  if (dockerReleases.length > 0) {
    notes.push(
      `${PLUGIN_NAME}: nx.json ${dockerReleases.join(' and ')} ${dockerReleases.length > 1 ? 'make' : 'makes'} nx release tag and push images as @nx/docker builds them (a local image named after the project folder); ` +
        `Hashdock's image targets push to the registry instead. To release those by version, give each image project an "nx-release-publish" target ` +
        `{ "executor": "${PLUGIN_NAME}:release-publish", "dependsOn": ["${targetName}"] } and remove "docker" from the release configuration.`,
    );
  }
  const taken: string[] = [];
  for (const [name, project] of getProjects(tree)) {
    const target = project.targets?.[targetName];
    // A target with neither executor nor command only sets options, which Nx merges into the inferred target.
    const executor = target?.executor ?? (target?.command ? 'nx:run-commands' : undefined);
    // Nothing but the project's image targets run by one name (as the plugin infers, and the turbo wiring writes) is not another tool's.
    const aggregate = executor === 'nx:noop' && Array.isArray(target?.dependsOn) && target.dependsOn.length > 0 && target.dependsOn.every((dependency) => typeof dependency === 'string' && dependency.startsWith(`${targetName}-`));
    if (executor && executor !== IMAGE_EXECUTOR && !aggregate) taken.push(`${name} (${executor})`);
  }
  if (taken.length > 0) {
    notes.push(
      `${PLUGIN_NAME}: these projects already have a "${targetName}" target of their own, which replaces the inferred one there: ${taken.join(', ')}. ` +
        `Rename theirs, or give Hashdock's another name: nx g ${PLUGIN_NAME}:init --targetName=container.`,
    );
  }
  const unowned = dockerfiles.filter((path) => owningProjectRoot(tree.root, path, (file) => tree.exists(file)) === undefined).sort();
  // A root Dockerfile makes the root a project named by package.json, unless another project has that name (Nx refuses two).
  const rootFiles = dockerfiles.filter(isRootImageFile);
  const holder = rootFiles.length ? rootNameHolder(tree) : undefined;
  if (holder) {
    notes.push(
      `${PLUGIN_NAME}: ${rootFiles.join(' and ')} would make the workspace root a project named "${holder[0]}" (its package.json name), which ${holder[1]} already is; ` +
        'it gets no image target. To build it, add a project.json at the root with another "name".',
    );
  }
  if (unowned.length > 0) {
    const shown = unowned.length > 5 ? `${unowned.slice(0, 5).join(', ')} and ${unowned.length - 5} more` : unowned.join(', ');
    notes.push(
      `${PLUGIN_NAME}: no project owns ${shown}, so ${unowned.length > 1 ? 'they get' : 'it gets'} no image target. ` +
        'To build one, add a project.json beside it or in a folder above it (a Dockerfile or Containerfile directly in the workspace root is the root project\'s), ' +
        `or declare a target with the executor naming it ("dockerfile") in each project that builds it.`,
    );
  }
  return notes;
}

/** Where nx.json's release configuration hands versioning and publishing to @nx/docker (`release.docker`, a group's `docker`). */
function dockerReleaseConfigs(tree: Tree): string[] {
  const release = readNxJson(tree)?.release as { docker?: unknown; groups?: Record<string, { docker?: unknown }> } | undefined;
  const found = release?.docker ? ['"release.docker"'] : [];
  for (const [name, group] of Object.entries(release?.groups ?? {})) if (group?.docker) found.push(`"release.groups.${name}.docker"`);
  return found;
}

/**
 * `workspace` when @nx/docker is registered and its build target runs `docker build` from the
 * workspace root (`cwd` "." or "{workspaceRoot}", the usual way to use `--file {projectRoot}/Dockerfile`);
 * undefined when it runs in each project folder (its default, Hashdock's too) or is not registered.
 */
export function nxDockerContext(plugins: readonly PluginEntry[]): 'workspace' | undefined {
  const entry = plugins.find((plugin) => typeof plugin === 'object' && plugin.plugin === '@nx/docker') as { options?: { buildTarget?: unknown } } | undefined;
  const buildTarget = entry?.options?.buildTarget;
  const cwd = typeof buildTarget === 'object' && buildTarget !== null ? (buildTarget as { cwd?: unknown }).cwd : undefined;
  return typeof cwd === 'string' && ['.', './', '', '{workspaceRoot}'].includes(cwd.trim()) ? 'workspace' : undefined;
}

/** Other plugins that infer image targets from Dockerfiles: name, which files, default target names. */
const OTHER_DOCKER_PLUGINS: readonly [string, string, readonly string[]][] = [
  ['@nx/docker', 'the same Dockerfiles', ['docker:build', 'docker:run']],
  ['@nx-tools/nx-container', 'every Dockerfile next to a project.json or package.json', ['container']],
];

/** The target names another plugin's entry gives its targets: its options (`buildTarget`, `runTarget`, `buildTargetName`), else its defaults. */
function otherPluginTargets(entry: PluginEntry, defaults: readonly string[]): string[] {
  const options = (typeof entry === 'object' ? entry.options : undefined) as Record<string, unknown> | undefined;
  const nameOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string' ? (value as { name: string }).name : undefined);
  if (defaults.includes('container')) return [nameOf(options?.buildTargetName) ?? 'container'];
  return [nameOf(options?.buildTarget) ?? defaults[0], nameOf(options?.runTarget) ?? defaults[1]];
}

/** git's origin URL, if the workspace is a checkout that has one. */
async function gitOrigin(root: string): Promise<string | undefined> {
  try {
    return (await runCommand('git', ['remote', 'get-url', 'origin'], { cwd: root })).stdout.trim();
  } catch {
    // not a git checkout, or no origin
    return undefined;
  }
}

/** The workspace's package name as a registry namespace: `@acme/source` → `acme`. */
/** Root package names that name no one (what generators and templates write): the workspace's folder says more. */
const PLACEHOLDER_NAMES = new Set(['root', 'monorepo', 'workspace', 'source', 'app', 'project', 'repo', 'main']);

/** A namespace from a name: lowercase, what registries take (`a-z0-9._-`), no separator at either end. */
const namespaceOf = (name: string) => name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');

/**
 * The namespace when none is given: the root package's scope (`@acme/shop` → acme), or its name; for a name
 * that names no one (`root`, `monorepo`) or none, the workspace folder's name (the repository's, usually).
 */
function defaultNamespace(tree: Tree): string {
  const name = tree.exists('package.json') ? String(JSON.parse(tree.read('package.json', 'utf8') ?? '{}').name ?? '') : '';
  const candidate = namespaceOf(name.startsWith('@') ? name.slice(1).split('/')[0] : name);
  if (candidate && !PLACEHOLDER_NAMES.has(candidate)) return candidate;
  return namespaceOf(basename(tree.root)) || candidate || 'app';
}

import { posix } from 'node:path';
import { getProjects, readJson, Tree } from '@nx/devkit';
import { contextScopeOf, owningProjectRoot } from '@hashdock/core';
import { BuildSettings, containerSettings, namedImage } from './build-settings';
import { composeBuilds } from './compose-builds';
import { dockerBuildsIn, UnfollowedBuild, unfollowedIn } from './docker-build-command';
import { ciScriptBuilds } from './ci-script-builds';
import { bakeBuilds } from './bake-builds';
import { bakeCommands } from './bake-calls';
import { makefileRecipes } from './makefile-recipes';
import { jenkinsBuilds } from './jenkins-builds';
import { gitlabBuilds } from './gitlab-builds';
import { workflowBuilds } from './workflow-builds';

type PluginEntry = string | { plugin: string; options?: unknown };

/** A build the workspace runs today: which Dockerfile, from which context (workspace paths), and who says so. */
export interface ConfiguredBuild {
  dockerfile: string;
  context: string;
  said: string;
  /** Build args, stage, platform, labels and secrets it passes. */
  settings: BuildSettings;
  /** The root of the project whose target or script runs it (none for compose files). */
  from?: string;
  /** What names the image it makes besides its tags: a compose service (see attributeBuilds). */
  service?: string;
  /** `from` is the project the Dockerfile's own RUN lines build (see attributeBuilds): its image, declared there. */
  named?: boolean;
}

/**
 * The context one project Dockerfile is built (or written) for: `workspace`, `project` or a path (none
 * for the root project's, where the two are one folder); and the build followed, if any.
 */
export interface DockerfileContext {
  dockerfile: string;
  root: string;
  value?: string;
  said: string;
  build?: ConfiguredBuild;
}

/** The context policy the workspace's own build configuration gives, with what it left aside. */
export interface ContextChoice {
  context: 'workspace' | 'project';
  /** What decided the context; none when only root Dockerfiles (which say nothing of it) were built. */
  evidence?: string;
  /** Every project Dockerfile something said a context for. */
  dockerfiles: DockerfileContext[];
  /** Builds not followed: the Dockerfile's COPY lines contradict them (a stale compose file, say). */
  ignored: string[];
}

const CONTAINER_EXECUTORS = new Set(['@nx-tools/nx-container:build', '@nx-tools/nx-docker:build']);

/**
 * The builds the workspace configures today, most direct first: project targets running
 * `@nx-tools/nx-container:build` (context `.` and `<projectRoot>/Dockerfile` unless set) or a
 * `docker build` command (nx:run-commands, from its `cwd`), project package.json scripts running
 * `docker build` (from the project folder) and the workspace root's (from the root), the targets a registered `@nx/docker` infers (`docker
 * build .` from its `cwd` with its `args`) or `@nx-tools/nx-container` infers (context `.`), the
 * GitHub Actions workflows', GitLab CI's and other CI files' builds (see workflowBuilds, gitlabBuilds,
 * ciScriptBuilds, jenkinsBuilds), Bake files' targets (see bakeBuilds), then compose files. A `docker build`
 * of those commands and CI files that cannot be followed (its context on stdin, a variable) is told to `unfollowed`.
 */
/** The CI files a workspace has: GitHub workflows, a .gitlab-ci.yml, other CI files of shell steps (see ciScriptBuilds), a Jenkinsfile; and its Bake files. */
export interface CiFiles {
  workflows: readonly string[];
  gitlab?: string;
  /** GitLab's predefined variables known before a pipeline runs (`CI_REGISTRY_IMAGE`, from the origin; see gitlabProjectVariables). */
  gitlabVariables?: Record<string, string>;
  /** The `github` context's values known before a workflow runs (`repository`, from the origin; see githubContext). */
  github?: Record<string, string>;
  scripts: readonly string[];
  /** `docker-bake.hcl` and its kin at the workspace root (see bakeBuilds), in bake's merge order. */
  bake?: readonly string[];
  /** The Jenkinsfile at the workspace root (see jenkinsBuilds). */
  jenkins?: string;
}

export function configuredBuilds(tree: Tree, composeFiles: readonly string[], plugins: readonly PluginEntry[], ci: CiFiles = { workflows: [], scripts: [] }, unfollowed?: UnfollowedBuild): ConfiguredBuild[] {
  const builds: ConfiguredBuild[] = [];
  const projects = [...getProjects(tree)];
  for (const [name, project] of projects) {
    const root = project.root;
    const resolve = tokensOf(root, name);
    for (const [targetName, target] of Object.entries(project.targets ?? {})) {
      const options = (target.options ?? {}) as Record<string, unknown>;
      const where = `${root}'s target "${targetName}"`;
      if (target.executor && CONTAINER_EXECUTORS.has(target.executor)) {
        const context = typeof options.context === 'string' ? resolve(options.context) : '.';
        const file = typeof options.file === 'string' ? resolve(options.file) : `${root}/Dockerfile`;
        builds.push({
          dockerfile: posix.normalize(file),
          context: posix.normalize(context).replace(/\/$/, ''),
          said: `${where} (${target.executor}) builds ${posix.normalize(file)} from ${described(posix.normalize(context))}`,
          settings: containerSettings(options, (target.configurations ?? {}) as Record<string, unknown>),
          from: root,
        });
        continue;
      }
      if (target.executor !== undefined && target.executor !== 'nx:run-commands') continue;
      // One command gets the target's other options as flags, as run-commands passes them (`"file": …` is `--file=…`).
      const single = [target.command, options.command].find((command): command is string => typeof command === 'string');
      // Not where the command interpolates its args (`{args.name}`) or forwarding is off, as run-commands does.
      const forwarded = single === undefined || single.includes('{args.') || options.forwardAllArgs === false ? [] : forwardedOptions(options);
      const commands = [...(single !== undefined ? [[single, ...forwarded].join(' ')] : []), ...(Array.isArray(options.commands) ? options.commands : [])]
        .map((command) => (typeof command === 'object' && command !== null ? (command as { command?: unknown }).command : command))
        .filter((command): command is string => typeof command === 'string');
      const cwd = typeof options.cwd === 'string' ? resolve(options.cwd) || '.' : '.';
      for (const command of commands) builds.push(...commandBuilds(tree, resolve(command), cwd, where, root, unfollowed));
    }
    builds.push(...scriptBuilds(tree, root, unfollowed), ...makefileBuilds(tree, root, unfollowed));
  }
  // The workspace root's scripts (`docker build -f apps/api/Dockerfile .`), when the root is no project of its own.
  if (!projects.some(([, project]) => project.root === '.')) builds.push(...scriptBuilds(tree, '.', unfollowed), ...makefileBuilds(tree, '.', unfollowed));
  // @nx/docker infers `docker build .` run in its `cwd` (default the project folder) with its `args`, for each Dockerfile
  // directly in a project folder; a project's own target of that name with options only overrides them.
  const nxDocker = plugins.find((entry) => (typeof entry === 'string' ? entry : entry.plugin) === '@nx/docker');
  if (nxDocker !== undefined) {
    const buildTarget = typeof nxDocker === 'object' ? (nxDocker.options as { buildTarget?: unknown } | undefined)?.buildTarget : undefined;
    const defaults = (typeof buildTarget === 'object' && buildTarget !== null ? buildTarget : {}) as { name?: unknown; args?: unknown; cwd?: unknown };
    const targetName = typeof buildTarget === 'string' ? buildTarget : typeof defaults.name === 'string' ? defaults.name : 'docker:build';
    for (const [name, project] of projects) {
      const root = project.root;
      const dockerfile = root === '.' ? 'Dockerfile' : `${root}/Dockerfile`;
      const own = project.targets?.[targetName];
      if (!tree.exists(dockerfile) || own?.executor !== undefined || own?.command !== undefined) continue;
      const options = (own?.options ?? {}) as { args?: unknown; cwd?: unknown };
      const args = Array.isArray(options.args) ? options.args : Array.isArray(defaults.args) ? defaults.args : [];
      const cwd = typeof options.cwd === 'string' ? options.cwd : typeof defaults.cwd === 'string' ? defaults.cwd : '{projectRoot}';
      const resolve = tokensOf(root, name);
      // Its other options reach docker build as flags (nx:run-commands passes them on): `"file": "apps/api/Dockerfile"`.
      const command = ['docker build .', ...args.filter((arg): arg is string => typeof arg === 'string'), ...forwardedOptions({ ...defaults, ...(own?.options ?? {}) }, ['name'])].join(' ');
      for (const build of dockerBuildsIn(resolve(command), resolve(cwd) || '.'))
        builds.push({ ...build, said: `@nx/docker's "${targetName}" target of ${root} runs docker build on ${build.dockerfile} from ${described(build.context)}`, from: root });
    }
  }
  if (plugins.some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === '@nx-tools/nx-container')) {
    for (const [, project] of projects) {
      const dockerfile = `${project.root}/Dockerfile`;
      if (project.root !== '.' && tree.exists(dockerfile))
        builds.push({ dockerfile, context: '.', said: `@nx-tools/nx-container's inferred target builds ${dockerfile} from the workspace root (its default context ".")`, settings: {} });
    }
  }
  // CI's builds (GitHub Actions: docker/build-push-action, or a run step's docker build): how the images shipped today are made.
  for (const file of ci.workflows)
    for (const build of workflowBuilds(file, tree.read(file, 'utf8') ?? '', readFile(tree), unfollowed, ci.github))
      builds.push({ dockerfile: build.dockerfile, context: build.context, settings: build.settings, said: `${build.file} (job ${build.job}, step "${build.step}") builds ${build.dockerfile} from ${described(build.context)} (${build.via})` });
  if (ci.gitlab !== undefined)
    for (const build of gitlabBuilds(ci.gitlab, readFile(tree), unfollowed, ci.gitlabVariables))
      builds.push({ dockerfile: build.dockerfile, context: build.context, settings: build.settings, said: `${build.file} (job ${build.job}) builds ${build.dockerfile} from ${described(build.context)} (${build.via})` });
  for (const file of ci.scripts)
    for (const build of ciScriptBuilds(file, tree.read(file, 'utf8') ?? '', readFile(tree), unfollowed))
      builds.push({ dockerfile: build.dockerfile, context: build.context, settings: build.settings, said: `${build.file} ${runs(build)} ${build.dockerfile} from ${described(build.context)}` });
  if (ci.jenkins !== undefined)
    for (const build of jenkinsBuilds(ci.jenkins, tree.read(ci.jenkins, 'utf8') ?? '', readFile(tree), unfollowed))
      builds.push({ dockerfile: build.dockerfile, context: build.context, settings: build.settings, said: `${build.file} builds ${build.dockerfile} from ${described(build.context)}${build.via ? ` (${build.via})` : ''}` });
  for (const build of bakeBuilds((ci.bake ?? []).map((file) => ({ file, text: tree.read(file, 'utf8') ?? '' })), 'described'))
    builds.push({ dockerfile: build.dockerfile, context: build.context, settings: build.settings, said: `${build.file} (bake target "${build.target}") builds ${build.dockerfile} from ${described(build.context)}` });
  for (const file of composeFiles)
    for (const { file: _file, ...build } of composeBuilds(file, tree.read(file, 'utf8') ?? '', readFile(tree)))
      builds.push({ ...build, said: `${file} builds ${build.dockerfile} (service ${build.service}) from ${described(build.context)}` });
  // A build of the default `Dockerfile` where the folder has only `dockerfile` reads that one, as docker does.
  return builds.map((build) => {
    const lower = posix.join(posix.dirname(build.dockerfile), 'dockerfile');
    const names = posix.basename(build.dockerfile) === 'Dockerfile' ? tree.children(posix.dirname(build.dockerfile)) : [];
    // By the names listed: on macOS, `Dockerfile` "exists" when only `dockerfile` does.
    return !names.includes('Dockerfile') && names.includes('dockerfile')
      ? { ...build, dockerfile: lower, said: build.said.replace(build.dockerfile, lower) }
      : build;
  });
}

/** The `docker build` commands the scripts of the package.json in `root` run (from that folder). */
function scriptBuilds(tree: Tree, root: string, unfollowed?: UnfollowedBuild): ConfiguredBuild[] {
  const manifest = `${root === '.' ? '' : `${root}/`}package.json`;
  const scripts = tree.exists(manifest) ? (readJson<{ scripts?: Record<string, unknown> }>(tree, manifest).scripts ?? {}) : {};
  const builds: ConfiguredBuild[] = [];
  for (const [script, command] of Object.entries(scripts)) if (typeof command === 'string') builds.push(...commandBuilds(tree, command, root, `${manifest}'s script "${script}"`, root, unfollowed));
  return builds;
}

/** The builds one shell command runs from `cwd`, each said as `where` runs it; `from`: the project folder it belongs to. */
function commandBuilds(tree: Tree, command: string, cwd: string, where: string, from: string, unfollowed?: UnfollowedBuild): ConfiguredBuild[] {
  return dockerBuildsIn(command, cwd, { other: bakeCommands(readFile(tree)), unfollowed: unfollowedIn(where, unfollowed) }).map(({ via, ...build }) => ({
    ...build,
    said: `${where} ${runs({ via })} ${build.dockerfile} from ${described(build.context)}`,
    from,
  }));
}

/** The `docker build` commands the recipes of a Makefile in `root` run (make runs them from that folder). */
function makefileBuilds(tree: Tree, root: string, unfollowed?: UnfollowedBuild): ConfiguredBuild[] {
  const builds: ConfiguredBuild[] = [];
  for (const name of ['GNUmakefile', 'makefile', 'Makefile']) {
    const file = root === '.' ? name : `${root}/${name}`;
    const text = tree.exists(file) ? tree.read(file, 'utf8') : null;
    if (text === null) continue;
    for (const { target, command } of makefileRecipes(text)) builds.push(...commandBuilds(tree, command, root, `${file}'s target "${target}"`, root, unfollowed));
    // make reads the first of these it finds.
    break;
  }
  return builds;
}

/**
 * The context policy for the workspace's project Dockerfiles: each has one say, the first configured
 * build of it (how it is built today), else what its COPY lines say (see copiedContext); a configured
 * build its COPY lines contradict (a stale compose file, say) is not followed. `workspace` when most
 * say the workspace root, else `project` (the default, also on a tie). Undefined when none says anything.
 */
export function chooseContext(tree: Tree, builds: readonly ConfiguredBuild[], dockerfiles: readonly string[]): ContextChoice | undefined {
  const says = new Map<string, DockerfileContext>();
  const ignored: string[] = [];
  // The root project's Dockerfiles (the repository as one image): their build is carried over, but says nothing of the context policy.
  const rootBuilt: DockerfileContext[] = [];
  const rootImages = rootNameHolder(tree) === undefined;
  for (const dockerfile of dockerfiles) {
    const root = owningProjectRoot(tree.root, dockerfile, (path) => tree.exists(path));
    if (root === undefined) continue;
    if (root === '.') {
      // Built from the root by the root's own scripts, targets or compose; not when other projects build it (theirs, see sharedDockerfileBuilds).
      const building = builds.filter((candidate) => candidate.dockerfile === dockerfile);
      const build = building.find((candidate) => (candidate.from === undefined || candidate.from === '.') && candidate.context === '.');
      if (rootImages && build && building.every((candidate) => candidate.from === undefined || candidate.from === '.')) {
        const image = namedImage(building.map((candidate) => candidate.settings.image));
        rootBuilt.push({ dockerfile, root, said: build.said, build: { ...build, settings: { ...build.settings, ...(image ? { image } : {}) } } });
      }
      continue;
    }
    const copies = copiedContext(tree, dockerfile, root);
    // Another project's target building this Dockerfile (a shared one, with its own build args) says nothing of this project's;
    // the workspace root's scripts build the projects' images.
    const own = builds.filter((candidate) => candidate.dockerfile === dockerfile && (candidate.from === undefined || candidate.from === root || candidate.from === '.'));
    // The first build decides; the image name may come from another (a local docker-build target and nx-container's CI one).
    const image = namedImage(own.map((candidate) => candidate.settings.image));
    const build = own[0] && { ...own[0], settings: { ...own[0].settings, ...(image ? { image } : {}) } };
    const value = build && (build.context === '.' ? 'workspace' : build.context === root ? 'project' : build.context);
    if (build && value && !(copies && (value === 'workspace' || value === 'project') && copies.value !== value)) {
      says.set(dockerfile, { dockerfile, root, value, said: build.said, build });
      continue;
    }
    if (build) ignored.push(`${build.said}, but it copies ${copies!.path}, ${copies!.value === 'workspace' ? 'a path from the workspace root' : 'a path only its own folder has'}`);
    if (copies) says.set(dockerfile, { dockerfile, root, value: copies.value, said: `${dockerfile} copies ${copies.path}, ${copies.value === 'workspace' ? 'a path from the workspace root' : 'found in its own folder'}` });
  }
  if (says.size === 0) return rootBuilt.length ? { context: 'project', dockerfiles: rootBuilt, ignored } : undefined;
  const entries = [...says.values()];
  const count = (value: string) => entries.filter((say) => say.value === value).length;
  const context = count('workspace') > count('project') ? 'workspace' : 'project';
  const evidence = entries.find((say) => say.value === context)?.said ?? `no Dockerfile is built from ${context === 'project' ? 'its project folder' : 'the workspace root'}`;
  return { context, evidence, dockerfiles: [...entries, ...rootBuilt], ignored };
}

/**
 * The project that already has the name the root project would take from the root package.json (no
 * root project.json): its Dockerfile then gets no target (Nx refuses two projects of one name).
 */
export function rootNameHolder(tree: Tree): [string, string] | undefined {
  if (tree.exists('project.json') || !tree.exists('package.json')) return undefined;
  const rootName = readJson<{ name?: string }>(tree, 'package.json').name;
  const holder = rootName ? [...getProjects(tree)].find(([name, project]) => name === rootName && project.root !== '.') : undefined;
  return holder ? [holder[0], holder[1].root] : undefined;
}



/**
 * Files that belong to a workspace root: lockfiles and workspace manifests. A Dockerfile that copies one its
 * own folder lacks (`COPY pnpm-lock.yaml pnpm-workspace.yaml ./`) was written for the root as context.
 */
const WORKSPACE_ROOT_FILES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'yarn.lock', '.yarnrc.yml', 'bun.lock', 'bun.lockb',
  'nx.json', 'lerna.json', 'turbo.json', 'tsconfig.base.json', 'go.work',
]);

/**
 * What one Dockerfile's literal COPY/ADD sources say about the context it was written for
 * (`docker build -f apps/api/Dockerfile .` or from its folder), with the source that decided:
 * `project` when one is found only in its own folder (not from the root too); else `workspace` when one is a path from the
 * workspace root: under its project folder by its workspace path (`COPY apps/api/dist /app`), its
 * build output by Nx's usual path (`COPY dist/apps/api ./`, built or not), a nested path found from
 * the root and not from its folder, or a workspace root's own file (a lockfile, pnpm-workspace.yaml, nx.json)
 * its folder lacks. Undefined when they say neither.
 */
export function copiedContext(tree: Tree, dockerfile: string, root: string): { value: 'workspace' | 'project'; path: string } | undefined {
  const scope = contextScopeOf(tree.read(dockerfile, 'utf8') ?? '');
  if (scope.kind !== 'sources') return undefined;
  let fromRoot: string | undefined;
  for (const { path, wildcard } of scope.sources) {
    if (wildcard || path === '.') continue;
    const inProject = tree.exists(`${root}/${path}`);
    const atRoot = tree.exists(path);
    // By its workspace path: under the project's folder, under Nx's usual output folder for it (dist/<root>, built or not), or found from the root.
    const byWorkspacePath = [root, `dist/${root}`].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
    const rooted = byWorkspacePath || ((path.includes('/') || WORKSPACE_ROOT_FILES.has(path)) && atRoot);
    // Only its own folder has it: found from the root too (package.json, say), it says nothing.
    if (inProject && !atRoot && !byWorkspacePath) return { value: 'project', path };
    if (rooted && !inProject) fromRoot ??= path;
  }
  return fromRoot ? { value: 'workspace', path: fromRoot } : undefined;
}

/** Nx's tokens in a project's target options, as Nx replaces them: paths relative to the workspace root. */
function tokensOf(root: string, name: string): (value: string) => string {
  return (value) => value.split('{projectRoot}').join(root).split('{projectName}').join(name).replace(/\{workspaceRoot\}\/?/g, '');
}

/**
 * Builds a project runs on a Dockerfile outside its own folder. `shared`: one no project holds, or one
 * it builds with build args of its own (one Dockerfile shared by several apps, told apart by
 * `APP_NAME`): Hashdock infers image targets only from the Dockerfiles a project holds, so each such
 * project declares one naming it (see carryOver). `others`: another project's Dockerfile built as it
 * is (an e2e project building the app's image), which is that project's image. Builds the workspace
 * root's scripts run are neither (they build the projects' images).
 */
export function sharedDockerfileBuilds(tree: Tree, builds: readonly ConfiguredBuild[]): { shared: ConfiguredBuild[]; others: ConfiguredBuild[] } {
  const shared: ConfiguredBuild[] = [];
  const others: ConfiguredBuild[] = [];
  for (const build of builds) {
    if (build.from === undefined || build.from === '.' || !tree.exists(build.dockerfile)) continue;
    const owner = owningProjectRoot(tree.root, build.dockerfile, (path) => tree.exists(path));
    if (owner === build.from) continue;
    if (owner === undefined || build.named || Object.keys(build.settings.buildArgs ?? {}).length > 0) shared.push(build);
    else others.push(build);
  }
  return { shared, others };
}

/** A workspace file's text, or undefined where there is none (for the readers that follow other files). */
function readFile(tree: Tree): (path: string) => string | undefined {
  return (path) => (tree.exists(path) ? (tree.read(path, 'utf8') ?? undefined) : undefined);
}

/** What a script runs to build: `runs docker build on`, or the bake target that builds it. */
function runs(build: { via?: string }): string {
  return build.via ? `runs ${build.via}, which builds` : 'runs docker build on';
}

function described(context: string): string {
  return context === '.' ? 'the workspace root' : context;
}

/** nx:run-commands' own options (its `propKeys`); it passes any other option that is not an object on to its command as a flag. */
const RUN_COMMANDS_OPTIONS = new Set([
  'command', 'commands', 'color', 'no-color', 'parallel', 'no-parallel', 'readyWhen', 'cwd', 'args', 'envFile', '__unparsed__', 'env',
  'usePty', 'streamOutput', 'verbose', 'forwardAllArgs', 'tty',
]);

/**
 * A run-commands target's options that are not its own, as the flags it adds to its command: `--<name>=<value>` for
 * each that is not an object or a list (`"file": "apps/api/Dockerfile"` → `--file='apps/api/Dockerfile'`, `true` →
 * `--<name>=true`). `also`: other keys to leave out (@nx/docker's target `name`).
 */
function forwardedOptions(options: Record<string, unknown>, also: readonly string[] = []): string[] {
  const quoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return Object.entries(options).flatMap(([name, value]) =>
    RUN_COMMANDS_OPTIONS.has(name) || also.includes(name) || typeof value === 'object' || value === undefined ? [] : [`--${name}=${quoted(String(value))}`],
  );
}

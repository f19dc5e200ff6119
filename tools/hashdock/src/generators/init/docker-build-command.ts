import { posix } from 'node:path';
import { isDockerfileName, shellWords } from '@hashdock/core';
import { BuildSettings, dockerSecret, keyValues, mergeSettings, namedContextsFrom, namedImage, outputNames, settings, sshFrom } from './build-settings';

/** What a `docker build` in a command builds: the Dockerfile and the context, as workspace paths (`.` for the root), and with what. */
export interface CommandBuild {
  dockerfile: string;
  context: string;
  settings: BuildSettings;
  /** How, when not a plain `docker build` (a bake target, say). */
  via?: string;
}

/** `docker build`/`docker buildx build`/`podman build` flags that take a value (as the next word or after `=`). */
const VALUED = new Set([
  '-f', '--file', '-t', '--tag', '--build-arg', '--target', '--platform', '--label', '--secret', '--ssh', '--cache-from', '--cache-to',
  '--network', '--add-host', '-o', '--output', '--iidfile', '--progress', '--builder', '--build-context', '--shm-size', '--ulimit',
  '--cgroup-parent', '--metadata-file', '--attest', '--allow', '--isolation', '--memory', '-m', '--memory-swap', '--cpu-shares', '-c',
  '--cpuset-cpus', '--cpuset-mems', '--cpu-period', '--cpu-quota', '--security-opt', '--annotation', '--call', '--no-cache-filter',
]);

/**
 * A build a CI file or script runs that nx add cannot follow (its context on stdin, a variable…): where, what, why,
 * and where the Dockerfile it builds may be: `-f`'s path, or the Dockerfile path the command piping the context in
 * names, from the folder the build runs in and from the workspace root (`pnpm --workspace-root …` runs there).
 */
export type UnfollowedBuild = (note: { file: string; command: string; reason: string; dockerfiles: string[] }) => void;

/** How dockerBuildsIn reads what is no plain `docker build`, and tells of a build it cannot follow. */
export interface CommandReaders {
  /** The builds of a command that is no `docker build` (a `docker buildx bake`, see bakeCommands). */
  other?: (words: readonly string[], dir: string) => CommandBuild[] | undefined;
  /** A `docker build` whose context or Dockerfile is no workspace path: the command, and why. */
  unfollowed?: (command: string, reason: string, dockerfiles?: string[]) => void;
}

/** CommandReaders' `unfollowed` for the commands of `file`: tells `unfollowed` (when there is one), naming the file. */
export function unfollowedIn(file: string, unfollowed?: UnfollowedBuild): CommandReaders['unfollowed'] {
  return unfollowed && ((command, reason, dockerfiles = []) => unfollowed({ file, command, reason, dockerfiles }));
}

/**
 * The builds a shell command runs (`docker build -f apps/api/Dockerfile .`, possibly after `cd` or
 * `&&`), resolved from `cwd` (a workspace path; a `cd <path>` before it moves it) as docker resolves
 * them: the context from the working directory, `-f` from the working directory too (default
 * `<context>/Dockerfile`). A build whose context is not a literal path (stdin `-`, a URL, a
 * variable) or leaves the workspace is left out, and told to `readers.unfollowed`.
 */
export function dockerBuildsIn(command: string, cwd = '.', readers: CommandReaders = {}): CommandBuild[] {
  const builds: CommandBuild[] = [];
  let dir = cwd;
  const segments = commandSegments(command);
  for (const words of segments) {
    if (words[0] === 'cd' && words.length === 2 && isLiteralPath(words[1])) {
      dir = posix.normalize(posix.join(dir, words[1]));
      continue;
    }
    // A context on stdin with no -f: the Dockerfile is in what the command pipes in (`pnpm-context apps/api/Dockerfile | docker build -`).
    const from = dir;
    const unfollowed: CommandReaders['unfollowed'] = readers.unfollowed && ((shown, reason, dockerfiles) => readers.unfollowed!(shown, reason, dockerfiles ?? (reason === STDIN_CONTEXT ? handedDockerfile(segments, words, from) : [])));
    const build = dockerBuildOf(words, dir, unfollowed);
    if (build) builds.push(build);
    else builds.push(...(readers.other?.(words, dir) ?? []));
  }
  return builds;
}

/** A command as a note shows it: from the docker or podman that runs it, at most 80 characters. */
function shownCommand(words: readonly string[]): string {
  const from = words.findIndex((word) => word === 'docker' || word === 'podman');
  const text = words.slice(Math.max(from, 0)).join(' ');
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** Why a build whose context comes on stdin (`docker build -`) is not followed. */
export const STDIN_CONTEXT = 'its context comes on stdin';

/** Where the one Dockerfile path (a literal one, by its name) the other commands of a line name may be: from `dir`, and from the root. */
function handedDockerfile(segments: readonly (readonly string[])[], build: readonly string[], dir: string): string[] {
  const named = new Set(segments.filter((words) => words !== build).flat().filter((word) => isLiteralPath(word) && isDockerfileName(posix.basename(word))));
  if (named.size !== 1) return [];
  const [word] = named;
  return [...new Set([posix.normalize(posix.join(dir, word)), posix.normalize(word)])].filter((path) => path !== '..' && !path.startsWith('../'));
}

/** Why a path word of a build is no workspace path (undefined: it is a literal relative one). */
function notAPath(word: string): string | undefined {
  if (word === '-') return 'comes on stdin';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(word) || word.startsWith('git@')) return 'is a remote repository or URL';
  if (/[$`]/.test(word)) return 'is only known when it runs';
  if (/[*?]/.test(word)) return 'is a pattern';
  if (posix.isAbsolute(word)) return 'is an absolute path';
  return undefined;
}

/**
 * The build one command's words run (`docker build`, `docker buildx build`, `docker image build`,
 * `podman build`), from `dir`: see dockerBuildsIn. For readers that have the words already (a CI task's
 * inputs, a pipeline call's arguments), so nothing is quoted for a shell only to be split again. A build it
 * cannot follow is told to `unfollowed`.
 */
export function dockerBuildOf(words: readonly string[], dir = '.', unfollowed?: CommandReaders['unfollowed']): CommandBuild | undefined {
  // docker build, docker buildx build, docker image build, podman build (not docker compose build).
  const at = words.findIndex((word, i) => word === 'build' && ['docker', 'podman', 'buildx', 'image'].includes(words[i - 1] ?? ''));
  if (at < 0) return undefined;
  let file: string | undefined;
  const positional: string[] = [];
  const buildArgs: string[] = [];
  const labels: string[] = [];
  let stage: string | undefined;
  let platform: string | undefined;
  const secrets: BuildSettings[] = [];
  const tags: string[] = [];
  const outputs: string[] = [];
  const addHosts: string[] = [];
  const ssh: string[] = [];
  let network: string | undefined;
  const buildContexts: string[] = [];
  for (let i = at + 1; i < words.length; i++) {
    const word = words[i];
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const flag = eq > 0 ? word.slice(0, eq) : word;
    const value = eq > 0 ? word.slice(eq + 1) : VALUED.has(flag) ? words[++i] : undefined;
    if (flag === '-f' || flag === '--file') file = value;
    else if (flag === '--build-arg' && value !== undefined) buildArgs.push(value);
    else if (flag === '--label' && value !== undefined) labels.push(value);
    else if (flag === '--target') stage = value;
    else if (flag === '--platform') platform = value;
    else if (flag === '--secret' && value !== undefined) secrets.push(dockerSecret(value, dir));
    else if ((flag === '-t' || flag === '--tag') && value !== undefined) tags.push(value);
    else if ((flag === '-o' || flag === '--output') && value !== undefined) outputs.push(value);
    else if (flag === '--add-host' && value !== undefined) addHosts.push(value);
    else if (flag === '--network') network = value;
    else if (flag === '--build-context' && value !== undefined) buildContexts.push(value);
    // A key path is read from the working directory; Hashdock reads it from the workspace root.
    else if (flag === '--ssh' && value !== undefined) ssh.push(sshFrom(value, dir));
    // A lone `-` is the context on stdin, not a flag.
    else if (word === '-' || !word.startsWith('-')) positional.push(word);
  }
  // docker takes one: beside a variable (`… ./../.. $DOCKER_BUILD_ARGUMENTS`, novu's), the literal one is the context,
  // and the variable stands for arguments known only when the build runs.
  const literal = positional.filter((word) => !/[$`]/.test(word));
  const context = positional.length > 1 && literal.length === 1 ? literal[0] : positional[0];
  if (context === undefined) return undefined;
  const unknownArgs = positional.filter((word) => word !== context && /[$`]/.test(word));
  const why = notAPath(context) ? `its context ${notAPath(context)}` : file !== undefined && notAPath(file) ? `its Dockerfile ${notAPath(file)}` : undefined;
  // A Dockerfile named by -f is read from the disk, whatever the context.
  if (why) return void unfollowed?.(shownCommand(words), why, file !== undefined && isLiteralPath(file) ? [posix.normalize(posix.join(dir, file))] : undefined);
  const contextPath = posix.normalize(posix.join(dir, context)).replace(/\/$/, '');
  const dockerfilePath = posix.normalize(file === undefined ? posix.join(contextPath, 'Dockerfile') : posix.join(dir, file));
  if ([contextPath, dockerfilePath].some((path) => path === '..' || path.startsWith('../'))) return void unfollowed?.(shownCommand(words), 'it builds from outside the workspace');
  return { context: contextPath, dockerfile: dockerfilePath, settings: mergeSettings(settings({ buildArgs: keyValues(buildArgs), labels: keyValues(labels), stage, platform, image: namedImage([...tags, ...outputNames(outputs)]), network, addHosts, ssh, buildContexts: namedContextsFrom(keyValues(buildContexts), dir), unknownArgs }), ...secrets) };
}

/** Add the builds found in `file` to `builds`, each once (a CI file often runs the same build in several jobs). */
export function addFileBuilds(builds: (CommandBuild & { file: string })[], file: string, found: readonly (CommandBuild | undefined)[]): void {
  for (const build of found) if (build && !builds.some((known) => JSON.stringify(known) === JSON.stringify({ file, ...build }))) builds.push({ file, ...build });
}

/**
 * The simple commands of a shell command, each as its words: a line continued with a backslash is one
 * line, each line of several a command of its own, `&&`, `||`, `;` and `|` separate; a command
 * substitution (`-t api:$(git rev-parse HEAD)`) is one word whose value is not known.
 */
export function commandSegments(command: string): string[][] {
  const flat = command.replace(/\\\r?\n/g, ' ').replace(/\$\([^()]*\)|`[^`]*`/g, '$(…)');
  return flat.split(/&&|\|\||;|\||\r?\n/).map((segment) => shellWords(segment.trim()));
}

/** A relative path written out: not stdin, a URL, an absolute path or anything with a variable in it. */
export function isLiteralPath(word: string): boolean {
  return notAPath(word) === undefined;
}

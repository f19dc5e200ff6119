import { join, posix, relative } from 'node:path';
import { BRANCH_ENV, GIT_BRANCH_RUNTIME_INPUT } from '../tags/git-branch';
import { mirrorsSpec, RegistryMirrors } from '../registry/mirrors';
import { contextScopeOf } from '../docker/context-reads';
import { declaredArgNames } from '../docker/dockerfile-from';
import { findIgnoreFile, readIgnorePatterns } from '../hash/context-files';
import { followLinksOnDisk } from '../hash/source-links';
import type { SourceReads } from '../source-reads';
import { hasExceptions, IgnorePattern } from '../hash/dockerignore';
import { BUILD_ARG_ENV_PREFIX, ImageTargetOptions, targetBuildArgs } from '../image/resolve-image-options';
import { DEFAULT_TAG_TEMPLATES, templatesUse } from '../tags/tag-policy';
import { IMAGE_ENV_INPUTS } from './hashdock-config';
import { ImageTarget } from './image-targets';
import { hostPlatform } from '../image/image-options';
import { encodeExpansion, ExternalFrom } from '../image/external-bases';
import { splitNamedContexts } from '../image/named-contexts';

/** Nx's input forms, as plain data (the core imports nothing from Nx). */
export type NxInput = string | { fileset: string; includeIgnored?: boolean } | { env: string } | { runtime: string } | { dependentTasksOutputFiles: string; transitive?: boolean };

export const GIT_SHA_RUNTIME_INPUT = 'git rev-parse --short=12 HEAD';

/**
 * The options Nx runs an image target with, as the plugin infers them. The
 * platform is always there: without one the executor builds for the host, so
 * the host's platform goes in as the default (the project's own `platform`,
 * merged over it by Nx, still wins). Nx hashes target options, so a machine of
 * another architecture never replays this one's result, and no runtime input
 * has to ask (`uname -m` cost ~40 ms of every `nx affected` at 200 images:
 * Nx ran it in every round of hashing). `arch`: the Node process's, for tests.
 */
export function imageTargetOptions(target: ImageTarget, arch: string = process.arch): ImageTargetOptions {
  return target.inferred.platform ? target.inferred : { ...target.inferred, platform: hostPlatform(arch) };
}

/** The runtime input whose output is the digest an external base resolves to now (`hashdock base-digest`). */
export function baseDigestRuntimeInput(workspaceRoot: string, base: ExternalFrom, platform: string | undefined, mirrors: RegistryMirrors = {}, cli = join(__dirname, '..', 'cli', 'main.js')): string {
  const words = ['node', JSON.stringify(relative(workspaceRoot, cli).split('\\').join('/')), 'base-digest', base.reference];
  // A reference built from ARGs is read again at run time with HASHDOCK_BUILD_ARG_<NAME> overrides (one shell-safe word).
  if (base.expansion) words.push('--expand', encodeExpansion(base.expansion));
  else if (base.arg) words.push('--arg', base.arg);
  // Read where the build reads it (HASHDOCK_MIRRORS, seen by the command itself, overrides these).
  for (const mirror of mirrorsSpec(mirrors)) words.push('--mirror', mirror);
  const wanted = base.platformFlag && !base.platformFlag.startsWith('$') ? base.platformFlag : /^\$\{?BUILDPLATFORM/.test(base.platformFlag ?? '') ? undefined : platform;
  if (wanted) words.push('--platform', wanted);
  return words.join(' ');
}

/**
 * Whether Nx may hash files under the project root as `{projectRoot}/…`.
 * Such a fileset covers only the files Nx's project map gives the project,
 * which leaves out every file of a project nested below it (and, for the
 * root project, of every other project). So: a project other than the root
 * whose tree holds no other project.json or package.json, known from Nx's
 * own list of workspace files (`projectFiles`). Unknown: no. The other form,
 * `{workspaceRoot}/…`, is always exact, but Nx matches it against every file
 * of the workspace, once per task (at 10k files and 200 images, ~0.25 s of
 * every run that hashes them).
 */
export function ownsItsTree(projectRoot: string, projectFiles: readonly string[] | ProjectTrees | undefined): boolean {
  if (!projectFiles || projectRoot === '.') return false;
  return !(projectFiles instanceof ProjectTrees ? projectFiles : new ProjectTrees(projectFiles)).holdsNested(projectRoot);
}

/**
 * The workspace's project files read once for ownsItsTree: every folder that holds a project file below
 * its own level. Built once per inference, it answers each image in constant time (a scan of every
 * project file per image was 500 × 1,000 string tests at 500 images).
 */
export class ProjectTrees {
  private readonly nested = new Set<string>();

  constructor(projectFiles: readonly string[]) {
    for (const file of projectFiles) {
      // Each folder above the file's own holds it below its level.
      for (let dir = posix.dirname(posix.dirname(file)); dir !== '.' && dir !== '/' && !this.nested.has(dir); dir = posix.dirname(dir)) this.nested.add(dir);
    }
  }

  holdsNested(folder: string): boolean {
    return this.nested.has(folder);
  }
}

/** How Nx names a workspace directory (or any file under it) in a fileset input. */
function treeToken(target: ImageTarget, path: string, owned: boolean): string {
  if (owned && path === target.projectRoot) return '{projectRoot}';
  if (owned && path.startsWith(`${target.projectRoot}/`)) return `{projectRoot}/${path.slice(target.projectRoot.length + 1)}`;
  return path === '.' ? '{workspaceRoot}' : `{workspaceRoot}/${path}`;
}

/**
 * A COPY source's filesets: the path itself (a file) and everything under it (a folder). A source that is a
 * project root or the workspace root is a folder, and Nx warns of a bare `{projectRoot}` or `{workspaceRoot}`
 * fileset ("does not start with {workspaceRoot}/", to become an error), so it gets only the second.
 */
function sourceFilesets(token: string): string[] {
  return token === '{projectRoot}' || token === '{workspaceRoot}' ? [`${token}/**/*`] : [token, `${token}/**/*`];
}

/** How Nx names one file: a file right in the project root is always the project's own. */
function fileToken(target: ImageTarget, path: string): string {
  return posix.dirname(path) === target.projectRoot ? `{projectRoot}/${posix.basename(path)}` : `{workspaceRoot}/${path}`;
}

/**
 * Nx fileset inputs for a build context: everything under it (or only the
 * COPY/ADD sources, relative to the context), minus what `.dockerignore`
 * excludes. With `!` exceptions the translation would be inexact, so the
 * whole context counts (never miss a change; the content hash stays exact
 * either way). An exclusion reaches a `{projectRoot}` fileset only where its
 * translation is exact; elsewhere Nx hashes a little more than Docker sends.
 */
export function contextInputs(target: ImageTarget, patterns: readonly IgnorePattern[] | undefined, sources: readonly string[] | undefined, owned: boolean, context = target.context): string[] {
  const at = (source: string) => (context === '.' ? source : `${context}/${source}`);
  const inputs = sources ? sources.flatMap((source) => sourceFilesets(treeToken(target, at(source), owned))) : [`${treeToken(target, context, owned)}/**/*`];
  // Unreadable patterns (an invalid .dockerignore fails the build itself) count the whole context too.
  if (!patterns || hasExceptions(patterns) || inputs.length === 0) return inputs;
  const contextToken = treeToken(target, context, owned);
  // The project root as seen from a context above it, when some fileset is named from the project root.
  const below = owned && !contextToken.startsWith('{projectRoot}') && inputs.some((input) => input.startsWith('{projectRoot}')) ? posix.relative(context, target.projectRoot) : undefined;
  const exclude = (pattern: string) => {
    inputs.push(`!${pattern}`);
    if (!pattern.endsWith('**')) inputs.push(`!${pattern}/**`);
  };
  for (const pattern of patterns) {
    // `.` and `/` match no path in Docker: they exclude nothing.
    if (pattern.cleaned === '.' || pattern.cleaned === '/') continue;
    exclude(`${contextToken}/${pattern.cleaned}`);
    if (below === undefined) continue;
    if (pattern.cleaned.startsWith(`${below}/`)) exclude(`{projectRoot}/${pattern.cleaned.slice(below.length + 1)}`);
    else if (pattern.cleaned === '**' || pattern.cleaned.startsWith('**/')) exclude(`{projectRoot}/${pattern.cleaned}`);
  }
  return inputs;
}

/**
 * The Nx inputs of an image target, from the same resolved options the
 * executor runs with: every context file Docker would send (tracked files by
 * fileset; build outputs and base manifests as the outputs of the tasks it
 * depends on, directly or through others), the Dockerfile and both ignore files Docker may read, and every
 * environment variable that changes the tag. `projectFiles`: the workspace's
 * project.json and package.json files as Nx lists them (see ownsItsTree);
 * `hashIgnoredSources`: the plugin option of that name.
 */
export async function imageTargetInputs(
  workspaceRoot: string,
  target: ImageTarget,
  projectFiles?: readonly string[] | ProjectTrees,
  options: {
    hashIgnoredSources?: boolean;
    /**
     * Gets what was read on disk to follow the sources' symlinks (workspace paths): each path looked up with its
     * link text (null: no link there), each directory a wildcard read with the symlinks in it. The inputs hold
     * only while those read the same.
     */
    reads?: SourceReads;
  } = {},
): Promise<NxInput[]> {
  const owned = ownsItsTree(target.projectRoot, projectFiles);
  const named = Object.entries(target.namedContexts ?? {});
  const { dirs: namedDirs, images: namedImages } = splitNamedContexts(target.namedContexts);
  /**
   * One context's filesets: what the Dockerfile reads of it (`name`: a named context's reads), minus what its ignore
   * file leaves out. Nx applies every exclusion to every fileset: with several contexts one's ignore file could hide
   * another's files, so then none is applied (and none read).
   */
  const readsOf = async (context: string, name?: string) => {
    let patterns: IgnorePattern[] | undefined;
    try {
      patterns = named.length ? undefined : await readIgnorePatterns(await findIgnoreFile(join(workspaceRoot, context), join(workspaceRoot, target.dockerfile)));
    } catch {
      patterns = undefined;
    }
    // Sources read where their symlinks lead (as the content hash reads them).
    const scope =
      target.dockerfileText !== undefined
        ? followLinksOnDisk(
            contextScopeOf(target.dockerfileText, targetBuildArgs(target.options), { inherited: target.inheritedTriggers, platform: target.options.platform, ...(name !== undefined ? { named: name } : {}) }),
            join(workspaceRoot, context),
            options.reads && {
              path: (path, link) => options.reads!.paths.set(posix.join(context, path), link),
              dir: (path, links) => options.reads!.dirs.set(posix.join(context, path), [...links]),
            },
          )
        : undefined;
    const sources = scope?.kind === 'sources' && !scope.sources.some((source) => source.path === '.') ? [...new Set(scope.sources.map((source) => source.path))] : undefined;
    return { sources, filesets: contextInputs(target, patterns, sources, owned, context) };
  };
  const { sources, filesets: contextFilesets } = await readsOf(target.context);
  const filesets = [...contextFilesets];
  for (const [name, dir] of Object.entries(namedDirs)) {
    const read = await readsOf(dir, name);
    // A named context with nothing read of it adds nothing (its `sources` are then an empty list).
    if (read.sources?.length !== 0) filesets.push(...read.filesets);
  }
  const namedIgnoreFiles = Object.values(namedDirs).map((dir) => fileToken(target, dir === '.' ? '.dockerignore' : `${dir}/.dockerignore`));
  const dockerfile = fileToken(target, target.dockerfile);
  const inputs: NxInput[] = [
    // With `hashIgnoredSources`, what COPY/ADD reads is hashed from disk, gitignored files included (Nx
    // 23.3+; older Nx ignores the flag): a file built outside Nx or generated is what Docker sends, and a
    // change in it must not replay the old manifest. Only named sources: a whole context from disk would
    // be every node_modules and .git Docker is told to skip, walked on every run.
    ...(sources && options.hashIgnoredSources ? filesets.map((fileset) => ({ fileset, includeIgnored: true })) : filesets),
    dockerfile,
    // A Dockerfile that is a symlink: Nx hashes the link, docker reads where it leads.
    ...(target.dockerfileTarget ? [fileToken(target, target.dockerfileTarget)] : []),
    // Creating either ignore file changes what Docker sends, so both count even when absent.
    `${dockerfile}.dockerignore`,
    fileToken(target, target.context === '.' ? '.dockerignore' : `${target.context}/.dockerignore`),
    ...namedIgnoreFiles,
    // Transitive: a COPY source git ignores may be the output of a task the image depends on only through another
    // (a lib's dist/ built by the app's build's `^build`): the app's own output can stay the same while it changes.
    { dependentTasksOutputFiles: '**/*', transitive: true },
    ...IMAGE_ENV_INPUTS.map((env) => ({ env })),
    ...[...declaredArgNames(target.dockerfileText ?? '')].sort().map((name) => ({ env: `${BUILD_ARG_ENV_PREFIX}${name}` })),
  ];
  const templates = [...(target.options.tags ?? DEFAULT_TAG_TEMPLATES), ...(target.options.extraTags ?? [])];
  if (templatesUse(templates, 'gitSha')) inputs.push({ runtime: GIT_SHA_RUNTIME_INPUT });
  // {branch}: CI's variables name it, else git does; a new branch is a new tag to push, so a new task hash.
  if (templatesUse(templates, 'branch')) inputs.push(...BRANCH_ENV.map((env) => ({ env })), { runtime: GIT_BRANCH_RUNTIME_INPUT });
  for (const base of target.externalBases) inputs.push({ runtime: baseDigestRuntimeInput(workspaceRoot, base, target.options.platform, target.options.mirrors) });
  // An image named context is read by digest, as a FROM is: its digest now is an input the same way.
  for (const [name, reference] of Object.entries(namedImages))
    inputs.push({ runtime: baseDigestRuntimeInput(workspaceRoot, { key: `context:${name}`, reference, line: 0 }, target.options.platform, target.options.mirrors) });
  return [...new Map(inputs.map((input) => [JSON.stringify(input), input])).values()];
}

/**
 * The manifest: the one output of an image target. Nx copies every output
 * back on each cache hit (without its daemon, always), so the run report
 * beside it is not one (see readImageReports).
 */
export function imageTargetOutputs(target: ImageTarget): string[] {
  const dir = target.options.manifestDir ?? 'dist/images';
  return [`{workspaceRoot}/${dir}/${target.name}.json`];
}

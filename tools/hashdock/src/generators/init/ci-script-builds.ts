import { posix } from 'node:path';
import { parse } from 'yaml';
import { bakeCommands } from './bake-calls';
import { addFileBuilds, CommandBuild, CommandReaders, commandSegments, dockerBuildOf, dockerBuildsIn, UnfollowedBuild, unfollowedIn } from './docker-build-command';
import { record } from './yaml-record';

/** CI files whose steps are shell lines run from the checkout (the workspace root), by their usual paths. */
export const CI_SCRIPT_FILES = ['.circleci/config.yml', 'bitbucket-pipelines.yml', 'azure-pipelines.yml', '.drone.yml', '.woodpecker.yml', '.buildkite/pipeline.yml', 'cloudbuild.yaml', 'cloudbuild.yml'];

/** One image a CI file's script builds. */
export interface CiScriptBuild extends CommandBuild {
  file: string;
}

/** Azure Pipelines' variables that name the checkout (the workspace root), as a path's first part. */
const AZURE_CHECKOUT = /^\$\((Build\.SourcesDirectory|System\.DefaultWorkingDirectory|Build\.Repository\.LocalPath)\)(\/|$)/;

/** A path input of an Azure task as a workspace path; undefined when it holds another variable or a wildcard. */
function azurePath(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const path = value.trim().replace(AZURE_CHECKOUT, '') || '.';
  return /[$*?]/.test(path) ? undefined : posix.normalize(path);
}

/**
 * Azure Pipelines' `Docker@2` task as the docker build it runs (`command: build` or `buildAndPush`, the
 * default): `Dockerfile` (its default `**\/Dockerfile`, a search, is left out), `buildContext` (`**`,
 * the default, is the Dockerfile's folder), `repository`, and `arguments` (which Azure passes to `build`
 * only). Input names in any case, as Azure reads them.
 */
function azureDockerTask(step: Record<string, unknown>, unfollowed?: CommandReaders['unfollowed']): string[] | undefined {
  if (typeof step.task !== 'string' || !/^Docker@2$/i.test(step.task.trim())) return undefined;
  const inputs = Object.fromEntries(Object.entries(record(step.inputs) ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
  const command = typeof inputs.command === 'string' ? inputs.command.trim().toLowerCase() : 'buildandpush';
  if (command !== 'build' && command !== 'buildandpush') return undefined;
  const dockerfile = azurePath(inputs.dockerfile);
  const unknown = (input: string, value: unknown) => unfollowed?.(`${step.task} ${input}: ${String(value).trim()}`, `its ${input === 'Dockerfile' ? 'Dockerfile' : 'context'} ${/[*?]/.test(String(value)) ? 'is a search' : 'is only known when it runs'}`);
  // Without the input, its default (`**/Dockerfile`, a search) builds no one Dockerfile to follow: nothing to say.
  if (!dockerfile) return void (inputs.dockerfile !== undefined && unknown('Dockerfile', inputs.dockerfile));
  const context = inputs.buildcontext === undefined || String(inputs.buildcontext).trim() === '**' ? posix.dirname(dockerfile) : azurePath(inputs.buildcontext);
  if (!context) return void unknown('buildContext', inputs.buildcontext);
  const words = ['docker', 'build'];
  if (command === 'build' && typeof inputs.arguments === 'string') words.push(...commandSegments(inputs.arguments).flat());
  if (typeof inputs.repository === 'string' && !inputs.repository.includes('$(')) words.push('-t', inputs.repository.trim());
  return [...words, '-f', dockerfile, context];
}

/**
 * The `docker build` lines of a CI file that runs shell steps from the checkout (CircleCI, Bitbucket
 * Pipelines, Azure Pipelines, Drone, Woodpecker, Buildkite): every string in it that runs docker build,
 * read as a script's from the workspace root; and Google Cloud Build's docker steps (`name:
 * gcr.io/cloud-builders/docker`, `args: [build, -f, …, .]`). Variables are left unknown (a path with one
 * is skipped). A `docker buildx bake` is read as the builds of its Bake files (through `read`). A file
 * that is not YAML gives nothing.
 */
export function ciScriptBuilds(file: string, text: string, read: (path: string) => string | undefined = () => undefined, unfollowed?: UnfollowedBuild): CiScriptBuild[] {
  let document: unknown;
  try {
    // Other tools' tags (`!reference`, `!Ref`) as their plain values, without a warning on the user's console.
    document = parse(text, { logLevel: 'error' });
  } catch {
    return [];
  }
  const builds: CiScriptBuild[] = [];
  const add = (found: readonly (CommandBuild | undefined)[]) => addFileBuilds(builds, file, found);
  const visit = (value: unknown, depth: number): void => {
    if (depth > 50) return;
    if (typeof value === 'string') {
      if (/\b(docker|podman)\b/.test(value) && /\b(build|bake)\b/.test(value)) add(dockerBuildsIn(value, '.', { other: bakeCommands(read), unfollowed: unfollowedIn(file, unfollowed) }));
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (typeof value === 'object' && value !== null) {
      const step = value as Record<string, unknown>;
      // Cloud Build: the docker builder's args are the words after `docker`.
      if (typeof step.name === 'string' && /(^|\/)docker(:|$)/.test(step.name) && Array.isArray(step.args) && step.args.every((arg) => typeof arg === 'string'))
        add([dockerBuildOf(['docker', ...(step.args as string[])], '.', unfollowedIn(file, unfollowed))]);
      const azure = azureDockerTask(step, unfollowedIn(file, unfollowed));
      if (azure) add([dockerBuildOf(azure, '.', unfollowedIn(file, unfollowed))]);
      for (const item of Object.values(step)) visit(item, depth + 1);
    }
  };
  visit(document, 0);
  return builds;
}

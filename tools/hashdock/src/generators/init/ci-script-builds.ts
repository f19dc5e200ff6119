import { parse } from 'yaml';
import { CommandBuild, dockerBuildsIn } from './docker-build-command';

/** CI files whose steps are shell lines run from the checkout (the workspace root), by their usual paths. */
export const CI_SCRIPT_FILES = ['.circleci/config.yml', 'bitbucket-pipelines.yml', 'azure-pipelines.yml', '.drone.yml', '.woodpecker.yml', '.buildkite/pipeline.yml', 'cloudbuild.yaml', 'cloudbuild.yml'];

/** One image a CI file's script builds. */
export interface CiScriptBuild extends CommandBuild {
  file: string;
}

/**
 * The `docker build` lines of a CI file that runs shell steps from the checkout (CircleCI, Bitbucket
 * Pipelines, Azure Pipelines, Drone, Woodpecker, Buildkite): every string in it that runs docker build,
 * read as a script's from the workspace root; and Google Cloud Build's docker steps (`name:
 * gcr.io/cloud-builders/docker`, `args: [build, -f, …, .]`). Variables are left unknown (a path with one
 * is skipped). A file that is not YAML gives nothing.
 */
export function ciScriptBuilds(file: string, text: string): CiScriptBuild[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch {
    return [];
  }
  const builds: CiScriptBuild[] = [];
  const add = (command: string) => {
    for (const build of dockerBuildsIn(command, '.')) if (!builds.some((known) => JSON.stringify(known) === JSON.stringify({ file, ...build }))) builds.push({ file, ...build });
  };
  const visit = (value: unknown, depth: number): void => {
    if (depth > 50) return;
    if (typeof value === 'string') {
      if (/\b(docker|podman)\b/.test(value) && /\bbuild\b/.test(value)) add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, depth + 1);
    } else if (typeof value === 'object' && value !== null) {
      const step = value as Record<string, unknown>;
      // Cloud Build: the docker builder's args are the words after `docker`.
      if (typeof step.name === 'string' && /(^|\/)docker(:|$)/.test(step.name) && Array.isArray(step.args) && step.args.every((arg) => typeof arg === 'string'))
        add(['docker', ...(step.args as string[]).map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg))].join(' '));
      for (const item of Object.values(step)) visit(item, depth + 1);
    }
  };
  visit(document, 0);
  return builds;
}

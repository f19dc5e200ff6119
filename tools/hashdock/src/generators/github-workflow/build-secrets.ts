import { getProjects, readNxJson, Tree } from '@nx/devkit';
import { IMAGE_EXECUTOR } from '@hashdock/core';

/** What the image targets read at build time that CI must provide: secrets' environment variables, and secret files. */
export interface BuildSecrets {
  /** Environment variables `secrets` options read (id → variable), in any configuration, that GitHub can name a secret after. */
  variables: string[];
  /** Those it cannot (GITHUB_…): the workflow cannot pass them from a secret of that name. */
  unnamed: string[];
  /** Secret files (`secretFiles`: id → path) the runner must have: `<id> (<path>)`. */
  files: string[];
}

/** A name GitHub takes for a repository secret (and GITHUB_TOKEN, which every job has). */
const SECRET_NAME = /^(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*$|^GITHUB_TOKEN$/;

/**
 * The BuildKit secrets the workspace's image targets read (`secrets`, `secretFiles` in their options and
 * configurations, and in nx.json's targetDefaults for the target name or the executor): the workflow
 * passes each variable from the repository secret of that name, and says which files a step must write.
 * A variable GitHub cannot name a secret after (GITHUB_…) is said, not passed.
 */
export function buildSecrets(tree: Tree, targetName: string): BuildSecrets {
  const sets: Record<string, unknown>[] = [];
  const add = (target: { options?: unknown; configurations?: Record<string, unknown> } | undefined) => {
    if (!target) return;
    for (const options of [target.options, ...Object.values(target.configurations ?? {})]) if (typeof options === 'object' && options !== null) sets.push(options as Record<string, unknown>);
  };
  const defaults = readNxJson(tree)?.targetDefaults ?? {};
  add(defaults[targetName] as never);
  add(defaults[IMAGE_EXECUTOR] as never);
  for (const [, project] of getProjects(tree))
    for (const [name, target] of Object.entries(project.targets ?? {})) if (name === targetName || target.executor === IMAGE_EXECUTOR) add(target as never);
  const variables = new Set<string>();
  const files = new Set<string>();
  for (const options of sets) {
    for (const variable of Object.values(record(options.secrets))) if (typeof variable === 'string') variables.add(variable);
    for (const [id, path] of Object.entries(record(options.secretFiles))) if (typeof path === 'string') files.add(`${id} (${path})`);
  }
  const sorted = [...variables].sort();
  return { variables: sorted.filter((variable) => SECRET_NAME.test(variable)), unnamed: sorted.filter((variable) => !SECRET_NAME.test(variable)), files: [...files].sort() };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

import { readJsonFile } from '../manifest/read-json-file';
import { HashdockError } from '../errors';
import { parseRepository } from '../registry/reference';

export interface EnvironmentConfig {
  /** Registry host[:port] this environment pulls from. */
  registry: string;
  /** Repository prefix: images land at <registry>/<namespace>/<project>. */
  namespace: string;
  /**
   * Where the environment's release is read from: a release file, or a
   * directory of image manifests (the environment images are built for).
   */
  release: string;
}

export interface EnvironmentsFile {
  environments: Record<string, EnvironmentConfig>;
}

export class EnvironmentConfigError extends HashdockError {
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super('ENVIRONMENT_CONFIG', `${path}: ${detail}`, options);
  }
}

/** Read and validate the one place environments are configured (infra/environments.json). */
export async function loadEnvironments(path: string): Promise<EnvironmentsFile> {
  const parsed = await readJsonFile<EnvironmentsFile>(path, (detail, cause) => new EnvironmentConfigError(path, detail, { cause }));
  if (!parsed?.environments || typeof parsed.environments !== 'object') throw new EnvironmentConfigError(path, 'has no "environments" object');
  for (const [name, env] of Object.entries(parsed.environments)) {
    for (const key of ['registry', 'namespace', 'release'] as const)
      if (typeof env[key] !== 'string' || !env[key]) throw new EnvironmentConfigError(path, `environment "${name}" needs a string "${key}"`);
    try {
      parseRepository(`${env.registry}/${env.namespace}/x`);
    } catch (cause) {
      throw new EnvironmentConfigError(path, `environment "${name}": ${(cause as Error).message}`, { cause });
    }
  }
  return parsed;
}

export function getEnvironment(file: EnvironmentsFile, path: string, name: string): EnvironmentConfig {
  const env = file.environments[name];
  if (!env) throw new EnvironmentConfigError(path, `no environment "${name}" (known: ${Object.keys(file.environments).join(', ')})`);
  return env;
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashdockError } from '../errors';
import { DEFAULT_TAG_TEMPLATES } from '../tags/tag-policy';

export const PLUGIN_NAME = '@hashdock/nx-plugin';

/** Options of the plugin entry in nx.json: the one configuration every entry point reads. */
export interface HashdockOptions {
  /** Name of the inferred target. */
  targetName?: string;
  /** Registry host[:port]; HASHDOCK_REGISTRY overrides it at run time. */
  registry?: string;
  /** Repository prefix; HASHDOCK_NAMESPACE overrides it at run time. */
  namespace?: string;
  /** Tag templates: {contentHash}, {gitSha}, {version}. */
  tags?: string[];
  /** Build args offered to every Dockerfile; each is passed only where the Dockerfile declares it. */
  buildArgs?: Record<string, string>;
  /** Target platform; the host's when unset. */
  platform?: string;
  /** Target that produces files for the build context (run first when the project has it). */
  buildTargetName?: string;
  /** Workspace-relative directory of the manifests. */
  manifestDir?: string;
}

export type HashdockConfig = Required<Omit<HashdockOptions, 'platform'>> & { platform?: string };

export function normalizeHashdockOptions(options: HashdockOptions | undefined): HashdockConfig {
  return {
    targetName: options?.targetName ?? 'image',
    registry: options?.registry ?? 'localhost:5000',
    namespace: options?.namespace ?? 'hashdock',
    tags: options?.tags ?? [...DEFAULT_TAG_TEMPLATES],
    buildArgs: options?.buildArgs ?? {},
    platform: options?.platform,
    buildTargetName: options?.buildTargetName ?? 'build',
    manifestDir: options?.manifestDir ?? 'dist/images',
  };
}

/** Environment variables that change what an image target produces (declared as Nx inputs). */
export const IMAGE_ENV_INPUTS = ['HASHDOCK_REGISTRY', 'HASHDOCK_NAMESPACE'] as const;

/** Read the plugin options from nx.json without importing Nx (for infra and the turbo path). */
export async function readHashdockConfig(workspaceRoot: string): Promise<HashdockConfig> {
  const path = join(workspaceRoot, 'nx.json');
  let nxJson: { plugins?: (string | { plugin: string; options?: HashdockOptions })[] };
  try {
    nxJson = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new HashdockError('CONFIG', `${path} cannot be read as JSON`, { cause });
  }
  const entry = (nxJson.plugins ?? []).find((plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME);
  return normalizeHashdockOptions(typeof entry === 'object' ? entry.options : undefined);
}

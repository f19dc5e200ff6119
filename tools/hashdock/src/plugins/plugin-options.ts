import { DEFAULT_TAG_TEMPLATES } from '@hashdock/core';

/** Options of the plugin entry in nx.json. */
export interface HashdockPluginOptions {
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

export type NormalizedPluginOptions = Required<Omit<HashdockPluginOptions, 'platform'>> & { platform?: string };

export function normalizePluginOptions(options: HashdockPluginOptions | undefined): NormalizedPluginOptions {
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

/** Environment variables that change what the image target produces: declared as inputs. */
export const IMAGE_ENV_INPUTS = ['HASHDOCK_REGISTRY', 'HASHDOCK_NAMESPACE'] as const;

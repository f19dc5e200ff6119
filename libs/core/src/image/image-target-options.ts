import { declaredArgNames } from '../docker/dockerfile-from';
import { HashdockConfig } from '../workspace/hashdock-config';
import { ImageTargetOptions } from './resolve-image-options';

/** The options an inferred image target carries: the plugin's and every other entry point's. */
export function imageTargetOptions(config: HashdockConfig, dockerfileText: string): ImageTargetOptions {
  const declared = declaredArgNames(dockerfileText);
  return {
    dockerfile: '{projectRoot}/Dockerfile',
    context: '{projectRoot}',
    registry: config.registry,
    namespace: config.namespace,
    tags: config.tags,
    buildArgs: Object.fromEntries(Object.entries(config.buildArgs).filter(([name]) => declared.has(name))),
    ...(config.platform ? { platform: config.platform } : {}),
    manifestDir: config.manifestDir,
  };
}

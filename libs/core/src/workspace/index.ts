// What the Nx plugin's graph code needs (`@hashdock/core/workspace`), without the registry client,
// docker driver and hashing the rest of the library loads: Nx loads the plugin for every graph.
export { DOCKERFILE_GLOB } from './dockerfile-names';
export { imagesRunByName } from './images-run-by-name';
export { IMAGE_EXECUTOR, normalizeHashdockOptions } from './hashdock-config';
export type { HashdockOptions } from './hashdock-config';
export { resolveImageTargets } from './image-targets';
export type { ImageTarget } from './image-targets';
export { imageTargetCandidates } from './discover-images';
export { nxReadPackageJsonRoots } from './nx-read-package-jsons';
export { imageTargetInputs, imageTargetOptions, imageTargetOutputs, ProjectTrees } from './image-target-inputs';
export type { SourceReads } from '../source-reads';
export { INPUTS_BASIS_METADATA, inferredInputsBasis } from './inputs-basis';

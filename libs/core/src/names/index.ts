// The names the Nx plugin needs when Nx loads it (`@hashdock/core/names`): constants only, so a
// plugin worker whose inferred targets are cached loads nothing else of the library.
export const PLUGIN_NAME = '@hashdock/nx-plugin';
export const IMAGE_EXECUTOR = `${PLUGIN_NAME}:image`;
/** Every file Docker users name as a Dockerfile: `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `*.dockerfile`. */
export const DOCKERFILE_GLOB = '**/{Dockerfile,dockerfile,Dockerfile.*,*.Dockerfile,*.dockerfile,Containerfile,Containerfile.*,*.Containerfile,*.containerfile}';
/** The inferred target's default name (`targetName` option) and where manifests go by default (`manifestDir`). */
export const DEFAULT_TARGET_NAME = 'image';
export const DEFAULT_MANIFEST_DIR = 'dist/images';

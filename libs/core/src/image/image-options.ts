export interface ImageBuildOptions {
  project: string;
  /** Image name under the namespace; names the manifest file too. */
  imageName: string;
  workspaceRoot: string;
  /** Absolute. */
  contextDir: string;
  /** Absolute. */
  dockerfile: string;
  /** Named build contexts (`--build-context`): name → absolute directory, or `docker-image://<reference>`. */
  buildContexts?: Record<string, string>;
  /** pruneContext: the roots (workspace-relative) of the projects this one does not depend on; their sources stay out of the context. */
  leaveOut?: string[];
  /** `host[:port]/path`, no tag. */
  repository: string;
  tagTemplates: string[];
  buildArgs: Record<string, string>;
  /** Registry host → mirror: external bases are read (and pulled) from there. Digests, so hashes, are the same. */
  mirrors?: Record<string, string>;
  /** Labels the image carries besides Hashdock's own (docker build --label); part of the content hash. */
  labels?: Record<string, string>;
  /** Environment for `docker build` (not hashed: it does not reach the image). */
  env: Record<string, string>;
  platform: string;
  /** The Dockerfile stage to build (docker build --target), lower-cased; the last stage when unset. */
  stage?: string;
  push: boolean;
  dryRun: boolean;
  noCache: boolean;
  /** Which builder makes the image: `auto` takes the registry builder where the Dockerfile allows it. */
  builder: 'auto' | 'docker' | 'registry';
  /** Timestamps of registry-built layers and config (SOURCE_DATE_EPOCH, else 0). */
  sourceDateEpoch: number;
  version?: string;
  gitSha?: string;
  /** The `{branch}` tag value (a valid tag already). */
  branch?: string;
  /** Where `<project>.json` manifests live. */
  manifestDir: string;
  /** Extra --cache-from sources besides this image's previous tags and its bases. */
  cacheFrom: string[];
  /**
   * BuildKit secrets: id → name of the environment variable holding the value.
   * Mounted at /run/secrets/<id> for `RUN --mount=type=secret`; never a build
   * arg, never hashed, never in image history or logs.
   */
  secrets?: Record<string, string>;
  /** SSH forwards for RUN --mount=type=ssh, as docker build --ssh takes them (paths absolute); never hashed. */
  ssh?: string[];
  /** BuildKit secrets read from files: id → absolute path. Never hashed, never in history or logs. */
  secretFiles?: Record<string, string>;
  /** The network RUN instructions get (docker build --network); not hashed. */
  network?: 'default' | 'host' | 'none';
  /** `name:ip` entries for RUN's /etc/hosts (docker build --add-host); not hashed. */
  addHosts?: string[];
  /** A bundler metafile (esbuild) naming the sources behind the context, for rebuild reasons. */
  buildMetafile?: string;
  /**
   * Repositories (read-only) checked for the content-hash tag before building,
   * e.g. the release namespace from a pull request's scratch namespace.
   */
  reuseRepositories?: string[];
  /** Image name without registry (`hashdock/base`) → image name (its manifest), for every workspace image. */
  workspaceImages: Record<string, string>;
}

/** Docker's platform name for this machine, e.g. linux/amd64. */
export function hostPlatform(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm/v7', ppc64: 'ppc64le', s390x: 's390x' };
  return `linux/${map[arch] ?? arch}`;
}

/** `linux/amd64,linux/arm64` (as docker buildx --platform takes it) → each platform, in order. */
export function platformList(platform: string): string[] {
  return platform.split(',').map((item) => item.trim()).filter(Boolean);
}

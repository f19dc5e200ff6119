import { getManifest, RawManifest, sha256Digest } from '../registry/manifest-io';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX } from '../registry/media-types';
import type { BuildImageDeps } from './build-image';
import { dockerBuild, DockerBuildPlan } from './docker-build';
import { ExternalBase } from './external-bases';
import { hostPlatform, ImageBuildOptions, platformList } from './image-options';

/** What every platform's docker build shares: the Dockerfile as read, all platforms' bases, the build args, hash, cache sources and ignore text. */
export type PlatformsBuild = Omit<DockerBuildPlan, 'localTags'>;

/**
 * One platform's docker build. Its bases are the entries keyed `<key>@<platform>`, under the keys
 * a one-platform build uses; a base read through an index is pinned to the index, so docker takes
 * each FROM's child of it (a `FROM --platform=$BUILDPLATFORM` stage the build platform's, the target
 * stage this platform's).
 */
async function buildPlatform(options: ImageBuildOptions, deps: BuildImageDeps, build: PlatformsBuild, platform: string, localTags: string[]): Promise<void> {
  const suffix = `@${platform}`;
  const bases = build.externalBases.filter((base) => base.key.endsWith(suffix)).map((base) => ({ ...base, key: base.key.slice(0, -suffix.length) }));
  const buildArgs = { ...build.buildArgs };
  for (const base of bases) if (base.arg) buildArgs[base.arg] = base.pinned;
  await dockerBuild({ ...options, platform }, deps, { ...build, externalBases: bases, buildArgs, localTags });
}

/**
 * One image for several platforms with docker: one docker build per platform, pushed in turn under
 * the run's candidate tag and read back; then an index over them (a Docker manifest list when every
 * child is a Docker v2 manifest, else an OCI index). The children are in the registry by digest; the
 * index is returned for publishImage to put under the candidate tag and claim the content-hash tag
 * with, like an assembled image. Nothing is left in the local image store, tagged or dangling (it
 * holds one platform per name; the build cache keeps the layers).
 */
export async function dockerBuildPlatforms(options: ImageBuildOptions, deps: BuildImageDeps, build: PlatformsBuild & { candidate: string }): Promise<{ digest: string; manifest: RawManifest }> {
  const local = `${options.repository}:${build.candidate}`;
  const children: { mediaType: string; digest: string; size: number; platform: { os: string; architecture: string; variant?: string } }[] = [];
  try {
    for (const platform of platformList(options.platform)) {
      await buildPlatform(options, deps, build, platform, [local]);
      await deps.docker.push(local, deps.signal);
      // Untagged now, so each platform's image leaves the local store (the next build's tag would leave it dangling).
      await deps.docker.untag(local);
      const pushed = await getManifest(deps.registry, options.repository, build.candidate);
      const [os, architecture, variant] = platform.split('/');
      children.push({ mediaType: pushed.mediaType, digest: pushed.digest, size: pushed.bytes.byteLength, platform: { os, architecture, ...(variant ? { variant } : {}) } });
    }
  } finally {
    await deps.docker.untag(local).catch(() => undefined);
  }
  const mediaType = children.every((child) => child.mediaType === DOCKER_MANIFEST) ? DOCKER_LIST : OCI_INDEX;
  const bytes = new Uint8Array(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: children })));
  const manifest: RawManifest = { bytes, mediaType, digest: sha256Digest(bytes) };
  return { digest: manifest.digest, manifest };
}

/**
 * Several platforms kept local (`--no-push`, a fork's pull request): each platform is built, so the
 * run says whether every one builds, and one is kept under the image's tags, this machine's platform
 * when it is one of them, else the first (docker's image store holds one platform per name).
 * Returns the platform kept.
 */
export async function dockerBuildPlatformsLocally(options: ImageBuildOptions, deps: BuildImageDeps, build: PlatformsBuild & { localTags: string[] }): Promise<string> {
  const platforms = platformList(options.platform);
  const kept = platforms.includes(hostPlatform()) ? hostPlatform() : platforms[0];
  for (const platform of platforms) {
    if (platform === kept) {
      await buildPlatform(options, deps, build, platform, build.localTags);
      continue;
    }
    // The others under a name of their own, removed once built: no dangling image per platform and run.
    const scratch = `${options.repository}:${build.hash}-${platform.replace(/\//g, '-')}`;
    try {
      await buildPlatform(options, deps, build, platform, [scratch]);
    } finally {
      await deps.docker.untag(scratch).catch(() => undefined);
    }
  }
  return kept;
}

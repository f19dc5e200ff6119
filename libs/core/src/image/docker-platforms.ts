import { getManifest, RawManifest, sha256Digest } from '../registry/manifest-io';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX } from '../registry/media-types';
import type { BuildImageDeps } from './build-image';
import { dockerBuild } from './docker-build';
import { ExternalBase } from './external-bases';
import { ImageBuildOptions, platformList } from './image-options';

/**
 * One image for several platforms with docker: one docker build per platform, each from that
 * platform's pinned bases (a base written `FROM --platform=$BUILDPLATFORM` is the build
 * platform's in each), pushed in turn under the run's candidate tag and read back; then an index
 * over them (a Docker manifest list when every child is a Docker v2 manifest, else an OCI index).
 * The children are in the registry by digest; the index is returned for publishImage to put under
 * the candidate tag and claim the content-hash tag with, like an assembled image. Nothing is left
 * tagged in the local image store (it holds one platform per name).
 */
export async function dockerBuildPlatforms(
  options: ImageBuildOptions,
  deps: BuildImageDeps,
  build: { dockerfileText: string; externalBases: ExternalBase[]; buildArgs: Record<string, string>; hash: string; cacheFrom: string[]; candidate: string },
): Promise<{ digest: string; manifest: RawManifest }> {
  const local = `${options.repository}:${build.candidate}`;
  const children: { mediaType: string; digest: string; size: number; platform: { os: string; architecture: string; variant?: string } }[] = [];
  try {
    for (const platform of platformList(options.platform)) {
      // This platform's entries (keyed `<key>@<platform>`), with the keys the single-platform build uses. A base read
      // through an index is pinned to the index: docker takes each FROM's child of it (a `FROM --platform=$BUILDPLATFORM`
      // stage the build platform's, the target stage this platform's).
      const suffix = `@${platform}`;
      const bases = build.externalBases.filter((base) => base.key.endsWith(suffix)).map((base) => ({ ...base, key: base.key.slice(0, -suffix.length) }));
      const buildArgs = { ...build.buildArgs };
      for (const base of bases) if (base.arg) buildArgs[base.arg] = base.pinned;
      await dockerBuild({ ...options, platform }, deps, { dockerfileText: build.dockerfileText, externalBases: bases, buildArgs, hash: build.hash, cacheFrom: build.cacheFrom, localTags: [local] });
      await deps.docker.push(local, deps.signal);
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

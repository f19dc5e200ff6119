import { ContextEntry } from '../hash/context-files';
import { blobExists, copyBlob, mountBlob, uploadBlob } from '../registry/blobs';
import { RegistryClient } from '../registry/client';
import { isIndex, isManifestRefused, putManifest, RawManifest, sha256Digest } from '../registry/manifest-io';
import { manifestByDigest } from '../registry/manifest-by-digest';
import { ImageConfigJson, imageConfig } from './base-config';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../registry/media-types';
import { PlatformDescriptor, platformMatches } from './external-bases';
import { platformList } from './image-options';
import { parseRepository } from '../registry/reference';
import { parseDockerfile } from '../docker/dockerfile-instructions';
import { openUploadSessions, UploadSessions } from '../registry/upload-sessions';
import { applyInstructions, RegistryBuildUnsupportedError } from './apply-instructions';
import { baseFilesystem, ownerResolver } from './base-filesystem';
import { buildLayer, BuiltLayer } from './copy-layer';

const MEDIA = {
  [DOCKER_MANIFEST]: { config: 'application/vnd.docker.container.image.v1+json', layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip' },
  [OCI_MANIFEST]: { config: 'application/vnd.oci.image.config.v1+json', layer: 'application/vnd.oci.image.layer.v1.tar+gzip' },
} as const;

/** Blobs up to this size are uploaded without a HEAD first. */
const SMALL_BLOB = 1024 * 1024;

export interface AssembleImageOptions {
  registry: RegistryClient;
  dockerfile: string;
  dockerfileText: string;
  buildArgs: Record<string, string>;
  contextDir: string;
  context: readonly ContextEntry[];
  /** The base: an image manifest, or an index (its child for each platform is used). */
  base: { repository: string; digest: string };
  /** `linux/amd64`, or several (`linux/amd64,linux/arm64`): one image per platform and an index over them. */
  platform: string;
  /** Where the image goes; with `tag`, the manifest is pushed under it, without, the caller pushes the returned manifest. */
  repository: string;
  tag?: string;
  /** Labels the docker builder would add with --label. */
  labels: Record<string, string>;
  /** SOURCE_DATE_EPOCH, or 0. */
  epoch: number;
  /** Blobs the target repository is known to hold (a hint, see knownBlobsFile): base layers among them are not mounted again. */
  knownBlobs?: ReadonlySet<string>;
  /** The checkout's cache: the base's manifests are read by digest once per checkout (see manifestByDigest). */
  cacheDir?: string;
}

export interface AssembledImage {
  digest: string;
  manifest: RawManifest;
  /** New layers per platform image (the same for every platform). */
  layers: number;
  /** Bytes of new layers uploaded (base layers are mounted or already there). */
  bytesUploaded: number;
  /** The base's layers, now in the repository (worth remembering: see knownBlobsFile). */
  baseLayers: string[];
  /** Set when base layers were taken as present without asking: brings them, for a registry that refused the manifest. */
  bringSkipped?: () => Promise<void>;
}

/**
 * PUT an assembled image's manifest under `reference`. When base layers were
 * skipped as known and the registry refuses the manifest for a missing blob
 * (the hint was stale: the repository was cleaned), they are brought and the
 * manifest is sent again.
 */
export async function putAssembled(registry: RegistryClient, repository: string, reference: string, image: Pick<AssembledImage, 'manifest' | 'bringSkipped'>): Promise<string> {
  try {
    return await putManifest(registry, repository, reference, image.manifest);
  } catch (error) {
    if (!image.bringSkipped || !isManifestRefused(error)) throw error;
    await image.bringSkipped();
    return putManifest(registry, repository, reference, image.manifest);
  }
}


/** The line of a Dockerfile's (first) FROM, for messages about its base. */
function fromLine(dockerfileText: string): number {
  return parseDockerfile(dockerfileText).instructions.find((instruction) => instruction.keyword === 'FROM')?.line ?? 1;
}

/** Make sure every base layer is in the target repository: present, mounted (same registry) or copied. */
async function bringBaseLayers(options: Pick<AssembleImageOptions, 'registry' | 'base' | 'repository'>, layers: readonly { digest: string; size: number }[]): Promise<void> {
  const { registry, base, repository } = options;
  if (base.repository === repository) return;
  const sameRegistry = parseRepository(base.repository).registry === parseRepository(repository).registry;
  await Promise.all(
    layers.map(async (layer) => {
      if (sameRegistry) {
        const mount = await mountBlob(registry, repository, layer.digest, base.repository);
        if (!mount.mounted) await copyBlob(registry, base.repository, registry, repository, layer.digest, layer.size, { location: mount.location });
      } else if (!(await blobExists(registry, repository, layer.digest))) await copyBlob(registry, base.repository, registry, repository, layer.digest, layer.size);
    }),
  );
}

/**
 * Build an image without docker: the base's manifest and config, one
 * deterministic layer per COPY (and per WORKDIR that creates a directory),
 * the config changed with Docker's semantics, history appended, `created`
 * fixed — then blobs and the manifest pushed straight to the registry, base
 * layers mounted rather than uploaded. Same inputs, same digest, anywhere.
 */
export async function assembleImage(options: AssembleImageOptions): Promise<AssembledImage> {
  const { registry, base } = options;
  const platforms = platformList(options.platform);
  // By digest, kept in the checkout's cache: Docker Hub counts every manifest GET against its pull limit.
  const top = await manifestByDigest(registry, base.repository, base.digest, options.cacheDir);
  if (!isIndex(top.mediaType)) {
    if (platforms.length > 1) throw new RegistryBuildUnsupportedError(options.dockerfile, 1, `the base ${base.repository}@${base.digest} is one image, not an index over ${platforms.join(', ')}`);
    return assemblePlatform({ ...options, platform: platforms[0] }, top, options.tag);
  }
  const children = (JSON.parse(Buffer.from(top.bytes).toString('utf8')) as { manifests?: (PlatformDescriptor & { mediaType?: string })[] }).manifests ?? [];
  const childFor = async (platform: string) => {
    const child = children.find((descriptor) => platformMatches(platform, descriptor));
    if (!child) throw new RegistryBuildUnsupportedError(options.dockerfile, 1, `the base index ${base.repository}@${base.digest} has no image for ${platform}`);
    return { descriptor: child, manifest: await manifestByDigest(registry, base.repository, child.digest, options.cacheDir) };
  };
  if (platforms.length === 1) return assemblePlatform({ ...options, platform: platforms[0] }, (await childFor(platforms[0])).manifest, options.tag);
  // One image per platform (pushed by digest), then an index over them of the base index's family, under the tag.
  const images: AssembledImage[] = [];
  const descriptors: { mediaType: string; digest: string; size: number; platform?: PlatformDescriptor['platform'] }[] = [];
  for (const platform of platforms) {
    const { descriptor, manifest } = await childFor(platform);
    // Each platform's instructions see its own TARGETARCH (and the other automatic platform args).
    const image = await assemblePlatform({ ...options, platform }, manifest);
    // A child of the index is pushed by its digest before the index that names it.
    await putAssembled(options.registry, options.repository, image.digest, image);
    images.push(image);
    descriptors.push({ mediaType: image.manifest.mediaType, digest: image.digest, size: image.manifest.bytes.byteLength, ...(descriptor.platform ? { platform: descriptor.platform } : {}) });
  }
  const mediaType = top.mediaType === DOCKER_LIST ? DOCKER_LIST : OCI_INDEX;
  const bytes = new Uint8Array(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: descriptors })));
  const raw: RawManifest = { bytes, mediaType, digest: sha256Digest(bytes) };
  const digest = options.tag ? await putManifest(registry, options.repository, options.tag, raw) : raw.digest;
  return { digest, manifest: raw, layers: images[0].layers, bytesUploaded: images.reduce((sum, image) => sum + image.bytesUploaded, 0), baseLayers: images.flatMap((image) => image.baseLayers) };
}

/** One platform's image on one base image manifest; its manifest pushed under `tag` (a tag or its digest), or left to the caller. */
async function assemblePlatform(options: AssembleImageOptions, baseManifest: RawManifest, tag?: string): Promise<AssembledImage> {
  // The usual image has one new layer and a config, both small: their upload sessions open while they are made.
  const sessions = openUploadSessions(options.registry, options.repository, 2);
  try {
    return await assembleOn(options, baseManifest, sessions, tag);
  } finally {
    await sessions.close();
  }
}

async function assembleOn(options: AssembleImageOptions, baseManifest: RawManifest, sessions: UploadSessions, tag?: string): Promise<AssembledImage> {
  const { registry, base } = options;
  const media = MEDIA[baseManifest.mediaType as keyof typeof MEDIA];
  if (!media) throw new RegistryBuildUnsupportedError(options.dockerfile, 1, `the base manifest's media type ${baseManifest.mediaType} is not an OCI or Docker v2 image manifest`);
  const manifestJson = JSON.parse(Buffer.from(baseManifest.bytes).toString('utf8')) as { config: { digest: string; size: number }; layers: { digest: string; size: number; mediaType: string }[] };
  const baseConfig = (await imageConfig(registry, base.repository, baseManifest)).json;
  // Docker runs the base's ONBUILD triggers first (COPY, RUN: what this builder does not do here) and drops them.
  const triggers = baseConfig.config?.OnBuild ?? [];
  if (triggers.length)
    throw new RegistryBuildUnsupportedError(options.dockerfile, fromLine(options.dockerfileText), `the base image ${base.repository}@${base.digest} has ONBUILD triggers (${triggers.join('; ')}), which docker runs in this build`);

  const fs = await baseFilesystem(registry, base.repository, manifestJson.layers);
  const resolve = ownerResolver(fs);
  const applied = applyInstructions(
    options.dockerfile,
    options.dockerfileText,
    baseConfig.config ?? {},
    options.buildArgs,
    (spec, line) => {
      const owner = resolve(spec);
      if (!owner) throw new RegistryBuildUnsupportedError(options.dockerfile, line, `the user or group in "${spec}" is not in the image's /etc/passwd or /etc/group`);
      return owner;
    },
    options.platform,
  );
  applied.config.Labels = { ...(applied.config.Labels ?? {}), ...options.labels };

  const layerContext = { dockerfile: options.dockerfile, contextDir: options.contextDir, context: options.context, fs: fs.entries, epoch: options.epoch };
  const built: (BuiltLayer | undefined)[] = [];
  for (const step of applied.steps) {
    const layer = await buildLayer(step, layerContext);
    built.push(layer.entries > 0 ? layer : undefined);
  }
  const created = new Date(options.epoch * 1000).toISOString().replace('.000Z', 'Z');
  const newLayers = built.filter((layer): layer is BuiltLayer => layer !== undefined);
  const image: ImageConfigJson = {
    ...baseConfig,
    created,
    config: applied.config,
    rootfs: { type: 'layers', diff_ids: [...(baseConfig.rootfs?.diff_ids ?? []), ...newLayers.map((layer) => layer.diffId)] },
    history: [
      ...(baseConfig.history ?? []),
      ...applied.history.map((entry) =>
        'step' in entry
          ? { created, created_by: `${applied.steps[entry.step].createdBy} # hashdock`, ...(built[entry.step] ? {} : { empty_layer: true }) }
          : { created, created_by: `${entry.createdBy} # hashdock`, empty_layer: true },
      ),
    ],
  };
  delete image.container;
  delete image.container_config;
  const configBytes = new Uint8Array(Buffer.from(JSON.stringify(image)));
  const configDigest = sha256Digest(configBytes);

  // Base layers, new layers and the config go up at once; the manifest only after all of them.
  let bytesUploaded = 0;
  const upload = async (digest: string, bytes: Uint8Array<ArrayBuffer>) => {
    // A small blob is sent without asking first (the registry keeps one copy): one round trip less on the usual path.
    if (bytes.byteLength > SMALL_BLOB && (await blobExists(registry, options.repository, digest))) return;
    const location = bytes.byteLength <= SMALL_BLOB ? await sessions.take() : undefined;
    await uploadBlob(registry, options.repository, digest, bytes, bytes.byteLength, location ? { location } : {});
    bytesUploaded += bytes.byteLength;
  };
  const skipped = manifestJson.layers.filter((layer) => options.knownBlobs?.has(layer.digest));
  const bring = manifestJson.layers.filter((layer) => !options.knownBlobs?.has(layer.digest));
  await Promise.all([bringBaseLayers(options, bring), ...newLayers.map((layer) => upload(layer.digest, layer.gzip)), upload(configDigest, configBytes)]);

  const manifest = {
    schemaVersion: 2,
    mediaType: baseManifest.mediaType,
    config: { mediaType: media.config, digest: configDigest, size: configBytes.byteLength },
    layers: [
      ...manifestJson.layers,
      ...newLayers.map((layer) => ({ mediaType: media.layer, digest: layer.digest, size: layer.gzip.byteLength })),
    ],
  };
  const bytes = new Uint8Array(Buffer.from(JSON.stringify(manifest)));
  const raw: RawManifest = { bytes, mediaType: baseManifest.mediaType, digest: sha256Digest(bytes) };
  const assembled: AssembledImage = {
    digest: raw.digest,
    manifest: raw,
    layers: newLayers.length,
    bytesUploaded,
    baseLayers: manifestJson.layers.map((layer) => layer.digest),
    ...(skipped.length ? { bringSkipped: () => bringBaseLayers(options, skipped) } : {}),
  };
  return tag ? { ...assembled, digest: await putAssembled(registry, options.repository, tag, assembled) } : assembled;
}

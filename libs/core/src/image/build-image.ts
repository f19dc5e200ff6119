import { promises as fs } from 'node:fs';
import { relative } from 'node:path';
import { contextScopeOf } from '../docker/context-reads';
import { onbuildTriggers } from '../docker/onbuild-triggers';
import { inheritedTriggers } from './base-images';
import { externalBaseTriggers } from './base-config';
import { redactUrls } from '../process/redact';
import { targetPlatforms } from '../docker/platform-args';
import { ContextScope } from '../hash/context-scope';
import { contextHygiene, hygieneWarning, selfChangingWarning } from '../hash/context-hygiene';
import { unpinnedDownloads } from '../docker/remote-sources';
import { BaseManifest, ExternalBase, ImageContext, resolveExternalBases, resolveImageContexts } from './external-bases';
import { DockerDriver } from '../docker/docker-driver';
import { declaredArgNames } from '../docker/dockerfile-from';
import { dockerfileForStage } from '../docker/dockerfile-stages';
import { contentHash, ContentHashResult } from '../hash/content-hash';
import { FileHashCache } from '../hash/file-hash-cache';
import { ModeRule } from '../hash/git-mode';
import { createXxHasher, XxHasher } from '../hash/xxhash';
import { ImageManifest, manifestName, manifestPath, readManifest, writeManifest } from '../manifest/image-manifest';
import { RegistryClient } from '../registry/client';
import { RawManifest } from '../registry/manifest-io';
import { parseRepository } from '../registry/reference';
import { retag } from '../registry/retag';
import { hasTag } from '../registry/tag-exists';
import { resolveTags } from '../tags/tag-policy';
import { checkBuildPaths } from './check-paths';
import { checkNamedContextNames, namedContextScopes, splitNamedContexts } from './named-contexts';
import { rootContextHint } from './root-context-hint';
import { prunedIgnore, prunedSourceHint } from './prune-context';
import { InputChange } from './rebuild-reasons';
import { InvalidOptionError } from '../errors';
import { findReusable } from './reuse-release';
import { newRunId, publishImage } from './publish-image';
import { candidateTag, ClaimOptions } from '../registry/claim-tag';
import { ImageBuildOptions, platformList } from './image-options';
import { refuseSecretBuildArgs } from './resolve-image-options';
import { BuilderChoice, chooseBuilder } from './choose-builder';
import { assembleImage } from './assemble-image';
import { knownBlobsFile, readKnownBlobs, writeKnownBlobs } from './known-blobs';
import { cacheDirFor } from '../hash/cache-dir';
import { RegistryBuildUnsupportedError } from './apply-instructions';
import { LABEL_CONTENT_HASH, LABEL_PROJECT } from './image-labels';
import { ResolvedBase, resolveBases } from './workspace-bases';
import { dockerBuild } from './docker-build';
import { dockerBuildPlatforms, dockerBuildPlatformsLocally } from './docker-platforms';
import { findReasons, inputsRecordOf, restoreMissingInputsRecord, storeInputsRecord } from './inputs-record';
import { phaseClock } from './phase-clock';

export interface BuildImageDeps {
  docker: DockerDriver;
  registry: RegistryClient;
  log: (line: string) => void;
  hasher?: XxHasher;
  signal?: AbortSignal;
  /** How long to wait for a concurrent run's tag (tests shorten it). */
  claim?: ClaimOptions;
  /** The checkout's file hash cache: loaded on first use, saved by the caller when its run ends. */
  fileHashes?: FileHashCache;
  /** When the task entered the executor (`performance.now()`), for the `start` phase. */
  enteredAt?: number;
  /** External bases read in this run (each reference once, for every platform), shared by the images of one process. */
  baseDigests?: Map<string, Promise<BaseManifest>>;
  /** What this batch has warned about already (`context <dir>`, `download <file>:<line>`): each said once, in the output of the first image that meets it. */
  warned?: Set<string>;
}

export interface BuildImageResult {
  manifest: ImageManifest;
  manifestFile: string;
  hash: ContentHashResult;
  seconds: number;
  /** Seconds per phase, in order (see phaseClock); what a slow image spent its time on. */
  phases: Record<string, number>;
  /** For a rebuilt image: what differs from the registry's previous version, when that is known. */
  reasons?: { previousHash: string; changes: InputChange[] };
}

export { LABEL_CONTENT_HASH, LABEL_PROJECT } from './image-labels';
export { BaseManifestMismatchError } from './workspace-bases';

/** Content hash of this image's last pushed version, from its previous manifest (read once per build). */
async function previousPushedHash(options: ImageBuildOptions): Promise<string | undefined> {
  try {
    const previous = await readManifest(manifestPath(options.manifestDir, options.imageName));
    return previous.repository === options.repository && previous.pushed ? previous.contentHash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sources for --cache-from that exist in the registry. Each is pulled first:
 * BuildKit loses inline-cache links for images built from cache (moby/buildkit#1981)
 * unless the cache image is local.
 */
async function prepareCacheFrom(options: ImageBuildOptions, deps: BuildImageDeps, bases: ResolvedBase[], previousHash: string | undefined): Promise<string[]> {
  const candidates: string[] = [];
  if (previousHash) candidates.push(`${options.repository}:${previousHash}`);
  if (options.tagTemplates.includes('latest')) candidates.push(`${options.repository}:latest`);
  candidates.push(...options.cacheFrom);
  const usable: string[] = [];
  for (const candidate of [...new Set(candidates)]) {
    if (!options.push && !options.cacheFrom.includes(candidate)) {
      usable.push(candidate);
      continue;
    }
    const colon = candidate.lastIndexOf(':');
    try {
      if (await hasTag(deps.registry, candidate.slice(0, colon), candidate.slice(colon + 1))) {
        await deps.docker.pull(candidate, deps.signal);
        usable.push(candidate);
      }
    } catch (error) {
      deps.log(`hashdock: cache source ${candidate} skipped: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return [...usable, ...bases.map((base) => base.reference)];
}

/** What the manifest and report say about how the context was read. */
export function describeScope(scope: ContextScope): string {
  if (scope.kind === 'context') return `whole context: ${scope.reason}`;
  const paths = [...new Set(scope.sources.map((source) => source.path))];
  if (paths.includes('.')) return 'whole context: COPY/ADD of .';
  return paths.length ? `COPY/ADD sources: ${paths.join(', ')}` : 'no context files (nothing is copied from it)';
}

interface BuildFacts {
  bases: ResolvedBase[];
  externalBases: ExternalBase[];
  scope: ContextScope;
  /** What the Dockerfile reads of each named build context that is a directory. */
  namedScopes: Record<string, ContextScope>;
  /** The named build contexts that are images, resolved. */
  imageContexts: ImageContext[];
  /** This image's own ONBUILD triggers. */
  onbuild: string[];
  /** pruneContext: the project folders left out of the context (see prunedIgnore). */
  prunedProjects: string[];
}

function buildManifest(
  options: ImageBuildOptions,
  hash: string,
  tags: string[],
  facts: BuildFacts,
  fields: Pick<ImageManifest, 'status' | 'digest' | 'pushed'> & { plan?: ImageManifest['plan']; repository?: string; builder?: BuilderChoice },
): ImageManifest {
  const { bases, externalBases, scope } = facts;
  const repository = fields.repository ?? options.repository;
  // Several platforms: one entry per base and platform.
  const multiPlatform = platformList(options.platform).length > 1;
  return {
    schemaVersion: 1,
    project: options.project,
    image: options.imageName,
    repository,
    contentHash: hash,
    tags,
    digest: fields.digest,
    ref: fields.digest ? `${repository}@${fields.digest}` : null,
    status: fields.status,
    pushed: fields.pushed,
    platform: options.platform,
    ...(options.stage ? { stage: options.stage } : {}),
    ...(fields.plan ? { plan: fields.plan } : {}),
    baseImages: Object.fromEntries(bases.map((base) => [base.project, base.contentHash])),
    ...(externalBases.length
      ? { externalBases: Object.fromEntries(externalBases.map((base) => [multiPlatform ? `${base.reference} (${base.platform})` : base.reference, { digest: base.digest, platform: base.platform, ...(base.index ? { index: base.index } : {}) }])) }
      : {}),
    context: describeScope(scope),
    ...(Object.keys(facts.namedScopes).length || facts.imageContexts.length
      ? {
          namedContexts: {
            ...Object.fromEntries(Object.entries(facts.namedScopes).map(([name, named]) => [name, { dir: relative(options.workspaceRoot, options.buildContexts![name]) || '.', reads: describeScope(named) }])),
            ...Object.fromEntries(facts.imageContexts.map((image) => [image.name, { image: image.reference, digest: image.index ?? image.digest }])),
          },
        }
      : {}),
    ...(facts.onbuild.length ? { onbuild: facts.onbuild } : {}),
    ...(facts.prunedProjects.length ? { prunedProjects: facts.prunedProjects } : {}),
    ...(fields.builder ? { builder: { name: fields.builder.name, reason: fields.builder.reason } } : {}),
  };
}

/**
 * The image target: hash → tag present? record its digest : build, push every
 * tag, read back the digest → write the manifest. The manifest is written last,
 * so a failure anywhere leaves none for this run.
 */
export async function buildImage(options: ImageBuildOptions, deps: BuildImageDeps, fallback?: string): Promise<BuildImageResult> {
  const started = performance.now();
  const clock = phaseClock(started, deps.enteredAt);
  parseRepository(options.repository);
  const xx = deps.hasher ?? (await createXxHasher());
  const { dirs: namedDirs, images: namedImages } = splitNamedContexts(options.buildContexts);
  await checkBuildPaths(options.workspaceRoot, options.contextDir, options.dockerfile, namedDirs);
  const dockerfileFile = await fs.readFile(options.dockerfile, 'utf8');
  // With a stage, everything below reads only what `docker build --target` builds.
  const dockerfileText = options.stage ? dockerfileForStage(dockerfileFile, options.stage, options.dockerfile, options.buildArgs, targetPlatforms(options.platform)[0]) : dockerfileFile;
  const namedContexts = Object.keys(options.buildContexts ?? {});
  checkNamedContextNames(dockerfileText, options.dockerfile, namedContexts, options.buildArgs);
  clock.mark('setup');
  const bases = await resolveBases(options, dockerfileText, deps.registry);
  // Only args the Dockerfile declares reach docker and the hash: an unused one would change the tag for nothing.
  const declared = declaredArgNames(dockerfileText);
  const buildArgs = Object.fromEntries(Object.entries(options.buildArgs).filter(([name]) => declared.has(name)));
  refuseSecretBuildArgs(buildArgs);
  for (const base of bases) if (base.arg) buildArgs[base.arg] = base.reference;
  // The checkout's cache: manifests and base configs read by digest (never stale) are kept there for the next process.
  const registryCache = cacheDirFor(options.workspaceRoot, 'registry');
  const externalBases = await resolveExternalBases({
    dockerfile: options.dockerfile,
    dockerfileText,
    buildArgs,
    workspaceImages: options.workspaceImages,
    platform: options.platform,
    registry: deps.registry,
    ...(options.mirrors ? { mirrors: options.mirrors } : {}),
    cache: deps.baseDigests,
    cacheDir: registryCache,
    namedContexts,
  });
  // The build uses exactly the digest the hash covers.
  for (const base of externalBases) if (base.arg) buildArgs[base.arg] = base.pinned;
  // A base's ONBUILD triggers run in this build, on this context: a workspace base's from its manifest, an external one's from its config.
  const external = await externalBaseTriggers(deps.registry, options.dockerfile, dockerfileText, externalBases, registryCache);
  const triggers = new Map([...inheritedTriggers(dockerfileText, options.workspaceImages, (image) => bases.find((base) => base.project === image)?.onbuild), ...external]);
  const scope = contextScopeOf(dockerfileText, buildArgs, { inherited: triggers, platform: options.platform });
  const namedScopes = namedContextScopes(dockerfileText, buildArgs, Object.keys(namedDirs), { inherited: triggers, platform: options.platform });
  // An image named context is read by digest, as a FROM is: hashed, and the build pinned to it.
  const imageContexts = await resolveImageContexts({ images: namedImages, platform: options.platform, registry: deps.registry, ...(options.mirrors ? { mirrors: options.mirrors } : {}), cache: deps.baseDigests, cacheDir: registryCache });
  const buildOptions: ImageBuildOptions = imageContexts.length
    ? { ...options, buildContexts: { ...namedDirs, ...Object.fromEntries(imageContexts.map((image) => [image.name, `docker-image://${image.pinned}`])) } }
    : options;
  // Credentials in a trigger's URL stay out of the manifest (a download reads nothing of the context either way).
  // pruneContext: the build and the hash read one ignore text, the user's lines and the left-out projects'.
  const pruned = options.leaveOut?.length ? await prunedIgnore(options.contextDir, options.dockerfile, options.workspaceRoot, options.leaveOut) : undefined;
  const facts: BuildFacts = { bases, externalBases, scope, namedScopes, imageContexts, onbuild: onbuildTriggers(dockerfileText).map(redactUrls), prunedProjects: pruned?.leftOut ?? [] };
  clock.mark('bases');

  const choose = (): BuilderChoice => (fallback ? { name: 'docker', reason: fallback } : chooseBuilder(options, dockerfileText, { workspace: bases, external: externalBases }));
  // Docker builds several platforms from each base's index (see dockerBuildPlatforms): its digest is in the hash too,
  // so a child only the target stage reads, re-pushed, is a new image.
  // Decided once (the Dockerfile read for eligibility): both the index digests and the file modes depend on it.
  const planned = plannedBuilder(choose);
  const indexes = platformList(options.platform).length > 1 && planned === 'docker' ? Object.fromEntries(externalBases.filter((base) => base.index).map((base) => [`${base.key}#index`, base.index!])) : {};
  const hashWith = (modes: ModeRule) =>
    contentHash(
      {
        contextDir: options.contextDir,
        dockerfile: options.dockerfile,
        buildArgs,
        labels: options.labels,
        platform: options.platform,
        ...(options.stage ? { stage: options.stage, dockerfileText } : {}),
        baseImages: Object.fromEntries(bases.map((base) => [base.arg ?? base.project, base.contentHash])),
        externalBases: {
          ...Object.fromEntries(externalBases.map((base) => [base.key, base.digest])),
          ...indexes,
          ...Object.fromEntries(imageContexts.flatMap((image) => [[image.key, image.digest], ...(image.index ? [[`${image.key}#index`, image.index]] : [])])),
        },
        scope,
        ...(Object.keys(namedScopes).length ? { namedContexts: Object.keys(namedScopes).map((name) => ({ name, dir: namedDirs[name], scope: namedScopes[name] })) } : {}),
        modes,
        cache: deps.fileHashes,
        ...(pruned ? { ignoreText: pruned.text } : {}),
      },
      xx,
    );
  // The hash records modes as the builder will write them: the registry builder's are git's, whatever the umask.
  const hash = await hashWith(planned === 'registry' ? 'git' : 'exact').catch((error: unknown) => {
    const left = prunedSourceHint(error, options.workspaceRoot, pruned?.leftOut ?? []);
    throw left !== error ? left : rootContextHint(error, options.workspaceRoot);
  });
  clock.mark('hash');
  const contextName = relative(options.workspaceRoot, options.contextDir) || '.';
  const warning = hygieneWarning(contextName, contextHygiene(hash.context, relative(options.contextDir, options.manifestDir)));
  // Once per context in a batch: 200 images built from the workspace root would print it 200 times (and Nx replay each copy).
  if (warning) warnOnce(deps, `context ${contextName}`, warning);
  // Worse than a heavy context: an image whose hash covers what every run rewrites is never the same twice.
  const changing = selfChangingWarning(options.imageName, hash.files, relative(options.contextDir, options.manifestDir));
  if (changing) warnOnce(deps, `self-changing ${options.imageName}`, changing);
  for (const download of unpinnedDownloads(dockerfileText, buildArgs)) {
    const at = `${relative(options.workspaceRoot, options.dockerfile)}:${download.line}`;
    warnOnce(
      deps,
      `download ${at}`,
      `hashdock: warning: ${at}: ADD ${download.source} downloads what the content hash cannot see: when it serves something else, ${options.imageName} keeps its tag and is not rebuilt. ` +
        'Pin it (ADD --checksum=sha256:…, Dockerfile 1.6+; a git URL at a full commit) or keep the file in the build context.',
    );
  }
  for (const [line, base] of external) {
    const at = `${relative(options.workspaceRoot, options.dockerfile)}:${line}`;
    warnOnce(
      deps,
      `onbuild ${at}`,
      `hashdock: warning: ${at}: the base ${base.image} has ONBUILD triggers (${base.triggers.map(redactUrls).join('; ')}): the content hash covers what they read of the context, ` +
        "but Nx's inputs for this target cannot know those files (an edit to them alone may replay the cached image). Build FROM a workspace base instead, or add them to the target's inputs.",
    );
  }
  const tags = resolveTags(options.tagTemplates, { contentHash: hash.hash, gitSha: options.gitSha, version: options.version, branch: options.branch }, options.repository);
  const ref = (tag: string) => `${options.repository}:${tag}`;

  let manifest: ImageManifest;
  let reasons: BuildImageResult['reasons'];
  const existing = await hasTag(deps.registry, options.repository, tags.immutable, options.push && !options.dryRun ? 'push' : 'pull');
  clock.mark('lookup');
  // A pull request reads the release namespace first: what main already pushed is reused, never rebuilt.
  const reused = existing ? undefined : await findReusable(deps.registry, options.reuseRepositories ?? [], tags.immutable);
  if (reused) {
    deps.log(`hashdock: ${options.project}: ${reused.repository}:${tags.immutable} already exists; reusing it (nothing built or pushed)`);
    manifest = buildManifest(options, hash.hash, [tags.immutable], facts, {
      status: options.dryRun ? 'planned' : 'exists',
      digest: options.dryRun ? null : reused.digest,
      pushed: !options.dryRun,
      repository: reused.repository,
      ...(options.dryRun ? { plan: 'exists' as const } : {}),
    });
  } else if (options.dryRun) {
    const builder = existing ? undefined : choose();
    deps.log(`hashdock: plan ${options.project}: ${existing ? 'exists' : 'build'} ${ref(tags.immutable)} tags=${tags.all.join(',')}`);
    if (builder) deps.log(`hashdock: plan ${options.project}: builder ${builder.name} (${builder.reason})`);
    // (Several target platforms may read one base for the same platform: a FROM --platform=$BUILDPLATFORM stage's.)
    const baseLines = new Set(externalBases.map((base) => `hashdock: plan ${options.project}: base ${base.reference} → ${base.pinned} (${base.platform}${base.index ? `, index ${base.index}` : ''})`));
    for (const line of baseLines) deps.log(line);
    if (options.stage) deps.log(`hashdock: plan ${options.project}: stage ${options.stage} (docker build --target)`);
    deps.log(`hashdock: plan ${options.project}: hashes ${describeScope(scope)}`);
    if (pruned) deps.log(`hashdock: plan ${options.project}: context pruned: leaves out the sources of ${pruned.leftOut.length} project folder${pruned.leftOut.length === 1 ? '' : 's'} it does not depend on (${pruned.leftOut.join(', ')}; their package.json files stay, for workspace installs, unless the ignore file leaves them out)`);
    for (const [name, named] of Object.entries(namedScopes))
      deps.log(`hashdock: plan ${options.project}: hashes named context ${name} (${relative(options.workspaceRoot, options.buildContexts![name]) || '.'}): ${describeScope(named)}`);
    for (const image of new Map(imageContexts.map((one) => [one.name, one])).values())
      deps.log(`hashdock: plan ${options.project}: named context ${image.name}: ${image.reference} → ${image.pinned}`);
    manifest = buildManifest(options, hash.hash, tags.all, facts, { status: 'planned', digest: null, pushed: false, plan: existing ? 'exists' : 'build', builder });
  } else if (existing) {
    if (options.push) {
      await Promise.all(tags.all.slice(1).map((tag) => retag(deps.registry, options.repository, existing, tag)));
      await restoreMissingInputsRecord(options, deps, hash.hash, () => inputsRecordOf(options, hash, xx));
    }
    manifest = buildManifest(options, hash.hash, tags.all, facts, { status: 'exists', digest: existing, pushed: true });
  } else {
    const inputsRecord = await inputsRecordOf(options, hash, xx);
    const previousHash = await previousPushedHash(options);
    // Reasons are read from the registry while the image is built (best effort, never fails the build).
    const reasonsFound = findReasons(options, deps, inputsRecord, previousHash);
    // A pushed build carries only a run-unique name until it is published (see publishImage).
    const runId = newRunId();
    let storeRecord = () => storeInputsRecord(options, deps, hash.hash, inputsRecord);
    let builder = choose();
    let assembled: { digest: string; manifest: RawManifest; bringSkipped?: () => Promise<void>; baseLayers: string[] } | undefined;
    const blobsFile = knownBlobsFile(options.workspaceRoot, options.repository);
    if (builder.name === 'registry') {
      // The record describes the content hash, not one image: stored while the image is assembled (best effort,
      // never rejects), it is off the end of the image step. Docker builds fail often enough to store it after.
      const early = storeRecord();
      storeRecord = () => early;
      try {
        const image = await assembleImage({
          registry: deps.registry,
          dockerfile: options.dockerfile,
          dockerfileText,
          buildArgs,
          contextDir: options.contextDir,
          context: hash.context,
          base: builder.base!,
          repository: options.repository,
          platform: options.platform,
          labels: { ...options.labels, [LABEL_CONTENT_HASH]: hash.hash, [LABEL_PROJECT]: options.project },
          epoch: options.sourceDateEpoch,
          knownBlobs: await readKnownBlobs(blobsFile, options.repository),
          cacheDir: registryCache,
        });
        assembled = { digest: image.digest, manifest: image.manifest, bringSkipped: image.bringSkipped, baseLayers: image.baseLayers };
        deps.log(`hashdock: ${options.project}: assembled through the registry API (${image.layers} new layer${image.layers === 1 ? '' : 's'}, ${image.bytesUploaded} bytes uploaded; no docker)`);
      } catch (error) {
        if (!(error instanceof RegistryBuildUnsupportedError) || options.builder === 'registry') throw error;
        builder = { name: 'docker', reason: error.message };
        deps.log(`hashdock: ${options.project}: ${error.message}; building with docker`);
        // Docker copies the checkout's own modes: when they are not git's, the image (and so its hash) differs.
        // (Several platforms: docker's hash also covers each base's index, so it is always taken again.)
        if (platformList(options.platform).length > 1 || (await hashWith('exact')).hash !== hash.hash) return buildImage(options, deps, error.message);
      }
    }
    if (!assembled && options.builder === 'auto') deps.log(`hashdock: ${options.project}: docker builder (${builder.reason})`);
    if (!assembled && platformList(options.platform).length > 1) {
      // Several platforms: a docker build each, pushed by digest; the index over them is published like an assembled image.
      // Kept local, every platform is built and one kept (docker holds one platform per name).
      const platforms = { dockerfileText, externalBases, buildArgs, hash: hash.hash, cacheFrom: await prepareCacheFrom(options, deps, bases, previousHash), ...(pruned ? { ignoreText: pruned.text } : {}) };
      if (options.push) assembled = { ...(await dockerBuildPlatforms(buildOptions, deps, { ...platforms, candidate: candidateTag(tags.immutable, runId) })), baseLayers: [] };
      else {
        const kept = await dockerBuildPlatformsLocally(buildOptions, deps, { ...platforms, localTags: tags.all.map(ref) });
        deps.log(`hashdock: ${options.project}: built ${platformList(options.platform).join(', ')}; ${kept} is kept locally as ${ref(tags.immutable)} (docker holds one platform per name)`);
      }
    } else if (!assembled) {
      await dockerBuild(buildOptions, deps, {
        dockerfileText,
        externalBases,
        buildArgs,
        hash: hash.hash,
        cacheFrom: await prepareCacheFrom(options, deps, bases, previousHash),
        localTags: options.push ? [ref(candidateTag(tags.immutable, runId))] : tags.all.map(ref),
        ...(pruned ? { ignoreText: pruned.text } : {}),
      });
    }
    clock.mark('build');
    if (!options.push) {
      manifest = buildManifest(options, hash.hash, tags.all, facts, { status: 'built', digest: null, pushed: false, builder });
    } else {
      // Someone may have pushed this hash while we built: keep theirs, never overwrite an immutable tag.
      // (An assembled image goes straight to the claim, whose first look is the same check.)
      const raced = assembled ? undefined : await hasTag(deps.registry, options.repository, tags.immutable, 'push');
      if (raced) {
        deps.log(`hashdock: ${ref(tags.immutable)} appeared during the build; keeping the registry's ${raced}`);
        await deps.docker.untag(ref(candidateTag(tags.immutable, runId))).catch(() => undefined);
        manifest = buildManifest(options, hash.hash, tags.all, facts, { status: 'exists', digest: raced, pushed: true, builder });
      } else {
        // The inputs travel with the image, so a later rebuild can say what changed.
        const published = await publishImage(deps, options.repository, tags, runId, storeRecord, deps.claim, assembled);
        // The next image assembled here on this base needs not mount its layers again (best effort).
        if (assembled) await writeKnownBlobs(blobsFile, options.repository, assembled.baseLayers).catch(() => undefined);
        manifest = buildManifest(options, hash.hash, tags.all, facts, { status: published.adopted ? 'exists' : 'built', digest: published.digest, pushed: true, builder });
      }
    }
    reasons = await reasonsFound;
    clock.mark('publish');
  }
  const manifestFile = await writeManifest(options.manifestDir, manifest);
  return { manifest, manifestFile, hash, seconds: (performance.now() - started) / 1000, phases: clock.phases(), ...(reasons ? { reasons } : {}) };
}

/** Log a warning the first time this batch meets `key` (see BuildImageDeps.warned); without a batch, every time. */
function warnOnce(deps: BuildImageDeps, key: string, message: string): void {
  if (deps.warned?.has(key)) return;
  deps.warned?.add(key);
  deps.log(message);
}

/** The builder that will run, as far as options and Dockerfile tell; an option the builder refuses fails later, where it always has. */
function plannedBuilder(choose: () => BuilderChoice): BuilderChoice['name'] {
  try {
    return choose().name;
  } catch (error) {
    if (error instanceof InvalidOptionError) return 'docker';
    throw error;
  }
}

export function summaryLine(result: BuildImageResult): string {
  const { manifest } = result;
  const where = manifest.ref ?? `${manifest.repository}:${manifest.contentHash}`;
  const status = manifest.status === 'planned' ? `planned(${manifest.plan})` : manifest.status;
  return `hashdock ${status.padEnd(15)} ${manifestName(manifest).padEnd(12)} ${manifest.contentHash} ${where} ${result.seconds.toFixed(1)}s`;
}

import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { contextScopeOf } from '../docker/context-reads';
import { ContextScope } from '../hash/context-scope';
import { contextHygiene, hygieneWarning } from '../hash/context-hygiene';
import { ExternalBase, pinLiteralFroms, resolveExternalBases } from './external-bases';
import { DockerDriver } from '../docker/docker-driver';
import { declaredArgNames } from '../docker/dockerfile-from';
import { contentHash, ContentHashResult } from '../hash/content-hash';
import { FileHashCache } from '../hash/file-hash-cache';
import { ModeRule } from '../hash/git-mode';
import { XxHasher } from '../hash/xxhash';
import { ImageManifest, manifestName, manifestPath, readManifest, writeManifest } from '../manifest/image-manifest';
import { RegistryClient } from '../registry/client';
import { RawManifest } from '../registry/manifest-io';
import { parseRepository } from '../registry/reference';
import { retag } from '../registry/retag';
import { hasTag } from '../registry/tag-exists';
import { resolveTags } from '../tags/tag-policy';
import { findWorkspaceBaseImages, LiteralWorkspaceFromError } from './base-images';
import { checkBuildPaths } from './check-paths';
import { InputChange, inputsTag, rebuildReasons, sourceLines, storeInputs } from './rebuild-reasons';
import { HashdockError } from '../errors';
import { withSecretFiles } from './secret-files';
import { findReusable } from './reuse-release';
import { newRunId, publishImage } from './publish-image';
import { candidateTag, ClaimOptions } from '../registry/claim-tag';
import { createXxHasher, toHex64 } from '../hash/xxhash';
import { ImageBuildOptions, platformList } from './image-options';
import { refuseSecretBuildArgs } from './resolve-image-options';
import { BuilderChoice, chooseBuilder } from './choose-builder';
import { assembleImage } from './assemble-image';
import { RegistryBuildUnsupportedError } from './apply-instructions';

export interface BuildImageDeps {
  docker: DockerDriver;
  registry: RegistryClient;
  log: (line: string) => void;
  hasher?: XxHasher;
  signal?: AbortSignal;
  /** How long to wait for a concurrent run's tag (tests shorten it). */
  claim?: ClaimOptions;
  /** The checkout's file hash cache (the caller loads nothing and saves it when the run ends). */
  fileHashes?: FileHashCache;
  /** External base digests resolved in this run, shared by the images of one process. */
  baseDigests?: Map<string, Promise<{ digest: string; index?: string; repository: string }>>;
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

export const LABEL_CONTENT_HASH = 'dev.hashdock.content-hash';
export const LABEL_PROJECT = 'dev.hashdock.project';

interface ResolvedBase {
  project: string;
  arg?: string;
  contentHash: string;
  reference: string;
}

export class BaseManifestMismatchError extends HashdockError {
  constructor(manifestFile: string, detail: string) {
    super('BASE_MANIFEST_MISMATCH', `${manifestFile}: ${detail}. Rebuild the base image (nx run <base>:image --skip-nx-cache) before the images FROM it.`);
  }
}

/**
 * A pushed base's manifest is checked against the registry: its content-hash
 * tag must hold the recorded digest. Otherwise a service would build on an
 * image that does not exist under that hash (an edited or stale manifest).
 */
async function checkBaseInRegistry(file: string, dependency: ImageManifest, registry: RegistryClient): Promise<void> {
  if (!dependency.pushed || !dependency.digest) return;
  const held = await hasTag(registry, dependency.repository, dependency.contentHash);
  if (held !== dependency.digest)
    throw new BaseManifestMismatchError(
      file,
      `records ${dependency.repository}:${dependency.contentHash} at ${dependency.digest}, but the registry's tag ${held ? `holds ${held}` : 'does not exist'}`,
    );
}

async function resolveBases(options: ImageBuildOptions, dockerfileText: string, registry: RegistryClient): Promise<ResolvedBase[]> {
  const bases = findWorkspaceBaseImages(dockerfileText, options.workspaceImages);
  const resolved: ResolvedBase[] = [];
  for (const base of bases) {
    if (!base.arg) throw new LiteralWorkspaceFromError(options.dockerfile, base.line, base.project);
    const file = manifestPath(options.manifestDir, base.project);
    const dependency = await readManifest(file);
    await checkBaseInRegistry(file, dependency, registry);
    // Pin the exact digest when the base was pushed; a local-only base is found by its content-hash tag.
    const reference = dependency.ref ?? `${dependency.repository}:${dependency.contentHash}`;
    resolved.push({ project: base.project, arg: base.arg, contentHash: dependency.contentHash, reference });
  }
  return resolved;
}

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
    ...(fields.plan ? { plan: fields.plan } : {}),
    baseImages: Object.fromEntries(bases.map((base) => [base.project, base.contentHash])),
    ...(externalBases.length
      ? { externalBases: Object.fromEntries(externalBases.map((base) => [multiPlatform ? `${base.reference} (${base.platform})` : base.reference, { digest: base.digest, platform: base.platform, ...(base.index ? { index: base.index } : {}) }])) }
      : {}),
    context: describeScope(scope),
    ...(fields.builder ? { builder: { name: fields.builder.name, reason: fields.builder.reason } } : {}),
  };
}

/**
 * Run `work` with the Dockerfile the build should read: the user's own, or a
 * temporary copy whose literal FROMs name their digests (its
 * `<Dockerfile>.dockerignore` copied beside it, since BuildKit looks there).
 */
async function withPinnedDockerfile<T>(options: ImageBuildOptions, text: string, bases: readonly ExternalBase[], work: (dockerfile: string) => Promise<T>): Promise<T> {
  if (!bases.some((base) => !base.arg)) return work(options.dockerfile);
  const pinned = pinLiteralFroms(options.dockerfile, text, bases);
  const dir = await fs.mkdtemp(join(tmpdir(), 'hashdock-dockerfile-'));
  try {
    const dockerfile = join(dir, basename(options.dockerfile));
    await fs.writeFile(dockerfile, pinned);
    await fs.copyFile(`${options.dockerfile}.dockerignore`, `${dockerfile}.dockerignore`).catch(() => undefined);
    return await work(dockerfile);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * The image target: hash → tag present? record its digest : build, push every
 * tag, read back the digest → write the manifest. The manifest is written last,
 * so a failure anywhere leaves none for this run.
 */
export async function buildImage(options: ImageBuildOptions, deps: BuildImageDeps, fallback?: string): Promise<BuildImageResult> {
  const started = performance.now();
  const clock = phaseClock(started);
  parseRepository(options.repository);
  const xx = deps.hasher ?? (await createXxHasher());
  await checkBuildPaths(options.workspaceRoot, options.contextDir, options.dockerfile);
  const dockerfileText = await fs.readFile(options.dockerfile, 'utf8');
  clock.mark('setup');
  const bases = await resolveBases(options, dockerfileText, deps.registry);
  // Only args the Dockerfile declares reach docker and the hash: an unused one would change the tag for nothing.
  const declared = declaredArgNames(dockerfileText);
  const buildArgs = Object.fromEntries(Object.entries(options.buildArgs).filter(([name]) => declared.has(name)));
  refuseSecretBuildArgs(buildArgs);
  for (const base of bases) if (base.arg) buildArgs[base.arg] = base.reference;
  const externalBases = await resolveExternalBases({
    dockerfile: options.dockerfile,
    dockerfileText,
    buildArgs,
    workspaceImages: options.workspaceImages,
    platform: options.platform,
    registry: deps.registry,
    cache: deps.baseDigests,
  });
  // The build uses exactly the digest the hash covers.
  for (const base of externalBases) if (base.arg) buildArgs[base.arg] = base.pinned;
  const scope = contextScopeOf(dockerfileText, buildArgs);
  const facts: BuildFacts = { bases, externalBases, scope };
  clock.mark('bases');

  const choose = (): BuilderChoice => (fallback ? { name: 'docker', reason: fallback } : chooseBuilder(options, dockerfileText, { workspace: bases, external: externalBases }));
  const hashWith = (modes: ModeRule) =>
    contentHash(
      {
        contextDir: options.contextDir,
        dockerfile: options.dockerfile,
        buildArgs,
        platform: options.platform,
        baseImages: Object.fromEntries(bases.map((base) => [base.arg ?? base.project, base.contentHash])),
        externalBases: Object.fromEntries(externalBases.map((base) => [base.key, base.digest])),
        scope,
        modes,
        cache: deps.fileHashes,
      },
      xx,
    );
  // The hash records modes as the builder will write them: the registry builder's are git's, whatever the umask.
  const hash = await hashWith(modeRuleOf(choose));
  clock.mark('hash');
  const warning = hygieneWarning(options.imageName, relative(options.workspaceRoot, options.contextDir) || '.', contextHygiene(hash.context, relative(options.contextDir, options.manifestDir)));
  if (warning) deps.log(warning);
  const tags = resolveTags(options.tagTemplates, { contentHash: hash.hash, gitSha: options.gitSha, version: options.version }, options.repository);
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
    for (const base of externalBases)
      deps.log(`hashdock: plan ${options.project}: base ${base.reference} → ${base.pinned} (${base.platform}${base.index ? `, index ${base.index}` : ''})`);
    deps.log(`hashdock: plan ${options.project}: hashes ${describeScope(scope)}`);
    manifest = buildManifest(options, hash.hash, tags.all, facts, { status: 'planned', digest: null, pushed: false, plan: existing ? 'exists' : 'build', builder });
  } else if (existing) {
    if (options.push) {
      await Promise.all(tags.all.slice(1).map((tag) => retag(deps.registry, options.repository, existing, tag)));
      await ensureInputsRecord(options, deps, hash.hash, () => inputsRecordOf(options, hash, xx));
    }
    manifest = buildManifest(options, hash.hash, tags.all, facts, { status: 'exists', digest: existing, pushed: true });
  } else {
    const inputsRecord = await inputsRecordOf(options, hash, xx);
    const previousHash = await previousPushedHash(options);
    // Reasons are read from the registry while the image is built (best effort, never fails the build).
    const reasonsFound = findReasons(options, deps, inputsRecord, previousHash);
    // A pushed build carries only a run-unique name until it is published (see publishImage).
    const runId = newRunId();
    let storeRecord = () => ensureInputsRecord(options, deps, hash.hash, async () => inputsRecord, false);
    let builder = choose();
    let assembled: { digest: string; manifest: RawManifest } | undefined;
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
          labels: { [LABEL_CONTENT_HASH]: hash.hash, [LABEL_PROJECT]: options.project },
          epoch: options.sourceDateEpoch,
        });
        assembled = { digest: image.digest, manifest: image.manifest };
        deps.log(`hashdock: ${options.project}: assembled through the registry API (${image.layers} new layer${image.layers === 1 ? '' : 's'}, ${image.bytesUploaded} bytes uploaded; no docker)`);
      } catch (error) {
        // Only one platform can fall back: docker makes one platform per image.
        if (!(error instanceof RegistryBuildUnsupportedError) || options.builder === 'registry' || platformList(options.platform).length > 1) throw error;
        builder = { name: 'docker', reason: error.message };
        deps.log(`hashdock: ${options.project}: ${error.message}; building with docker`);
        // Docker copies the checkout's own modes: when they are not git's, the image (and so its hash) differs.
        if ((await hashWith('exact')).hash !== hash.hash) return buildImage(options, deps, error.message);
      }
    }
    if (!assembled && options.builder === 'auto') deps.log(`hashdock: ${options.project}: docker builder (${builder.reason})`);
    if (!assembled) await dockerBuild(options, deps, { dockerfileText, externalBases, buildArgs, hash: hash.hash, cacheFrom: await prepareCacheFrom(options, deps, bases, previousHash), localTags: options.push ? [ref(candidateTag(tags.immutable, runId))] : tags.all.map(ref) });
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
        manifest = buildManifest(options, hash.hash, tags.all, facts, { status: published.adopted ? 'exists' : 'built', digest: published.digest, pushed: true, builder });
      }
    }
    reasons = await reasonsFound;
    clock.mark('publish');
  }
  const manifestFile = await writeManifest(options.manifestDir, manifest);
  return { manifest, manifestFile, hash, seconds: (performance.now() - started) / 1000, phases: clock.phases(), ...(reasons ? { reasons } : {}) };
}

/** The mode rule of the builder that will run; an option the builder refuses fails later, where it always has. */
function modeRuleOf(choose: () => BuilderChoice): ModeRule {
  try {
    return choose().name === 'registry' ? 'git' : 'exact';
  } catch {
    return 'exact';
  }
}

/**
 * Seconds spent per phase of one image: setup (options, paths, Dockerfile),
 * bases (workspace base manifests checked, external bases resolved: the first
 * registry requests), hash, lookup (is the tag there), then for a new image
 * build and publish; `process` is how long the process had run when the image
 * began (a new task process: its start-up).
 */
function phaseClock(started: number) {
  const phases: Record<string, number> = { process: started / 1000 };
  let last = started;
  return {
    mark(name: string) {
      const now = performance.now();
      phases[name] = (now - last) / 1000;
      last = now;
    },
    phases: () => Object.fromEntries(Object.entries(phases).map(([name, seconds]) => [name, Math.round(seconds * 1000) / 1000])),
  };
}

/** docker build of the image under `localTags`, from the Dockerfile with its external bases pinned. */
async function dockerBuild(
  options: ImageBuildOptions,
  deps: BuildImageDeps,
  build: { dockerfileText: string; externalBases: ExternalBase[]; buildArgs: Record<string, string>; hash: string; cacheFrom: string[]; localTags: string[] },
): Promise<void> {
  await withPinnedDockerfile(options, build.dockerfileText, build.externalBases, (dockerfile) =>
    withSecretFiles(options.secrets, process.env, (secretFiles) =>
      deps.docker.build(
        {
          secretFiles,
          dockerfile,
          contextDir: options.contextDir,
          tags: build.localTags,
          buildArgs: build.buildArgs,
          cacheFrom: build.cacheFrom,
          platform: options.platform,
          labels: { [LABEL_CONTENT_HASH]: build.hash, [LABEL_PROJECT]: options.project },
          inlineCache: true,
          noCache: options.noCache,
          progress: 'plain',
        },
        options.env,
        deps.signal,
      ),
    ),
  );
}

/** The canonical inputs plus the bundler's source lines: what travels with the image as `<hash>.inputs`. */
async function inputsRecordOf(options: ImageBuildOptions, hash: ContentHashResult, xx: XxHasher): Promise<string> {
  return hash.canonical + (options.buildMetafile ? await sourceLines(options.workspaceRoot, options.buildMetafile, (bytes) => toHex64(xx.h64Raw(bytes)), options.contextDir) : '');
}

/**
 * The "exists" path stores an inputs record that is missing (a push
 * interrupted after the image but before its record), so "why rebuilt" keeps
 * its history. Best effort, like the store after a build.
 */
async function ensureInputsRecord(options: ImageBuildOptions, deps: BuildImageDeps, contentHash: string, record: () => Promise<string>, announce = true): Promise<void> {
  try {
    // After a fresh build (announce off) the record is written without asking first: storing it again is idempotent.
    if (announce && (await hasTag(deps.registry, options.repository, inputsTag(contentHash), 'push'))) return;
    await storeInputs(deps.registry, options.repository, contentHash, await record());
    if (announce) deps.log(`hashdock: stored the missing inputs record ${options.repository}:${inputsTag(contentHash)}`);
  } catch (error) {
    deps.log(`hashdock: could not store the inputs record of ${options.repository}:${contentHash}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Best effort: a registry without the previous image or its inputs record gives no reasons, not an error. */
async function findReasons(options: ImageBuildOptions, deps: BuildImageDeps, canonical: string, previousHash: string | undefined): Promise<BuildImageResult['reasons']> {
  const previousTag = previousHash ?? (options.tagTemplates.includes('latest') ? 'latest' : undefined);
  if (!previousTag) return undefined;
  try {
    return await rebuildReasons(deps.registry, options.repository, previousTag, canonical, LABEL_CONTENT_HASH);
  } catch (error) {
    deps.log(`hashdock: no rebuild reasons for ${options.project}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

export function summaryLine(result: BuildImageResult): string {
  const { manifest } = result;
  const where = manifest.ref ?? `${manifest.repository}:${manifest.contentHash}`;
  const status = manifest.status === 'planned' ? `planned(${manifest.plan})` : manifest.status;
  return `hashdock ${status.padEnd(15)} ${manifestName(manifest).padEnd(12)} ${manifest.contentHash} ${where} ${result.seconds.toFixed(1)}s`;
}

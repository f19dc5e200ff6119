import { HashdockError } from '../errors';
import { declareGlobalArgs, parseDockerfileFroms } from '../docker/dockerfile-from';
import { initialGlobalArgs } from '../docker/platform-args';
import { processShellWord } from '../docker/shell-word';
import { buildArgOverrides } from './build-arg-overrides';
import { RegistryClient } from '../registry/client';
import { getManifest, isIndex, RawManifest } from '../registry/manifest-io';
import { headManifest, manifestByDigest } from '../registry/manifest-by-digest';
import { parseReference, parseRepository } from '../registry/reference';
import { RegistryMirrors, throughMirror } from '../registry/mirrors';
import { RegistryResponseError } from '../registry/errors';
import { imageNameWithoutRegistry } from './base-images';
import { platformList } from './image-options';

/** An image from outside the workspace that a Dockerfile builds FROM, pinned to a digest. */
export interface ExternalBase {
  /** The build arg it comes through, or `from:<reference>` for a literal FROM. */
  key: string;
  arg?: string;
  /** The reference as the build would use it without pinning, e.g. `node:24-slim`. */
  reference: string;
  line: number;
  /** The platform it was resolved for. */
  platform: string;
  /** The image manifest digest for that platform: what the build uses and the hash covers. */
  digest: string;
  /** The index digest, when the tag names a multi-platform index. */
  index?: string;
  /** `repository@digest`, for FROM. */
  pinned: string;
}

export class BaseImageError extends HashdockError {
  constructor(dockerfile: string, line: number, reference: string, detail: string, options?: { cause?: unknown }) {
    super('BASE_IMAGE', `${dockerfile}:${line}: base image ${reference || '(empty)'}: ${detail}`, options);
  }
}

/** A base (or an image COPY --from reads) its registry does not have: the reference, as read, and the URL that said 404. */
export class BaseNotFoundError extends HashdockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BASE_IMAGE_NOT_FOUND', message, options);
  }
}

export interface PlatformDescriptor {
  digest: string;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export function platformMatches(wanted: string, descriptor: PlatformDescriptor): boolean {
  const [os, architecture, variant] = wanted.split('/');
  const platform = descriptor.platform;
  if (!platform || platform.os !== os || platform.architecture !== architecture) return false;
  // arm64 images usually say v8 or nothing; a wanted variant must otherwise agree.
  return !variant || platform.variant === variant || (architecture === 'arm64' && variant === 'v8' && !platform.variant);
}

/**
 * The platform a `FROM --platform=<flag>` reads for the `target` platform, the flag expanded as BuildKit expands it:
 * with the automatic platform args (`$BUILDPLATFORM` is this machine, `$TARGETPLATFORM` the target, so
 * `${TARGETPLATFORM:-linux/amd64}` is the target) and the build args given. No flag: the target.
 */
export function platformFor(flag: string | undefined, target: string, buildArgs: Record<string, string> = {}): string {
  if (!flag) return target;
  if (!flag.includes('$')) return flag;
  return processShellWord(flag, new Map(Object.entries({ ...buildArgs, ...initialGlobalArgs(buildArgs, target) }))) || target;
}

/** What a base reference names, read once for all its platforms: one image, or an index to pick children from. */
export interface BaseManifest {
  /** Where it was read (the mirror, if any). */
  repository: string;
  digest: string;
  /** An index's children (absent for one image). */
  children?: PlatformDescriptor[];
}

/**
 * Read what one reference names: an image (its digest) or an index (its digest and children), whether a tag
 * names it or a digest pins it (`node:24@sha256:<index>`, as pinned bases usually are), through the
 * registry's mirror when it has one.
 */
export async function readBaseManifest(registry: RegistryClient, reference: string, mirrors: RegistryMirrors = {}, cacheDir?: string): Promise<BaseManifest> {
  // Read through the registry's mirror when it has one: the same manifests, so the same digests; the build then pulls from it too.
  const source = throughMirror(reference, mirrors);
  const parsed = parseReference(source);
  const repository = parsed.name;
  const wanted = parsed.digest ?? parsed.tag ?? 'latest';
  const shown = `${parsed.digest ? `${repository}@${wanted}` : `${repository}:${wanted}`}${source === reference ? '' : ` (the mirror of ${reference})`}`;
  // A bare name (`COPY --from=libs`) may be meant as a named build context, which BuildKit reads before any image of that name.
  const context = /^[a-z0-9][a-z0-9._-]*$/.test(reference)
    ? ` (if "${reference}" is meant as a named build context, docker buildx --build-context ${reference}=<dir>: set it in the image target, "buildContexts": { "${reference}": "<dir>" })`
    : '';
  const missing = (url: string, cause?: unknown) => new BaseNotFoundError(`${shown} is not in its registry (404 at ${url})${context}`, cause ? { cause } : undefined);
  const notFound = (error: unknown): never => {
    if (error instanceof RegistryResponseError && error.status === 404) throw missing(error.url, error);
    throw error;
  };
  const read = (digest: string) => manifestByDigest(registry, repository, digest, cacheDir).catch(notFound);
  let manifest: RawManifest;
  if (parsed.digest) manifest = await read(parsed.digest);
  else {
    // A tag: HEAD first (Docker Hub counts only GETs against its pull limit). An image answers with its
    // digest; an index is then read by its digest, once per checkout (see manifestByDigest).
    const head = await headManifest(registry, repository, wanted);
    if (!head) throw missing(registry.url(parseRepository(repository), `manifests/${wanted}`));
    if (head.digest && head.mediaType && !isIndex(head.mediaType)) return { digest: head.digest, repository };
    // A registry that told neither (or takes no HEAD): the manifest by its tag.
    manifest = head.digest && head.mediaType ? await read(head.digest) : await getManifest(registry, repository, wanted).catch(notFound);
  }
  if (!isIndex(manifest.mediaType)) return { digest: manifest.digest, repository };
  const json = JSON.parse(Buffer.from(manifest.bytes).toString('utf8')) as { manifests?: PlatformDescriptor[] };
  return { digest: manifest.digest, repository, children: json.manifests ?? [] };
}

/** The manifest digest for a platform: the image itself, or the index's child for it (both recorded). */
export function digestForPlatform(base: BaseManifest, platform: string): { digest: string; index?: string; repository: string } {
  const { repository, children } = base;
  if (!children) return { digest: base.digest, repository };
  const child = children.find((descriptor) => platformMatches(platform, descriptor));
  if (!child) {
    const offered = children.map((d) => [d.platform?.os, d.platform?.architecture, d.platform?.variant].filter(Boolean).join('/')).filter(Boolean);
    throw new Error(`the index ${base.digest} has no image for ${platform} (it has ${offered.join(', ') || 'none'})`);
  }
  return { digest: child.digest, index: base.digest, repository };
}

/** Resolve one reference to the manifest digest for a platform (readBaseManifest, then digestForPlatform). */
export async function resolveBaseDigest(registry: RegistryClient, reference: string, platform: string, mirrors: RegistryMirrors = {}, cacheDir?: string): Promise<{ digest: string; index?: string; repository: string }> {
  return digestForPlatform(await readBaseManifest(registry, reference, mirrors, cacheDir), platform);
}

/** A FROM that names an image from outside the workspace, before resolution. */
export interface ExternalFrom {
  key: string;
  arg?: string;
  reference: string;
  line: number;
  /** The `--platform` flag as written. */
  platformFlag?: string;
  /**
   * How to read the reference again with other build args (see referenceWith), when it is built from
   * ARGs in a way `arg` alone does not cover: `FROM node:${NODE_VERSION}-slim`, or `FROM ${BASE}` whose
   * default is built from another ARG.
   */
  expansion?: FromExpansion;
}

/** A FROM's image as written, the global ARG lines before it, and the build args inference gave them. */
export interface FromExpansion {
  image: string;
  argLines: string[];
  buildArgs: Record<string, string>;
  /** The target platform its automatic platform args (`${TARGETARCH}`) are read for; this machine's when absent. */
  platform?: string;
}

/**
 * The reference a FROM names with the build args given and `HASHDOCK_BUILD_ARG_<NAME>` overrides
 * from `env` over them, read as BuildKit reads it (what `hashdock base-digest --expand` resolves at
 * run time, so an overridden `NODE_VERSION` makes the runtime input ask for the image the build uses).
 */
export function referenceWith(expansion: FromExpansion, env: NodeJS.ProcessEnv): string {
  const given = { ...expansion.buildArgs, ...buildArgOverrides(env) };
  const args: Record<string, string | undefined> = initialGlobalArgs(given, expansion.platform);
  for (const line of expansion.argLines) declareGlobalArgs(args, line, given);
  return processShellWord(expansion.image, new Map(Object.entries(args)));
}

/** A FromExpansion as one shell-safe word (base64url of its JSON), and back. */
export function encodeExpansion(expansion: FromExpansion): string {
  return Buffer.from(JSON.stringify(expansion)).toString('base64url');
}

export function decodeExpansion(word: string): FromExpansion {
  return JSON.parse(Buffer.from(word, 'base64url').toString('utf8')) as FromExpansion;
}

/**
 * Every FROM (literal, or through a build arg) that is neither a workspace
 * image, a stage nor `scratch`. Shared by the build (which resolves them) and
 * the Nx inputs (which make their digests a runtime input).
 */
export function externalFroms(
  dockerfile: string,
  dockerfileText: string,
  buildArgs: Record<string, string>,
  workspaceImages: Record<string, string>,
  platform?: string,
  namedContexts: readonly string[] = [],
): ExternalFrom[] {
  // The global ARGs as BuildKit takes them (its automatic platform args, build args given over defaults, each default read with those before it).
  const { froms, args, argLines } = parseDockerfileFroms(dockerfileText, buildArgs, platform);
  const values = { ...buildArgs, ...args };
  // The build args given to global ARGs: what inference read the references with.
  const given = Object.fromEntries(Object.entries(buildArgs).filter(([name]) => name in args));
  // An exact `${ARG}` whose ARG default names no other variable is covered by `arg` alone.
  const plainDefault = (name: string) => !argLines.some((line) => new RegExp(`(^|\\s)${name}=\\S*\\$`).test(line));
  const found: ExternalFrom[] = [];
  for (const from of froms) {
    if (from.unreadable && !from.fromArg) throw new BaseImageError(dockerfile, from.line, from.image, `FROM ${from.image} cannot be read: ${from.unreadable}`);
    const reference = from.fromArg ? (values[from.fromArg] ?? '') : from.resolved;
    if (reference.toLowerCase() === 'scratch') continue;
    if (!reference) throw new BaseImageError(dockerfile, from.line, reference, `FROM ${from.image} names no image${from.fromArg ? ` (the build arg ${from.fromArg} is not set)` : ''}`);
    const unset = from.fromArg ? [] : unsetArgsOf(from.image, reference, values);
    if (unset.length)
      throw new BaseImageError(dockerfile, from.line, reference, `FROM ${from.image} reads the build arg${unset.length > 1 ? 's' : ''} ${unset.join(', ')}, not set: give ${unset.length > 1 ? 'them defaults' : 'it a default'} in the Dockerfile's ARG, or set the image target's "buildArgs"`);
    if (workspaceImages[imageNameWithoutRegistry(reference)]) continue;
    // A named build context is read before any image of that name (a directory: its files are hashed instead).
    if (namedContexts.includes(reference)) continue;
    const key = from.fromArg ?? `from:${reference}`;
    if (found.some((base) => base.key === key)) continue;
    const templated = from.image.includes('$') && !(from.fromArg && plainDefault(from.fromArg));
    found.push({
      key,
      ...(from.fromArg ? { arg: from.fromArg } : {}),
      reference,
      line: from.line,
      ...(from.platform ? { platformFlag: from.platform } : {}),
      ...(templated ? { expansion: { image: from.image, argLines, buildArgs: given, ...(platform ? { platform } : {}) } } : {}),
    });
  }
  return found;
}

/** The build args a FROM reads that are not set, where the image it names without them is no reference at all (`node:` from `node:$NODE_VERSION`). */
function unsetArgsOf(image: string, reference: string, values: Record<string, string | undefined>): string[] {
  try {
    parseReference(reference);
    return [];
  } catch {
    return [...new Set([...image.matchAll(/\$\{?(\w+)/g)].map((match) => match[1]))].filter((name) => !values[name]);
  }
}

/** One reference read for one platform through the run's manifest cache (each reference read once, through its mirror). */
async function readForPlatform(
  reference: string,
  platform: string,
  options: { registry: RegistryClient; mirrors?: RegistryMirrors; cacheDir?: string },
  cache: Map<string, Promise<BaseManifest>>,
): Promise<{ digest: string; index?: string; repository: string }> {
  const cacheKey = throughMirror(reference, options.mirrors ?? {});
  if (!cache.has(cacheKey)) cache.set(cacheKey, readBaseManifest(options.registry, reference, options.mirrors, options.cacheDir));
  return digestForPlatform(await cache.get(cacheKey)!, platform);
}

/** How external images are read for a build: its platforms, the registry, mirrors and the run's caches. */
export interface ImageReadOptions {
  platform: string;
  registry: RegistryClient;
  /** Where external images are read instead of their registry (see throughMirror). */
  mirrors?: RegistryMirrors;
  /** The run's manifests by reference, each read once for all its platforms. */
  cache?: Map<string, Promise<BaseManifest>>;
  /** The checkout's cache directory: manifests read by digest are kept there (see manifestByDigest). */
  cacheDir?: string;
}

/**
 * Every external FROM resolved through the registry to the digest for its
 * platform. `cache` (per run) reads each reference once, for all its platforms.
 */
export async function resolveExternalBases(
  options: ImageReadOptions & {
    dockerfile: string;
    dockerfileText: string;
    buildArgs: Record<string, string>;
    workspaceImages: Record<string, string>;
    /** Names of the named build contexts: what they name is not an image. */
    namedContexts?: readonly string[];
  },
): Promise<ExternalBase[]> {
  const bases: ExternalBase[] = [];
  const cache = options.cache ?? new Map<string, Promise<BaseManifest>>();
  const platforms = platformList(options.platform);
  // (FROMs read for the first platform: an image per platform named by `${TARGETARCH}` is not one base over several.)
  for (const from of externalFroms(options.dockerfile, options.dockerfileText, options.buildArgs, options.workspaceImages, platforms[0], options.namedContexts))
    for (const target of platforms) {
    const { reference } = from;
    // Several platforms: one entry per platform, each hashed; the base must then be an index.
    const key = platforms.length > 1 ? `${from.key}@${target}` : from.key;
    const platform = platformFor(from.platformFlag, target, options.buildArgs);
    let resolved;
    try {
      resolved = await readForPlatform(reference, platform, options, cache);
    } catch (cause) {
      throw new BaseImageError(options.dockerfile, from.line, reference, `could not be resolved to a digest for ${platform}: ${(cause as Error).message.split('\n')[0]}`, { cause });
    }
    if (platforms.length > 1 && !resolved.index)
      throw new BaseImageError(options.dockerfile, from.line, reference, `is one image (${resolved.digest}), not a multi-platform index: it cannot be the base of ${platforms.join(', ')}`);
    bases.push({
      key,
      ...(from.arg ? { arg: from.arg } : {}),
      reference,
      line: from.line,
      platform,
      digest: resolved.digest,
      ...(resolved.index ? { index: resolved.index } : {}),
      pinned: `${resolved.repository}@${platforms.length > 1 ? resolved.index : resolved.digest}`,
    });
  }
  return bases;
}

/**
 * The Dockerfile text with each literal external image naming its pinned
 * digest, wherever it is read: FROM, `COPY --from=` and `RUN --mount=…,from=`
 * (images that come through a build arg are pinned by the arg instead). The
 * user's file is never changed; the build reads this copy.
 */
export function pinLiteralFroms(dockerfile: string, text: string, bases: readonly ExternalBase[]): string {
  const lines = text.split('\n');
  // Where an image is named: the FROM word, COPY's --from flag, a RUN --mount's from= field (never a word of a command).
  const positions = [/(^\s*FROM\s+(?:--\S+\s+)*)([^\s-]\S*)/i, /(^\s*COPY\s+(?:--\S+\s+)*?--from=)([^\s,]+)/i, /(^\s*RUN\s+(?:--\S+\s+)*?--mount=(?:[^\s,]*,)*?from=)([^\s,]+)/i];
  for (const base of bases) {
    if (base.arg) continue;
    const written = base.key.slice('from:'.length);
    const pin = (index: number): boolean => {
      let done = false;
      for (const pattern of positions) {
        const match = pattern.exec(lines[index] ?? '');
        if (!match || (match[2] !== written && (!match[2].includes('$') || index !== base.line - 1))) continue;
        lines[index] = lines[index].replace(pattern, `$1${base.pinned}`);
        done = true;
      }
      return done;
    };
    if (!pin(base.line - 1))
      throw new BaseImageError(dockerfile, base.line, written, 'the line could not be rewritten to its digest; write the image on the FROM (or COPY --from) line itself');
    // The same image read again further down (a FROM and a COPY --from of it): pinned there too.
    for (let index = base.line; index < lines.length; index++) pin(index);
  }
  return lines.join('\n');
}

/** An image named context (`<name>=docker-image://<ref>`) resolved for one platform: what the hash covers and the build is pinned to. */
export interface ImageContext {
  name: string;
  reference: string;
  /** `context:<name>`, or `context:<name>@<platform>` for several platforms: its key among the hash's bases. */
  key: string;
  platform: string;
  digest: string;
  /** The index digest, for several platforms. */
  index?: string;
  /** `repository@digest` (the index's, for several platforms: each build takes its platform's child). */
  pinned: string;
}

/**
 * Each image named context resolved to its digest for every target platform, as a FROM is (through the mirrors, with
 * the run's manifest cache), so the hash covers the image and the build uses exactly it.
 */
export async function resolveImageContexts(options: ImageReadOptions & { images: Record<string, string> }): Promise<ImageContext[]> {
  const cache = options.cache ?? new Map<string, Promise<BaseManifest>>();
  const platforms = platformList(options.platform);
  const resolved: ImageContext[] = [];
  for (const [name, reference] of Object.entries(options.images).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    for (const platform of platforms) {
      const what = `Named build context ${name}=docker-image://${reference}`;
      let found;
      try {
        found = await readForPlatform(reference, platform, options, cache);
      } catch (cause) {
        throw new HashdockError('BASE_IMAGE', `${what}: could not be resolved to a digest for ${platform}: ${(cause as Error).message.split('\n')[0]}`, { cause });
      }
      if (platforms.length > 1 && !found.index)
        throw new HashdockError('BASE_IMAGE', `${what}: is one image (${found.digest}), not a multi-platform index: it cannot be read for ${platforms.join(', ')}`);
      resolved.push({
        name,
        reference,
        key: platforms.length > 1 ? `context:${name}@${platform}` : `context:${name}`,
        platform,
        digest: found.digest,
        ...(platforms.length > 1 ? { index: found.index } : {}),
        pinned: `${found.repository}@${platforms.length > 1 ? found.index : found.digest}`,
      });
    }
  return resolved;
}

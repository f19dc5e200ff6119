import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { closeSync, createReadStream, fstatSync, lstatSync, openSync, promises as fs, readlinkSync, readSync, Stats, statSync } from 'node:fs';
import { ContextEntry, entryLocation, findIgnoreFile, ignorePatternsOf, listContextEntries, readIgnorePatterns } from './context-files';
import { ContextScope, entriesInScope, missingSources } from './context-scope';
import { followListedLinks } from './source-links';
import { DockerignoreSyntaxError } from './dockerignore';
import { InvalidDockerignoreError, MissingCopySourceError } from '../errors';
import { FileHashCache } from './file-hash-cache';
import { gitMode, ModeRule } from './git-mode';
import { createXxHasher, toHex64, XxHasher } from './xxhash';

export interface ContentHashInput {
  contextDir: string;
  dockerfile: string;
  /** Build args that shape the image. Secrets never belong here. */
  buildArgs?: Record<string, string>;
  /** Labels set on the image besides Hashdock's own. */
  labels?: Record<string, string>;
  platform: string;
  /** The Dockerfile stage built (docker build --target). */
  stage?: string;
  /** The Dockerfile as the build reads it (for a stage: the stages it reaches); default: the file's bytes. */
  dockerfileText?: string;
  /** Content hashes of the workspace images this one builds FROM, by build arg or project name. */
  baseImages?: Record<string, string>;
  /** Manifest digests of the external images this one builds FROM (for the target platform), by build arg or FROM reference. */
  externalBases?: Record<string, string>;
  /** The part of the context the Dockerfile can read (default: all of it). */
  scope?: ContextScope;
  /** Named build contexts (`--build-context <name>=<dir>`), each with what the Dockerfile reads of it. */
  namedContexts?: readonly NamedContextInput[];
  /** How modes reach the image: `exact` (docker copies them; default) or `git` (the registry builder). */
  modes?: ModeRule;
  /** Hashes of files read before, by stat (the checkout's file hash cache); the caller saves it. */
  cache?: FileHashCache;
  /** The ignore text the build gets for the context instead of its ignore file's own (pruneContext: see prunedIgnore). */
  ignoreText?: string;
}

/** A named build context: its directory (absolute) and the part of it the Dockerfile reads (see contextScopeOf's `named`). */
export interface NamedContextInput {
  name: string;
  dir: string;
  scope: ContextScope;
}

export interface FileHash {
  /** The named build context the file is in; absent for the build context. */
  context?: string;
  path: string;
  kind: ContextEntry['kind'];
  /** Permission bits with setuid/setgid/sticky (0 for symlinks): Docker copies them all. */
  mode: number;
  hash: string;
  /** The path's exact bytes when it is not valid UTF-8. */
  pathBytes?: Buffer;
}

export interface ContentHashResult {
  /** 16 hex digits: xxhash64 of the canonical description below. */
  hash: string;
  /** The canonical text that was hashed: one line per ingredient. */
  canonical: string;
  files: FileHash[];
  dockerfileHash: string;
  ignoreFile?: string;
  /** Every entry Docker would send, before narrowing to what the Dockerfile reads. */
  context: ContextEntry[];
}

/** Bump when the canonical form changes, so old tags are never reused for a new meaning. */
export const CONTENT_HASH_VERSION = 'hashdock-content-v2';
const STREAM_THRESHOLD = 16 * 1024 * 1024;

/**
 * Reads small files synchronously into one reused buffer: for thousands of small
 * files that beats readFile's four thread-pool hops per file, and allocates nothing.
 */
class FileHasher {
  private buffer = Buffer.allocUnsafe(1024 * 1024);

  constructor(
    private readonly xx: XxHasher,
    private readonly cache?: FileHashCache,
  ) {}

  /** Hash and mode: from the cache when the file's stat still matches, else read. */
  async hash(path: string | Buffer): Promise<{ hash: string; mode: number }> {
    if (!this.cache) return this.read(path);
    const key = typeof path === 'string' ? path : `\u0000${path.toString('base64')}`;
    const statTakenAt = Date.now();
    if (this.cache.has(key)) {
      const stats = statSync(path);
      const cached = this.cache.get(key, stats);
      if (cached) return { hash: cached, mode: stats.mode & 0o7777 };
    }
    // Stamped with the open file's stat: the bytes read are at least as new, so a file written meanwhile is read again next time.
    const read = await this.read(path);
    this.cache.set(key, read.stats, read.hash, statTakenAt);
    return read;
  }

  /** Hash and mode, both from the one open file (and its stat, which the cache keys on). */
  private async read(path: string | Buffer): Promise<{ hash: string; mode: number; stats: Stats }> {
    const fd = openSync(path, 'r');
    try {
      const stats = fstatSync(fd);
      const mode = stats.mode & 0o7777;
      if (stats.size >= STREAM_THRESHOLD) return { hash: await this.stream(path), mode, stats };
      if (stats.size > this.buffer.length) this.buffer = Buffer.allocUnsafe(stats.size);
      let length = 0;
      // Read to EOF: the size from the listing may be stale if the file changed since.
      for (;;) {
        if (length === this.buffer.length) {
          const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
          this.buffer.copy(bigger);
          this.buffer = bigger;
        }
        const n = readSync(fd, this.buffer, length, this.buffer.length - length, null);
        if (n === 0) break;
        length += n;
      }
      return { hash: toHex64(this.xx.h64Raw(this.buffer.subarray(0, length))), mode, stats };
    } finally {
      closeSync(fd);
    }
  }

  private async stream(path: string | Buffer): Promise<string> {
    const state = this.xx.create64();
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) state.update(chunk as Buffer);
    return toHex64(state.digest());
  }
}

/** Hash a list of context entries; output order = input order. */
export async function hashEntries(hasher: XxHasher, contextDir: string, entries: readonly ContextEntry[], modes: ModeRule = 'exact', cache?: FileHashCache): Promise<FileHash[]> {
  await cache?.load();
  const files = new FileHasher(hasher, cache);
  const results: FileHash[] = [];
  for (const entry of entries) {
    const location = entryLocation(contextDir, entry);
    const named = { path: entry.path, kind: entry.kind, ...(entry.pathBytes ? { pathBytes: entry.pathBytes } : {}) };
    if (entry.kind === 'file') {
      const { hash, mode } = await files.hash(location);
      results.push({ ...named, hash, mode });
    }
    else if (entry.kind === 'symlink') results.push({ ...named, mode: 0, hash: toHex64(hasher.h64Raw(readlinkSync(location, { encoding: 'buffer' }))) });
    else results.push({ ...named, mode: lstatSync(location).mode & 0o7777, hash: '0'.repeat(16) });
  }
  if (modes === 'git') for (const file of results) if (file.kind !== 'symlink') file.mode = gitMode(file.kind, file.mode);
  return results;
}

function sortedPairs(record: Record<string, string> | undefined): [string, string][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The canonical description of an image's inputs. Pure: same inputs, same text, on any machine. */
export function canonicalDescription(parts: {
  platform: string;
  stage?: string;
  dockerfileHash: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  baseImages?: Record<string, string>;
  externalBases?: Record<string, string>;
  files: readonly FileHash[];
}): string {
  const lines = [CONTENT_HASH_VERSION, `platform ${parts.platform}`, `dockerfile ${parts.dockerfileHash}`];
  // Only with a stage: every hash made without one keeps its text, and so its tag.
  if (parts.stage) lines.push(`stage ${parts.stage}`);
  // A digest of each value, never the value: the canonical text is pushed as the image's inputs record.
  for (const [name, value] of sortedPairs(parts.buildArgs)) lines.push(`arg ${JSON.stringify(name)} ${valueDigest(value)}`);
  for (const [name, value] of sortedPairs(parts.labels)) lines.push(`label ${JSON.stringify(name)} ${valueDigest(value)}`);
  for (const [name, hash] of sortedPairs(parts.baseImages)) lines.push(`base ${JSON.stringify(name)} ${hash}`);
  for (const [name, digest] of sortedPairs(parts.externalBases)) lines.push(`base ${JSON.stringify(name)} ${digest}`);
  for (const file of parts.files) {
    const line = `${fileKind(file)} ${file.hash} ${JSON.stringify(canonicalPath(file))}`;
    // A named context's files after the build context's, each line naming it: without one, a hash keeps its text.
    lines.push(file.context === undefined ? line : `in ${JSON.stringify(file.context)} ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

/** sha256 of a build-arg value, as the canonical text records it. */
export function valueDigest(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** `f0644`, `d0755`, `l`: kind and full mode in one token. */
function fileKind(file: FileHash): string {
  if (file.kind === 'symlink') return 'l';
  return `${file.kind === 'file' ? 'f' : 'd'}${file.mode.toString(8).padStart(4, '0')}`;
}

/** A name that is not valid UTF-8 is written as its bytes (NUL never occurs in a real path). */
function canonicalPath(file: FileHash): string {
  return file.pathBytes ? `\u0000${file.pathBytes.toString('base64')}` : file.path;
}

/**
 * xxhash64 over exactly what Docker would see: the context files left after
 * `.dockerignore`, the Dockerfile, build args, platform and base image hashes.
 * Paths are context-relative; bytes, kinds and modes as the builder writes
 * them count (not owners or times).
 */
export async function contentHash(input: ContentHashInput, hasher?: XxHasher): Promise<ContentHashResult> {
  const xx = hasher ?? (await createXxHasher());
  const ignoreFile = await findIgnoreFile(input.contextDir, input.dockerfile);
  const { entries, files } = await hashContext(xx, input, input.contextDir, ignoreFile, input.scope, undefined, input.ignoreText);
  // BuildKit reads a named context's own .dockerignore (never the Dockerfile's).
  for (const named of [...(input.namedContexts ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const own = join(named.dir, '.dockerignore');
    const hashed = await hashContext(xx, input, named.dir, statSync(own, { throwIfNoEntry: false }) ? own : undefined, named.scope, named.name);
    for (const file of hashed.files) files.push({ context: named.name, ...file });
  }
  const dockerfileHash = toHex64(xx.h64Raw(input.dockerfileText !== undefined ? Buffer.from(input.dockerfileText) : await fs.readFile(input.dockerfile)));
  // Build args that name base images are represented by the base's content hash or digest instead.
  const buildArgs = Object.fromEntries(
    Object.entries(input.buildArgs ?? {}).filter(([name]) => !(input.baseImages && name in input.baseImages) && !(input.externalBases && name in input.externalBases)),
  );
  const canonical = canonicalDescription({
    platform: input.platform,
    ...(input.stage ? { stage: input.stage } : {}),
    dockerfileHash,
    buildArgs,
    labels: input.labels,
    baseImages: input.baseImages,
    externalBases: input.externalBases,
    files,
  });
  return { hash: toHex64(xx.h64Raw(Buffer.from(canonical))), canonical, files, dockerfileHash, ignoreFile, context: entries };
}

/** One context's entries (after its ignore file) and the hashes of those the scope reaches; a missing source is an error naming it. */
async function hashContext(
  xx: XxHasher,
  input: ContentHashInput,
  dir: string,
  ignoreFile: string | undefined,
  scopeRead: ContextScope | undefined,
  named?: string,
  ignoreText?: string,
): Promise<{ entries: ContextEntry[]; files: FileHash[] }> {
  const patterns = ignoreText === undefined ? await readIgnorePatterns(ignoreFile) : ignorePatternsOf(ignoreText, ignoreFile ?? dir);
  const entries = await listContextEntries(dir, patterns).catch((error: unknown) => {
    if (error instanceof DockerignoreSyntaxError) throw new InvalidDockerignoreError(ignoreFile ?? dir, error.message);
    throw error;
  });
  // A source that is (or goes through) a symlink reads where it leads, as BuildKit's COPY does.
  const scope = scopeRead && followListedLinks(scopeRead, dir, entries);
  const [missing] = missingSources(entries, scope);
  if (missing) {
    const hint = missing.linkedFrom ? `${missing.linkedFrom} is a symbolic link that leads there (docker resolves it inside the context, as here).` : undefined;
    throw new MissingCopySourceError(input.dockerfile, missing.line, missing.path, dir, hint, { mounted: missing.mounted, ...(named !== undefined ? { named } : {}) });
  }
  return { entries, files: await hashEntries(xx, dir, entriesInScope(entries, scope), input.modes, input.cache) };
}

/** Files whose hash differs between two per-file listings (added, removed or changed); a named context's as `<name>:<path>`. */
export function diffFileHashes(before: readonly FileHash[], after: readonly FileHash[]): { path: string; change: 'added' | 'removed' | 'changed' }[] {
  const shown = (file: FileHash) => (file.context === undefined ? file.path : `${file.context}:${file.path}`);
  const key = (file: FileHash) => (file.context === undefined ? file.path : `${file.context}\u0000${file.path}`);
  const old = new Map(before.map((file) => [key(file), file]));
  const changes: { path: string; change: 'added' | 'removed' | 'changed' }[] = [];
  for (const file of after) {
    const previous = old.get(key(file));
    if (!previous) changes.push({ path: shown(file), change: 'added' });
    else if (previous.hash !== file.hash || previous.mode !== file.mode || previous.kind !== file.kind)
      changes.push({ path: shown(file), change: 'changed' });
    old.delete(key(file));
  }
  for (const file of old.values()) changes.push({ path: shown(file), change: 'removed' });
  return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

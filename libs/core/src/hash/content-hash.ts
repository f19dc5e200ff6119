import { closeSync, createReadStream, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { join } from 'node:path';
import { ContextEntry, findIgnoreFile, listContextEntries, readIgnorePatterns } from './context-files';
import { createXxHasher, toHex64, XxHasher } from './xxhash';

export interface ContentHashInput {
  contextDir: string;
  dockerfile: string;
  /** Build args that shape the image. Secrets never belong here. */
  buildArgs?: Record<string, string>;
  platform: string;
  /** Content hashes of the workspace images this one builds FROM, by build arg or project name. */
  baseImages?: Record<string, string>;
}

export interface FileHash {
  path: string;
  kind: ContextEntry['kind'];
  executable: boolean;
  hash: string;
}

export interface ContentHashResult {
  /** 16 hex digits: xxhash64 of the canonical description below. */
  hash: string;
  /** The canonical text that was hashed: one line per ingredient. */
  canonical: string;
  files: FileHash[];
  dockerfileHash: string;
  ignoreFile?: string;
}

/** Bump when the canonical form changes, so old tags are never reused for a new meaning. */
export const CONTENT_HASH_VERSION = 'hashdock-content-v1';
const STREAM_THRESHOLD = 16 * 1024 * 1024;

/**
 * Reads small files synchronously into one reused buffer: for thousands of small
 * files that beats readFile's four thread-pool hops per file, and allocates nothing.
 */
class FileHasher {
  private buffer = Buffer.allocUnsafe(1024 * 1024);

  constructor(private readonly xx: XxHasher) {}

  /** Hash and executable bit, both from the one open file. */
  async hash(path: string): Promise<{ hash: string; executable: boolean }> {
    const fd = openSync(path, 'r');
    try {
      const stats = fstatSync(fd);
      const executable = (stats.mode & 0o111) !== 0;
      if (stats.size >= STREAM_THRESHOLD) return { hash: await this.stream(path), executable };
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
      return { hash: toHex64(this.xx.h64Raw(this.buffer.subarray(0, length))), executable };
    } finally {
      closeSync(fd);
    }
  }

  private async stream(path: string): Promise<string> {
    const state = this.xx.create64();
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) state.update(chunk as Buffer);
    return toHex64(state.digest());
  }
}

/** Hash a list of context entries; output order = input order. */
export async function hashEntries(hasher: XxHasher, contextDir: string, entries: readonly ContextEntry[]): Promise<FileHash[]> {
  const files = new FileHasher(hasher);
  const results: FileHash[] = [];
  for (const entry of entries) {
    const absolute = join(contextDir, entry.path);
    if (entry.kind === 'file') results.push({ path: entry.path, kind: entry.kind, ...(await files.hash(absolute)) });
    else if (entry.kind === 'symlink')
      results.push({ path: entry.path, kind: entry.kind, executable: false, hash: toHex64(hasher.h64Raw(Buffer.from(await fs.readlink(absolute)))) });
    else results.push({ path: entry.path, kind: entry.kind, executable: false, hash: '0'.repeat(16) });
  }
  return results;
}

function sortedPairs(record: Record<string, string> | undefined): [string, string][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The canonical description of an image's inputs. Pure: same inputs, same text, on any machine. */
export function canonicalDescription(parts: {
  platform: string;
  dockerfileHash: string;
  buildArgs?: Record<string, string>;
  baseImages?: Record<string, string>;
  files: readonly FileHash[];
}): string {
  const lines = [CONTENT_HASH_VERSION, `platform ${parts.platform}`, `dockerfile ${parts.dockerfileHash}`];
  for (const [name, value] of sortedPairs(parts.buildArgs)) lines.push(`arg ${JSON.stringify(name)} ${JSON.stringify(value)}`);
  for (const [name, hash] of sortedPairs(parts.baseImages)) lines.push(`base ${JSON.stringify(name)} ${hash}`);
  for (const file of parts.files) {
    const mode = file.kind === 'file' ? (file.executable ? 'x' : '-') : file.kind === 'symlink' ? 'l' : 'd';
    lines.push(`${mode} ${file.hash} ${JSON.stringify(file.path)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * xxhash64 over exactly what Docker would see: the context files left after
 * `.dockerignore`, the Dockerfile, build args, platform and base image hashes.
 * Paths are context-relative; only bytes and the executable bit count.
 */
export async function contentHash(input: ContentHashInput, hasher?: XxHasher): Promise<ContentHashResult> {
  const xx = hasher ?? (await createXxHasher());
  const ignoreFile = await findIgnoreFile(input.contextDir, input.dockerfile);
  const patterns = await readIgnorePatterns(ignoreFile);
  const entries = await listContextEntries(input.contextDir, patterns);
  const files = await hashEntries(xx, input.contextDir, entries);
  const dockerfileHash = toHex64(xx.h64Raw(await fs.readFile(input.dockerfile)));
  // Build args that name workspace images are represented by the base image's content hash instead.
  const buildArgs = Object.fromEntries(
    Object.entries(input.buildArgs ?? {}).filter(([name]) => !(input.baseImages && name in input.baseImages)),
  );
  const canonical = canonicalDescription({
    platform: input.platform,
    dockerfileHash,
    buildArgs,
    baseImages: input.baseImages,
    files,
  });
  return { hash: toHex64(xx.h64Raw(Buffer.from(canonical))), canonical, files, dockerfileHash, ignoreFile };
}

/** Files whose hash differs between two per-file listings (added, removed or changed). */
export function diffFileHashes(before: readonly FileHash[], after: readonly FileHash[]): { path: string; change: 'added' | 'removed' | 'changed' }[] {
  const old = new Map(before.map((file) => [file.path, file]));
  const changes: { path: string; change: 'added' | 'removed' | 'changed' }[] = [];
  for (const file of after) {
    const previous = old.get(file.path);
    if (!previous) changes.push({ path: file.path, change: 'added' });
    else if (previous.hash !== file.hash || previous.executable !== file.executable || previous.kind !== file.kind)
      changes.push({ path: file.path, change: 'changed' });
    old.delete(file.path);
  }
  for (const path of old.keys()) changes.push({ path, change: 'removed' });
  return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

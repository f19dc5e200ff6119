import { promises as fs, Stats } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/write-file-atomic';
import { cacheDirFor } from './cache-dir';

/** Bump when the stored form or the hash function changes. */
const FORMAT = 'hashdock-file-hashes-v2';
/** A file changed within this long before it was looked at may change again inside one timestamp tick. */
const RACY_MS = 2000;
/** Past this many entries, a save keeps only the ones used by this process. */
const MAX_ENTRIES = 250_000;

/** What identifies a file's content without reading it, as git's index does, and the hash it had. */
type Entry = [size: number, mtimeMs: number, ctimeMs: number, ino: number, dev: number, hash: string];

interface Stored {
  format: string;
  /** `[absolute path, ...Entry]` each: arrays parse and compare faster than keyed objects. */
  files: [string, ...Entry][];
}

function matches(entry: Entry, stats: Stats): boolean {
  return entry[0] === stats.size && entry[1] === stats.mtimeMs && entry[2] === stats.ctimeMs && entry[3] === stats.ino && entry[4] === stats.dev;
}

/**
 * The file hash cache of a checkout: for each file hashed before, its hash and
 * the stat fields that would change with its bytes (size, mtime, ctime, inode,
 * device). A file whose stat matches is not read again. A file modified less
 * than two seconds before it was looked at is never cached (a later write in
 * the same timestamp tick would keep its mtime: git's "racy clean" case).
 * Lives in `node_modules/.cache/hashdock/` of the workspace (already ignored
 * by git and by any sane `.dockerignore`), or under the temp dir when the
 * workspace has no node_modules. Losing it costs time, never correctness.
 */
export class FileHashCache {
  private readonly files = new Map<string, Entry>();
  private readonly used = new Set<string>();
  private loaded?: Promise<void>;
  private dirty = false;
  /** Lookups answered from the cache and files that had to be read, in this process. */
  readonly counts = { hits: 0, misses: 0 };

  constructor(
    readonly file: string,
    private readonly racyMs = RACY_MS,
  ) {}

  /** The cache file of the checkout at `workspaceRoot`. */
  static forWorkspace(workspaceRoot: string): FileHashCache {
    return new FileHashCache(join(cacheDirFor(workspaceRoot, 'file-hashes'), 'file-hashes.json'));
  }

  /** Read the stored entries once; a missing, unreadable or foreign file is an empty cache. */
  load(): Promise<void> {
    this.loaded ??= fs
      .readFile(this.file, 'utf8')
      .then((text) => {
        const stored = JSON.parse(text) as Stored;
        if (stored.format !== FORMAT || !Array.isArray(stored.files)) return;
        for (const row of stored.files) if (Array.isArray(row) && row.length === 7) this.files.set(row[0], row.slice(1) as Entry);
      })
      .catch(() => undefined);
    return this.loaded;
  }

  /** Whether `path` was hashed before (its stat decides whether that hash still holds); a file never seen counts as a miss. */
  has(path: string): boolean {
    if (this.files.has(path)) return true;
    this.counts.misses += 1;
    return false;
  }

  /** The cached hash of the file at `path` when `stats` still match what was hashed. Call `load` first. */
  get(path: string, stats: Stats): string | undefined {
    const entry = this.files.get(path);
    if (!entry || !matches(entry, stats)) {
      this.counts.misses += 1;
      return undefined;
    }
    this.counts.hits += 1;
    this.used.add(path);
    return entry[5];
  }

  /** Remember a hash made from the bytes read after `stats` were taken; `lookedAt` is when (ms since the epoch) the look began. */
  set(path: string, stats: Stats, hash: string, lookedAt: number): void {
    this.used.add(path);
    if (stats.mtimeMs > lookedAt - this.racyMs) {
      if (this.files.delete(path)) this.dirty = true;
      return;
    }
    const entry: Entry = [stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino, stats.dev, hash];
    const old = this.files.get(path);
    if (old && old[5] === hash && matches(old, stats)) return;
    this.files.set(path, entry);
    this.dirty = true;
  }

  /**
   * Write the entries when anything changed: to a temporary file renamed over
   * the old one, so a reader sees the old cache or the new one, never half.
   */
  async save(): Promise<void> {
    if (!this.dirty) return;
    const keep = this.files.size > MAX_ENTRIES ? (path: string) => this.used.has(path) : () => true;
    const files: Stored['files'] = [];
    for (const [path, entry] of this.files) if (keep(path)) files.push([path, ...entry]);
    await writeFileAtomic(this.file, JSON.stringify({ format: FORMAT, files } satisfies Stored));
    this.dirty = false;
  }
}

/** A cache that cannot be written costs the next run time, never this one its result. */
export async function saveFileHashes(cache: FileHashCache, log: (line: string) => void): Promise<void> {
  try {
    await cache.save();
  } catch (error) {
    log(`hashdock: could not save the file hash cache ${cache.file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

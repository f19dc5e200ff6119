import { Readable } from 'node:stream';

/** A stored entry: its size (for Content-Length) and its bytes as a stream. */
export interface CacheEntry {
  size: number;
  stream: Readable;
}

/** Where cache entries live. Entries are immutable: a second put of a key is refused. Nothing is held in memory whole. */
export interface CacheStorage {
  /** The entry, or undefined when absent. */
  get(hash: string): Promise<CacheEntry | undefined>;
  /**
   * Store a new entry streamed from `body`; 'exists' (and nothing kept) when the
   * key is taken. Throws EntryTooLargeError past `limit` bytes.
   */
  put(hash: string, body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, limit: number): Promise<'created' | 'exists'>;
}

/** Where cache entries live. Entries are immutable: a second put of a key is refused. */
export interface CacheStorage {
  /** The entry's bytes, or undefined when absent. */
  get(hash: string): Promise<Uint8Array | undefined>;
  /** Store a new entry; 'exists' (and nothing written) when the key is taken. */
  put(hash: string, body: Uint8Array<ArrayBuffer>): Promise<'created' | 'exists'>;
}

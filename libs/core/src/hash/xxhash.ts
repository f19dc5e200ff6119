import xxhash from 'xxhash-wasm';

export type XxHasher = Awaited<ReturnType<typeof xxhash>>;

/**
 * Instantiate the wasm hasher. Callers keep the instance they get (no module
 * cache), so there is no hidden shared state.
 */
export function createXxHasher(): Promise<XxHasher> {
  return xxhash();
}

export function toHex64(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

import { fetchArtifact, hasTag, pushArtifact, RegistryClient } from '../../../core/src/index';
import { CacheStorage } from './cache-storage';

export const NX_CACHE_ARTIFACT_TYPE = 'application/vnd.hashdock.nx-cache-entry.v1.tar';

/**
 * The team's existing OCI registry as the store: one artifact per entry,
 * tagged by the Nx hash, in one repository. The server keeps no state, so any
 * number of instances can serve the same registry.
 */
export class RegistryStorage implements CacheStorage {
  constructor(private readonly client: RegistryClient, private readonly repository: string) {}

  /** Nx hashes are decimal strings of up to ~20 digits: valid tags as they are. */
  private tag(hash: string): string {
    return `nx-${hash}`;
  }

  get(hash: string): Promise<Uint8Array | undefined> {
    return fetchArtifact(this.client, this.repository, this.tag(hash));
  }

  async put(hash: string, body: Uint8Array<ArrayBuffer>): Promise<'created' | 'exists'> {
    if (await hasTag(this.client, this.repository, this.tag(hash))) return 'exists';
    await pushArtifact(this.client, this.repository, this.tag(hash), NX_CACHE_ARTIFACT_TYPE, body);
    return 'created';
  }
}

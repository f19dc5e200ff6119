import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileSource, hasTag, openArtifact, pushArtifactBlob, RegistryClient } from '../../../core/src/index';
import { CacheEntry, CacheStorage } from './cache-storage';
import { stageToFile } from './stage-file';

export const NX_CACHE_ARTIFACT_TYPE = 'application/vnd.hashdock.nx-cache-entry.v1.tar';

/**
 * The team's existing OCI registry as the store: one artifact per entry,
 * tagged by the Nx hash, in one repository. The server keeps no state, so any
 * number of instances can serve the same registry. An entry is staged in a
 * temp file (its digest is needed before the upload ends) and uploaded from
 * there, in resumable chunks when large; reads stream from the registry.
 */
export class RegistryStorage implements CacheStorage {
  constructor(private readonly client: RegistryClient, private readonly repository: string) {}

  /** Nx hashes are decimal strings of up to ~20 digits: valid tags as they are. */
  private tag(hash: string): string {
    return `nx-${hash}`;
  }

  async get(hash: string): Promise<CacheEntry | undefined> {
    const opened = await openArtifact(this.client, this.repository, this.tag(hash));
    return opened && { size: opened.size, stream: Readable.fromWeb(opened.stream as import('node:stream/web').ReadableStream<Uint8Array>) };
  }

  async put(hash: string, body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, limit: number): Promise<'created' | 'exists'> {
    if (await hasTag(this.client, this.repository, this.tag(hash))) {
      if ('resume' in body) body.resume();
      return 'exists';
    }
    const dir = await mkdtemp(join(tmpdir(), 'hashdock-cache-entry-'));
    try {
      const path = join(dir, 'entry');
      const { size, digest } = await stageToFile(body, path, limit);
      await pushArtifactBlob(this.client, this.repository, this.tag(hash), NX_CACHE_ARTIFACT_TYPE, { digest, size, source: fileSource(path) });
      return 'created';
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

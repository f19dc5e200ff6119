import { createReadStream } from 'node:fs';
import { link, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CacheEntry, CacheStorage } from './cache-storage';
import { stageToFile } from './stage-file';

/**
 * One machine's cache: a file per entry. The entry is streamed to a temp file
 * and hard-linked into place, so a reader never sees half an entry and two
 * writers of one key cannot both win (link refuses an existing name).
 */
export class DirectoryStorage implements CacheStorage {
  constructor(private readonly directory: string) {}

  async get(hash: string): Promise<CacheEntry | undefined> {
    const path = join(this.directory, hash);
    try {
      const { size } = await stat(path);
      return { size, stream: createReadStream(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(hash: string, body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, limit: number): Promise<'created' | 'exists'> {
    await mkdir(join(this.directory, '.incoming'), { recursive: true });
    const temp = join(this.directory, '.incoming', randomUUID());
    try {
      await stageToFile(body, temp, limit);
      await link(temp, join(this.directory, hash));
      return 'created';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
  }
}

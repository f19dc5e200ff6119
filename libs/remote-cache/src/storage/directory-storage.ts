import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CacheStorage } from './cache-storage';

/**
 * One machine's cache: a file per entry. The entry is written to a temp file
 * and hard-linked into place, so a reader never sees half an entry and two
 * writers of one key cannot both win (link refuses an existing name).
 */
export class DirectoryStorage implements CacheStorage {
  constructor(private readonly directory: string) {}

  async get(hash: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.directory, hash));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(hash: string, body: Uint8Array<ArrayBuffer>): Promise<'created' | 'exists'> {
    await mkdir(join(this.directory, '.incoming'), { recursive: true });
    const temp = join(this.directory, '.incoming', randomUUID());
    try {
      await writeFile(temp, body);
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

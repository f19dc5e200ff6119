import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The body went over the size limit; nothing was kept. */
export class EntryTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`cache entry larger than ${limit} bytes`);
  }
}

/**
 * Stream a request body to `path`, counting and hashing it on the way:
 * bounded memory whatever the entry's size. Over `limit` bytes, the file is
 * removed and EntryTooLargeError thrown.
 */
export async function stageToFile(body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream, path: string, limit: number): Promise<{ size: number; digest: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) return done(new EntryTooLargeError(limit));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, meter, createWriteStream(path, { flags: 'wx' }));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return { size, digest: `sha256:${hash.digest('hex')}` };
}

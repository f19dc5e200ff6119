import { FileHandle, open, stat } from 'node:fs/promises';

/**
 * A blob's bytes: in memory, or a function that opens them from an offset.
 * A function makes every request replayable (a retry, a 401 that forces
 * re-authentication) and an interrupted upload resumable, without holding the
 * blob in memory.
 */
export type BlobSource = Uint8Array<ArrayBuffer> | ((offset: number) => Promise<ReadableStream<Uint8Array>>);

const FILE_READ_BYTES = 256 * 1024;

/**
 * A file on disk as a blob source, read from any offset. Pull-based: a block is
 * read only when the consumer asks for one, so a fast disk never queues the
 * file in memory ahead of a slower upload (as a Node stream bridged with
 * Readable.toWeb does: 400 MiB of RSS for a 300 MiB upload here).
 */
export function fileSource(path: string): BlobSource {
  return async (offset) => {
    // A missing file fails here, as before any request; the file is opened at the first read, not before: a
    // request that fails before sending its body (a refused connection, a 401 to answer first) drops the stream
    // unread, and an open handle would then wait for the garbage collector (Node warns; a later version throws).
    await stat(path);
    let file: FileHandle | undefined;
    let position = offset;
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await file?.close();
    };
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            if (!file) {
              const opened = await open(path, 'r');
              // Cancelled while the file was opening: nothing will close it later, so close it now.
              if (closed) return await opened.close();
              file = opened;
            }
            const buffer = new Uint8Array(FILE_READ_BYTES);
            const { bytesRead } = await file.read(buffer, 0, buffer.byteLength, position);
            if (bytesRead === 0) {
              await close();
              controller.close();
              return;
            }
            position += bytesRead;
            controller.enqueue(buffer.subarray(0, bytesRead));
          } catch (error) {
            await close().catch(() => undefined);
            throw error;
          }
        },
        cancel: close,
      },
      { highWaterMark: 0 },
    );
  };
}

/**
 * Exactly `length` bytes of the source from `offset`, as a stream; the rest of
 * the underlying stream is cancelled once they are read. Fails when the source
 * ends early, so a short read is never sent as a whole chunk.
 */
export async function openRange(source: BlobSource, offset: number, length: number): Promise<ReadableStream<Uint8Array>> {
  if (source instanceof Uint8Array) return new Blob([source.subarray(offset, offset + length)]).stream();
  const reader = (await source(offset)).getReader();
  let left = length;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (left === 0) {
        controller.close();
        await reader.cancel().catch(() => undefined);
        return;
      }
      const { done, value } = await reader.read();
      if (done) {
        controller.error(new Error(`blob source ended ${left} bytes short of ${offset + length}`));
        return;
      }
      const part = value.byteLength > left ? value.subarray(0, left) : value;
      left -= part.byteLength;
      controller.enqueue(part);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** The stream without its first `count` bytes (a source that ignored a Range request). */
export function skipBytes(stream: ReadableStream<Uint8Array>, count: number): ReadableStream<Uint8Array> {
  let left = count;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (left >= chunk.byteLength) {
          left -= chunk.byteLength;
          return;
        }
        controller.enqueue(left > 0 ? chunk.subarray(left) : chunk);
        left = 0;
      },
    }),
  );
}

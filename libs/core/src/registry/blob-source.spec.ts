import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFilesUnder } from '../../../../e2e/support/open-files';
import { fileSource, openRange, skipBytes } from './blob-source';
import { rangeEnd } from './chunked-upload';

const text = async (stream: ReadableStream<Uint8Array>) => Buffer.from(await new Response(stream).arrayBuffer()).toString();

describe('blob sources', () => {
  it('a file source holds no open file until read, and none after a read fails, ends or is cancelled', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'blob-source-'));
    const openFiles = () => openFilesUnder(dir);
    try {
      await writeFile(join(dir, 'b'), '0123456789');
      const before = await openFiles();
      expect(before).toBe(0);
      // Streams a failed request drops unread: no file opened for them.
      const dropped = await Promise.all(Array.from({ length: 20 }, () => (fileSource(join(dir, 'b')) as (offset: number) => Promise<ReadableStream<Uint8Array>>)(0)));
      expect(await openFiles()).toBe(before);
      expect(await text(dropped[0])).toBe('0123456789');
      // Cancelled while its first read is opening the file (fetch giving up on a body it just started): the file
      // opened a moment later is closed, not left to the garbage collector.
      const opening = (await (fileSource(join(dir, 'b')) as (offset: number) => Promise<ReadableStream<Uint8Array>>)(0)).getReader();
      const read = opening.read();
      await opening.cancel();
      await read;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await openFiles()).toBe(before);
      // A missing file fails when the stream is asked for, before any request; one gone by the first read fails that read, leaving nothing open.
      const source = fileSource(join(dir, 'c')) as (offset: number) => Promise<ReadableStream<Uint8Array>>;
      await expect(source(0)).rejects.toThrow(/ENOENT/);
      await writeFile(join(dir, 'c'), 'x');
      const gone = await source(0);
      await rm(join(dir, 'c'));
      await expect(text(gone)).rejects.toThrow(/ENOENT/);
      expect(await openFiles()).toBe(before);
      // A range read to its last byte lets go of the file then, without waiting for a read past the end (fetch
      // sending a body of known length stops at its last byte).
      await writeFile(join(dir, 'big'), Buffer.alloc(1024 * 1024, 1));
      const range = (await openRange(fileSource(join(dir, 'big')), 0, 512 * 1024)).getReader();
      let got = 0;
      while (got < 512 * 1024) got += (await range.read()).value?.byteLength ?? 0;
      expect(await openFiles()).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('opens exactly the asked range of bytes in memory and of a file, from any offset', async () => {
    const bytes = new Uint8Array(Buffer.from('0123456789'));
    expect(await text(await openRange(bytes, 3, 4))).toBe('3456');
    const dir = await mkdtemp(join(tmpdir(), 'blob-source-'));
    try {
      await writeFile(join(dir, 'b'), '0123456789');
      expect(await text(await openRange(fileSource(join(dir, 'b')), 7, 3))).toBe('789');
      expect(await text(await openRange(fileSource(join(dir, 'b')), 0, 2))).toBe('01');
      // A source shorter than the range fails instead of sending a short chunk.
      await expect(text(await openRange(fileSource(join(dir, 'b')), 8, 5))).rejects.toThrow('ended 3 bytes short of 13');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('drops the first bytes of a source that ignored a Range request, across chunk boundaries', async () => {
    const chunks = ['01', '234', '56789'].map((part) => new Uint8Array(Buffer.from(part)));
    const stream = () => new ReadableStream<Uint8Array>({ start: (c) => { chunks.forEach((chunk) => c.enqueue(chunk)); c.close(); } });
    expect(await text(skipBytes(stream(), 3))).toBe('3456789');
    expect(await text(skipBytes(stream(), 5))).toBe('56789');
    expect(await text(skipBytes(stream(), 0))).toBe('0123456789');
  });

  it('reads the registry upload Range header both ways registries write it', () => {
    expect(rangeEnd('0-1023')).toBe(1024);
    expect(rangeEnd('bytes=0-99')).toBe(100);
    expect(rangeEnd(null)).toBeUndefined();
    expect(rangeEnd('5-10')).toBeUndefined();
  });
});

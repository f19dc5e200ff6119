import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileSource, RegistryClient, runCommand, uploadBlob } from '@hashdock/core';
import { Row } from './support';

const MiB = 1024 * 1024;
const SIZE = 300 * MiB;

/**
 * In a child process (so its peak RSS is its own): upload the file to the
 * local registry one way, print `{ seconds, maxRssMiB }`.
 *  - chunked: uploadBlob from a file source (default 8 MiB chunks, nothing held whole)
 *  - streamed: one PUT streaming the file (what fetch buffers ahead of the socket)
 *  - buffered: the whole blob read into memory, one PUT (how artifacts and the
 *    remote cache stored entries before)
 */
export async function uploadChild(mode: string, path: string, digest: string, repository: string): Promise<void> {
  const client = new RegistryClient();
  const start = performance.now();
  if (mode === 'chunked') await uploadBlob(client, repository, digest, fileSource(path), SIZE);
  else if (mode === 'streamed') await uploadBlob(new RegistryClient({ upload: { chunkedAbove: Number.MAX_SAFE_INTEGER } }), repository, digest, fileSource(path), SIZE);
  else {
    const bytes = new Uint8Array(await readFile(path));
    await uploadBlob(new RegistryClient({ upload: { chunkedAbove: Number.MAX_SAFE_INTEGER } }), repository, digest, bytes, SIZE);
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

/** Peak memory of a process uploading a 300 MiB blob: chunked from the file vs read whole first. */
export async function benchUploadMemory(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hashdock-bench-upload-'));
  try {
    const path = join(dir, 'blob.bin');
    const block = randomBytes(MiB);
    const hash = createHash('sha256');
    const file = await open(path, 'w');
    for (let i = 0; i < SIZE / MiB; i++) {
      block.writeUInt32BE(i, 0);
      hash.update(block);
      await file.write(block);
    }
    await file.close();
    const digest = `sha256:${hash.digest('hex')}`;
    const self = fileURLToPath(import.meta.url);
    const measure = async (mode: string, round: number) => {
      // A fresh repository each time: the registry must take the bytes again.
      const repository = `localhost:5000/bench-upload-${Date.now().toString(36)}-${round}/${mode}`;
      const { stdout } = await runCommand(process.execPath, [self, 'upload-child', mode, path, digest, repository]);
      return JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number; maxRssMiB: number };
    };
    const modes = ['chunked', 'streamed', 'buffered'] as const;
    const runs = Object.fromEntries(modes.map((mode) => [mode, [] as { seconds: number; maxRssMiB: number }[]]));
    // Interleaved rounds, medians.
    for (let round = 0; round < 3; round++) for (const mode of modes) runs[mode].push(await measure(mode, round));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const rss = (mode: string) => median(runs[mode].map((r) => r.maxRssMiB));
    const time = (mode: string) => median(runs[mode].map((r) => r.seconds));
    return [
      { benchmark: 'upload a 300 MiB blob: peak RSS of the uploading process', subject: 'chunked', baseline: 'buffered', subjectSeconds: rss('chunked'), baselineSeconds: rss('buffered'), goal: '< 150 MiB', met: rss('chunked') < 150, unit: 'MiB' },
      { benchmark: 'same, vs one streamed PUT', subject: 'chunked', baseline: 'streamed', subjectSeconds: rss('chunked'), baselineSeconds: rss('streamed'), goal: 'report', met: true, unit: 'MiB' },
      { benchmark: 'upload a 300 MiB blob: wall time', subject: 'chunked', baseline: 'buffered', subjectSeconds: time('chunked'), baselineSeconds: time('buffered'), goal: 'report', met: true },
      { benchmark: 'same, vs one streamed PUT', subject: 'chunked', baseline: 'streamed', subjectSeconds: time('chunked'), baselineSeconds: time('streamed'), goal: 'report', met: true },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

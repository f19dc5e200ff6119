import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Write `content` to `path` through a temporary file renamed over it, so a reader sees the old file or the new one,
 * never half of one. The temporary name is unique within the process too: two writers of one path in one run (a
 * batch) must not share it. A failed write leaves no temporary file behind.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, content);
    await fs.rename(temporary, path);
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

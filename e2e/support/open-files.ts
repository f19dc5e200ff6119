import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * How many files under `dir` this process holds open (Linux: /proc/self/fd). Only that directory counts: other
 * tests in the same worker open and close files meanwhile.
 */
export async function openFilesUnder(dir: string): Promise<number> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(join('/proc/self/fd', fd)).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${dir}/`)).length;
}

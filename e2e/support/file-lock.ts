import { open, readFile, rm } from 'node:fs/promises';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Run `work` while holding a lock file (its holder's pid inside), for what two test files running at once must not
 * both do: publishing the same version to the local npm registry. A lock whose holder has died is taken over.
 */
export async function withFileLock<T>(path: string, what: string, work: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(String(process.pid));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(path, 'utf8').catch(() => ''));
      // An empty file is a holder between open and write: wait for it like any other.
      if (holder > 0 && !alive(holder)) {
        await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${what}: ${path} still held by process ${holder || '(unknown)'} after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

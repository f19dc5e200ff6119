import { runCommand } from '@hashdock/core';

/** Run an image, GET a path on its port until it answers, remove the container; returns status and JSON body. */
export async function requestFromImage(reference: string, port: number, path: string): Promise<{ status: number; body: unknown }> {
  const { stdout } = await runCommand('/usr/bin/docker', ['run', '-d', '-p', `127.0.0.1::${port}`, reference], { timeoutMs: 120_000 });
  const id = stdout.trim();
  try {
    const mapped = (await runCommand('/usr/bin/docker', ['port', id, String(port)])).stdout.trim().split('\n')[0];
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const response = await fetch(`http://${mapped}${path}`, { signal: AbortSignal.timeout(2000) });
        return { status: response.status, body: await response.json() };
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`${reference} did not answer ${path} on ${mapped}: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    await runCommand('/usr/bin/docker', ['rm', '-f', id]).catch(() => undefined);
  }
}

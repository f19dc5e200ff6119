import { runCommand } from '@hashdock/core';
import { readdir, readFile } from 'node:fs/promises';

/** Pids whose command line contains `text` (Linux /proc). */
export async function processesWith(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(Number(pid));
  }
  return found;
}

/** Resolves once `predicate` holds, polling every 100 ms; throws with `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, predicate: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/** `pid ppid elapsed command` of `root` and every process below it (Linux ps), for a hang's diagnosis. */
export async function processTree(root: number): Promise<string> {
  const { stdout } = await runCommand('ps', ['-eo', 'pid=,ppid=,etimes=,args=']).catch(() => ({ stdout: '' }));
  const rows = stdout.split('\n').map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line)).filter((row): row is RegExpExecArray => row !== null);
  const below = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [, pid, ppid] of rows) if (below.has(Number(ppid)) && !below.has(Number(pid))) grew = below.add(Number(pid)) !== undefined;
  }
  return rows
    .filter(([, pid]) => below.has(Number(pid)))
    .map(([, pid, ppid, seconds, args]) => `${pid} (parent ${ppid}, ${seconds} s) ${args.slice(0, 300)}`)
    .join('\n');
}

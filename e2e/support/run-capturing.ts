import { CommandError, runCommand } from '@hashdock/core';
import { relative } from 'node:path';
import { expect } from 'vitest';
import { processTree } from './processes';

export interface CommandRun {
  exitCode: number;
  output: string;
}

/** Longest a single command of an e2e workspace may take: a hang fails with its diagnosis instead of the whole test timing out. */
export const COMMAND_TIMEOUT_MS = 240_000;

/**
 * Run a command; never throws on a non-zero exit, returns it with the combined
 * output. One that runs past `timeoutMs` is stopped with its process tree, and
 * the output says what was still running (exit code -1).
 */
export async function runCapturing(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<CommandRun> {
  const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  const controller = new AbortController();
  let hung = '';
  let pid: number | undefined;
  const timer = setTimeout(async () => {
    hung = pid === undefined ? '(no process)' : await processTree(pid);
    controller.abort();
  }, timeoutMs);
  const note = () => (hung ? `\n[e2e] ${command} ${args.join(' ')}: still running after ${timeoutMs / 1000} s, stopped. Processes at that moment:\n${hung}\n` : '');
  try {
    const [program, argv] = timed(command, args);
    const { stdout, stderr } = await runCommand(program, argv, { cwd: options.cwd, env: options.env, signal: controller.signal, onSpawn: (child) => (pid = child) });
    return { exitCode: 0, output: `${stdout}\n${stderr}` };
  } catch (error) {
    if (error instanceof CommandError) {
      const cause = error.cause as { stdout?: string; stderr?: string };
      return { exitCode: error.exitCode ?? -1, output: `${cause?.stdout ?? ''}\n${cause?.stderr ?? ''}${note()}` };
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * With HASHDOCK_E2E_TIMING=<file>, every command runs under GNU time (Debian's `time`), which appends a line
 * `wall user sys test-file command` (seconds, tab-separated) to that file: where a suite's time and CPU go.
 */
function timed(command: string, args: string[]): [string, string[]] {
  const file = process.env.HASHDOCK_E2E_TIMING;
  if (!file) return [command, args];
  const testFile = relative(process.cwd(), expect.getState().testPath ?? '');
  const label = `${testFile}\t${command.split('/').pop()} ${args.slice(0, 4).join(' ')}`.replace(/%/g, '%%');
  return ['/usr/bin/time', ['--append', '--output', file, '--format', `%e\t%U\t%S\t${label}`, command, ...args]];
}

import { CommandError } from './command-error';
import { formatCommand } from './redact';
import { killTree } from './kill-tree';

export interface RunCommandOptions {
  cwd?: string;
  /** Added to the parent environment. */
  env?: Record<string, string>;
  input?: string;
  /** Pipe the child's stdout/stderr to ours while also capturing them. */
  stream?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the child's pid once it has started (e.g. to inspect its process tree). */
  onSpawn?: (pid: number) => void;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

const STDERR_TAIL_LINES = 20;

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
}

/**
 * The one way Hashdock starts a process: an argument array (never a shell
 * string), and a CommandError naming the redacted command on failure.
 */
export async function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const command = formatCommand(file, args);
  // Loaded on first use: execa is an ES module graph that costs a new process 0.2-0.5 s, and an image the
  // registry builder makes, or finds in the registry, starts no process at all.
  const { execa } = await import('execa');
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    stdout: options.stream ? ['pipe', 'inherit'] : 'pipe',
    stderr: options.stream ? ['pipe', 'inherit'] : 'pipe',
    timeout: options.timeoutMs,
    reject: false,
    stripFinalNewline: true,
  });
  if (subprocess.pid !== undefined) options.onSpawn?.(subprocess.pid);
  // Cancelling stops the whole process tree: SIGTERM, then SIGKILL for what is still there.
  let cancelled = false;
  let forceKill: NodeJS.Timeout | undefined;
  const cancel = () => {
    if (cancelled || subprocess.pid === undefined) return;
    cancelled = true;
    killTree(subprocess.pid, 'SIGTERM');
    forceKill = setTimeout(() => subprocess.pid !== undefined && killTree(subprocess.pid, 'SIGKILL'), 3000);
    forceKill.unref();
  };
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener('abort', cancel, { once: true });
  let result;
  try {
    result = await subprocess;
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    if (forceKill) clearTimeout(forceKill);
  }
  if (result.failed) {
    const stderr = typeof result.stderr === 'string' ? result.stderr : '';
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    throw new CommandError(
      {
        command,
        exitCode: result.exitCode,
        signal: result.signal ?? (result.timedOut ? 'timeout' : cancelled ? 'cancelled' : undefined),
        stderrTail: tail(stderr || stdout || result.shortMessage || ''),
      },
      { cause: result.cause ?? result },
    );
  }
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

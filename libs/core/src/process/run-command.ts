import { randomUUID } from 'node:crypto';
import { CommandError } from './command-error';
import { formatCommand } from './redact';
import { markedProcesses, PROCESS_MARK_VARIABLE, SeenProcess, seenTree, signalSeen, stillRunning } from './kill-tree';

/** How long a cancelled command's processes may take to stop on SIGTERM before SIGKILL. */
const CANCEL_GRACE_MS = 3000;

/** Wait for the processes seen, and those carrying `mark`, to stop, until `deadline`; then SIGKILL those still running. */
async function outlast(seen: readonly SeenProcess[], mark: string, deadline: number): Promise<void> {
  const left = () => stillRunning([...seen, ...markedProcesses(mark)]);
  while (left().length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  signalSeen(left(), 'SIGKILL');
}

export interface RunCommandOptions {
  cwd?: string;
  /** Added to the parent environment. */
  env?: Record<string, string>;
  input?: string;
  /** Pipe the child's stdout/stderr to ours while also capturing them. */
  stream?: boolean;
  /** The child's stdout/stderr are ours, nothing captured: for a command that runs until stopped (a container). */
  inherit?: boolean;
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
  // Each process the command starts carries the mark: a cancel finds them all, orphaned or started late.
  const mark = randomUUID();
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: { ...options.env, [PROCESS_MARK_VARIABLE]: mark },
    extendEnv: true,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    stdout: options.inherit ? 'inherit' : options.stream ? ['pipe', 'inherit'] : 'pipe',
    stderr: options.inherit ? 'inherit' : options.stream ? ['pipe', 'inherit'] : 'pipe',
    timeout: options.timeoutMs,
    reject: false,
    stripFinalNewline: true,
  });
  if (subprocess.pid !== undefined) options.onSpawn?.(subprocess.pid);
  // Cancelling stops the whole process tree: SIGTERM, then SIGKILL for what is still there after the grace.
  let cancelled = false;
  let forceKill: NodeJS.Timeout | undefined;
  let seen: SeenProcess[] = [];
  let graceEnds = 0;
  // Its tree and what carries its mark: one the child left behind (orphaned, so no longer below it, perhaps
  // started after the first look, as the docker CLI starts its buildx plugin) may hold our pipes.
  const present = (pid: number) => [...seenTree(pid), ...markedProcesses(mark)];
  const cancel = () => {
    const pid = subprocess.pid;
    if (cancelled || pid === undefined) return;
    cancelled = true;
    seen = present(pid);
    signalSeen(seen, 'SIGTERM');
    graceEnds = Date.now() + CANCEL_GRACE_MS;
    forceKill = setTimeout(() => signalSeen([...seen, ...present(pid)], 'SIGKILL'), CANCEL_GRACE_MS);
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
    // What the child started can outlive it: docker's buildx plugin, orphaned when the docker CLI exits on
    // SIGTERM, goes on cancelling the build for as long as that takes (the RUN, in BuildKit). Each is waited
    // for until the grace is over, then killed: a cancelled command leaves nothing running.
    if (cancelled) await outlast(seen, mark, graceEnds);
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

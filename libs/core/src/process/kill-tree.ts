import { readdirSync, readFileSync } from 'node:fs';

/** A process's state, parent and start time from /proc/<pid>/stat (Linux); undefined when it is gone. */
function statOf(pid: number | string): { state: string; ppid: number; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces or parentheses: the fields after the last ")" are fixed
    // (state first, the parent second, the start time twentieth).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]), start: fields[19] };
  } catch {
    return undefined;
  }
}

/** Parent pid of every process, from /proc (Linux); empty elsewhere. */
function parentsByPid(): Map<number, number> {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return parents;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (stat) parents.set(Number(entry), stat.ppid);
  }
  return parents;
}

/** Every descendant of `pid`, deepest first. */
export function descendants(pid: number): number[] {
  const parents = parentsByPid();
  const children = new Map<number, number[]>();
  for (const [child, parent] of parents) children.set(parent, [...(children.get(parent) ?? []), child]);
  const found: number[] = [];
  const visit = (p: number) => {
    for (const child of children.get(p) ?? []) {
      visit(child);
      found.push(child);
    }
  };
  visit(pid);
  return found;
}

/**
 * Signal a process and everything it started. `docker buildx build` runs the
 * buildx plugin as a child of the docker CLI: killing the CLI alone leaves the
 * build running (and holding our pipes) until it ends on its own.
 */
export function killTree(pid: number, signal: NodeJS.Signals): void {
  for (const target of [...descendants(pid), pid]) {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  }
}

/** A process as it was seen: its pid and when it started (a pid the system gave to another process since is not it). */
export interface SeenProcess {
  pid: number;
  start: string;
}

/** `pid` and everything it started, deepest first, as they are now. */
export function seenTree(pid: number): SeenProcess[] {
  return [...descendants(pid), pid].flatMap((target) => {
    const stat = statOf(target);
    return stat ? [{ pid: target, start: stat.start }] : [];
  });
}

/** The processes seen that still run (the same start time, not a zombie). */
export function stillRunning(seen: readonly SeenProcess[]): SeenProcess[] {
  return seen.filter((process) => {
    const stat = statOf(process.pid);
    return stat !== undefined && stat.start === process.start && stat.state !== 'Z';
  });
}

/** Signal the processes seen that still run. */
export function signalSeen(seen: readonly SeenProcess[], signal: NodeJS.Signals): void {
  for (const target of stillRunning(seen)) {
    try {
      process.kill(target.pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * The environment variable runCommand marks each command's processes with. Every process the
 * command starts inherits it, so it still names them once they are orphaned (re-parented away from
 * the command's tree) or started after the tree was looked at.
 */
export const PROCESS_MARK_VARIABLE = 'HASHDOCK_PROCESS_MARK';

/** The processes whose environment holds `PROCESS_MARK_VARIABLE=<mark>`, as they are now (Linux /proc; empty elsewhere). */
export function markedProcesses(mark: string): SeenProcess[] {
  const entry = `\0${PROCESS_MARK_VARIABLE}=${mark}\0`;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((pid) => {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) return [];
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      return [];
    }
    if (!`\0${environ}`.includes(entry)) return [];
    const stat = statOf(pid);
    return stat ? [{ pid: Number(pid), start: stat.start }] : [];
  });
}

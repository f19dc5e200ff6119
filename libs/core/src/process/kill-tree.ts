import { readdirSync, readFileSync } from 'node:fs';

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
    try {
      // The command name may hold spaces or parentheses: the fields after the last ")" are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone already
    }
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

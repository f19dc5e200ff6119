/** The middle value (the upper one of an even count). */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Seconds one call takes. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Median wall time of `runs` calls, after one warm-up call unless told otherwise. */
export async function medianSeconds(runs: number, fn: () => Promise<unknown>, warmup = true): Promise<number> {
  if (warmup) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export interface Row {
  benchmark: string;
  subject: string;
  baseline: string;
  subjectSeconds: number;
  baselineSeconds: number;
  goal: string;
  met: boolean;
  /** What the two figures measure (default seconds). */
  unit?: string;
}

export function printTable(rows: Row[]): void {
  const header = ['benchmark', 'subject', 'baseline', 'ratio', 'goal', 'met'];
  const lines = rows.map((row) => [
    row.benchmark,
    `${row.subject}: ${row.subjectSeconds.toFixed(3)} ${row.unit ?? 's'}`,
    `${row.baseline}: ${row.baselineSeconds.toFixed(3)} ${row.unit ?? 's'}`,
    (row.subjectSeconds / row.baselineSeconds).toFixed(3),
    row.goal,
    row.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(fmt(line));
}

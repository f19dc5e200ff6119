import { chmod, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerignoreSyntaxError, listContextEntries, parseDockerignore, runCommand } from '@hashdock/core';
import { checkEnvironment } from './support/environment';
import { randomIgnoreFile, randomTree, seededRandom, TreeNode, treePaths } from './support/random-context';

const environment = await checkEnvironment();

/** Cases per run (120 new ones each run keeps the suite under 15 minutes on a 2-core CI runner); every run also replays the fixed regression seeds below. */
const CASES = Number(process.env.HASHDOCK_ORACLE_CASES ?? 120);
const BASE_SEED = Number(process.env.HASHDOCK_ORACLE_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Seeds that once disagreed with Docker (found by this generator), replayed on every run. */
// 1055: `|` unescaped (alternation); 1057: a bad range only fails once evaluated; 1455: `!/` is a lone `!`;
// 1239519459: an exception `x/*/**` is trimmed to `x` (both trailing globs), so the walk skips x's subfolders.
// Tied to this generator: change random-context.ts and these replay other cases (dockerignore.spec.ts keeps each rule).
const REGRESSION_SEEDS: number[] = [1055, 1057, 1455, 1239519459];
const PARALLEL = 6;

// A hand-written sample of the common rules, kept beside the random cases.
const SAMPLE_IGNORE = [
  '# Docker is the oracle for these',
  'node_modules', '**/*.spec.ts', '*.md', '!README.md', 'docs/**', '!docs/img', 'dist/*.map',
  '?.txt', 'notes', '!notes/keep/*.md', '/tmp/cache/', '.env', '.git', 'empty-ignored',
].join('\n');
const SAMPLE_FILES = [
  'README.md', 'docs/guide.md', 'docs/img/logo.png', 'src/index.ts', 'src/index.spec.ts', 'src/deep/a.spec.ts',
  'src/deep/keep.ts', 'dist/main.js', 'dist/main.js.map', 'node_modules/x/index.js', 'a.txt', 'ab.txt', 'b.txt',
  'notes/2026/todo.md', 'notes/keep/me.md', 'tmp/cache/x', '.env', '.git/HEAD',
];

async function writeTree(dir: string, nodes: readonly TreeNode[]): Promise<void> {
  for (const node of nodes) {
    const path = typeof node.name === 'string' ? join(dir, node.name) : Buffer.concat([Buffer.from(`${dir}/`), node.name]);
    if (node.kind === 'dir') {
      await mkdir(path);
      await writeTree(typeof path === 'string' ? path : path.toString('latin1'), node.children ?? []);
    } else if (node.kind === 'symlink') await symlink('a', path);
    else {
      await writeFile(path, `content of ${String(node.name)}`);
      await chmod(path, node.mode ?? 0o644);
    }
  }
}

/** `path kind [mode]` lines for a directory tree, names that are not UTF-8 as hex. */
async function describeTree(root: string, relative = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await readdir(Buffer.from(join(root, relative)), { withFileTypes: true, encoding: 'buffer' })) {
    const text = entry.name.toString('utf8');
    const name = Buffer.from(text).equals(entry.name) ? text : `hex:${entry.name.toString('hex')}`;
    const path = relative ? `${relative}/${name}` : name;
    if (name.startsWith('hex:')) {
      lines.push(`${path} ${entry.isDirectory() ? 'dir' : entry.isSymbolicLink() ? 'symlink' : 'file'}`);
      continue;
    }
    if (entry.isDirectory()) {
      lines.push(`${path} dir`);
      lines.push(...(await describeTree(root, path)));
    } else if (entry.isSymbolicLink()) lines.push(`${path} symlink`);
    else lines.push(`${path} file ${((await lstat(join(root, path))).mode & 0o7777).toString(8)}`);
  }
  return lines.sort();
}

async function ours(context: string, ignoreText: string): Promise<string[] | 'invalid'> {
  let entries;
  try {
    entries = await listContextEntries(context, parseDockerignore(ignoreText));
  } catch (error) {
    // A malformed pattern is refused when read; a bad expression only when a path reaches it.
    if (error instanceof DockerignoreSyntaxError) return 'invalid';
    throw error;
  }
  const lines: string[] = [];
  for (const entry of entries) {
    const path = entry.path;
    if (entry.pathBytes) {
      const parts = splitBytes(entry.pathBytes).map((part) => (Buffer.from(part.toString('utf8')).equals(part) ? part.toString('utf8') : `hex:${part.toString('hex')}`));
      lines.push(`${parts.join('/')} ${entry.kind}`);
      continue;
    }
    lines.push(entry.kind === 'file' ? `${path} file ${((await lstat(join(context, path))).mode & 0o7777).toString(8)}` : `${path} ${entry.kind}`);
  }
  return lines.sort();
}

function splitBytes(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x2f) {
      parts.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

/** What Docker sends: `COPY . /ctx/` into a scratch image, exported to a directory. */
async function docker(dir: string): Promise<string[] | 'invalid'> {
  const out = join(dir, 'out');
  try {
    await runCommand('/usr/bin/docker', ['buildx', 'build', '--progress', 'quiet', '--file', join(dir, 'Dockerfile'), '--output', `type=local,dest=${out}`, join(dir, 'context')]);
  } catch (error) {
    if (/syntax error in pattern|invalid escape|error parsing regexp|illegal exclusion pattern/i.test((error as Error).message)) return 'invalid';
    throw error;
  }
  return describeTree(join(out, 'ctx'));
}

interface Difference {
  seed: number;
  ignore: string;
  paths: string[];
  ours: string[] | 'invalid';
  docker: string[] | 'invalid' | string;
  onlyOurs?: string[];
  onlyDocker?: string[];
}

function describeDifference(difference: Difference): string {
  const { ours: mine, docker: theirs } = difference;
  const summary = Array.isArray(mine) && Array.isArray(theirs)
    ? { onlyOurs: mine.filter((line) => !theirs.includes(line)), onlyDocker: theirs.filter((line) => !mine.includes(line)) }
    : { ours: Array.isArray(mine) ? `${mine.length} entries` : mine, docker: Array.isArray(theirs) ? `${theirs.length} entries` : theirs };
  return JSON.stringify({ seed: difference.seed, ignore: difference.ignore, ...summary });
}

async function runCase(root: string, seed: number): Promise<Difference | undefined> {
  const random = seededRandom(seed);
  const tree = randomTree(random);
  const paths = treePaths(tree);
  const ignore = randomIgnoreFile(random, paths);
  const dir = join(root, `case-${seed}`);
  await mkdir(join(dir, 'context'), { recursive: true });
  await writeTree(join(dir, 'context'), tree);
  await writeFile(join(dir, 'context', '.dockerignore'), ignore);
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
  const mine = await ours(join(dir, 'context'), ignore);
  let theirs: string[] | 'invalid' | string;
  try {
    theirs = await docker(dir);
  } catch (error) {
    theirs = `docker failed: ${(error as Error).message.split('\n').slice(-3).join(' ')}`;
  }
  await rm(dir, { recursive: true, force: true });
  return JSON.stringify(mine) === JSON.stringify(theirs) ? undefined : { seed, ignore, paths, ours: mine, docker: theirs };
}

async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  }));
  return results;
}

describe.skipIf(!environment.available)('.dockerignore rules agree with Docker itself (buildx, current BuildKit)', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-oracle-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('selects exactly the files `COPY . /ctx/` copies for a hand-written sample', async () => {
    const dir = join(root, 'sample');
    await mkdir(join(dir, 'context', 'empty-kept'), { recursive: true });
    await mkdir(join(dir, 'context', 'empty-ignored'));
    for (const file of SAMPLE_FILES) {
      await mkdir(join(dir, 'context', file, '..'), { recursive: true });
      await writeFile(join(dir, 'context', file), file);
    }
    await symlink('a.txt', join(dir, 'context', 'link-to-a'));
    await writeFile(join(dir, 'context', '.dockerignore'), SAMPLE_IGNORE);
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
    const mine = await ours(join(dir, 'context'), SAMPLE_IGNORE);
    expect(mine).toEqual(await docker(dir));
    expect(mine).toContain('README.md file 644');
    expect(mine).toContain('notes/keep/me.md file 644');
    expect(mine).not.toContain('src/index.spec.ts file 644');
  });

  it(`agrees on ${CASES} random contexts and ignore files (seeds from ${BASE_SEED}) and on the regression seeds`, async () => {
    const seeds = [...REGRESSION_SEEDS, ...Array.from({ length: CASES }, (_, i) => BASE_SEED + i)];
    const first = (await inParallel(seeds, PARALLEL, (seed) => runCase(root, seed))).filter((difference): difference is Difference => difference !== undefined);
    // Under the full suite's load, Docker once sent a whole context with its .dockerignore unapplied (seed
    // 1246479487; alone, 12 times in parallel, it never did again). A difference counts when it holds on a
    // second, unloaded build of the same case: a real disagreement is stable, a flake of the engine is not.
    const differences: Difference[] = [];
    for (const difference of first) {
      const again = await runCase(root, difference.seed);
      if (again) differences.push(again);
      else console.warn(`dockerignore oracle: seed ${difference.seed} differed once and agreed on a second build (an engine flake): ${describeDifference(difference)}`);
    }
    const shown = differences.slice(0, 8).map(describeDifference).join('\n');
    expect(differences.map((difference) => difference.seed), `${differences.length} of ${seeds.length} cases differ from Docker:\n${shown}`).toEqual([]);
  }, 600_000);
});

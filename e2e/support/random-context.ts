/** Seeded generators of build contexts and .dockerignore files, for checking Hashdock against Docker. */

export type Random = () => number;

/** mulberry32: a tiny seeded PRNG, so a failing case is reproduced from its seed alone. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

// Names with regexp metacharacters Docker escapes, glob characters it does not, and plain ones.
const NAMES = ['a', 'b', 'b1', 'src', 'lib', 'x.js', 'y.ts', 'a(1).txt', 'c+d', 'e|f', 'g{h}', '$v', 'k^l', 'm.n', 'foo', 'barfoo', '.hidden', 'sp ace', 'keep', 'dist'];
/** Not valid UTF-8: `\xff` + `a`. */
export const INVALID_UTF8_NAME = Buffer.from([0xff, 0x61]);

export interface TreeNode {
  name: string | Buffer;
  kind: 'file' | 'dir' | 'symlink';
  mode?: number;
  children?: TreeNode[];
}

export function randomTree(random: Random, depth = 0): TreeNode[] {
  const count = 1 + Math.floor(random() * (depth === 0 ? 5 : 4));
  const names = new Set<string>();
  while (names.size < count) names.add(pick(random, NAMES));
  const nodes: TreeNode[] = [...names].map((name) => {
    const roll = random();
    if (depth < 3 && roll < 0.4) return { name, kind: 'dir', mode: 0o755, children: random() < 0.1 ? [] : randomTree(random, depth + 1) };
    if (roll > 0.95) return { name, kind: 'symlink' };
    return { name, kind: 'file', mode: pick(random, [0o644, 0o644, 0o600, 0o755, 0o664]) };
  });
  if (random() < 0.08) nodes.push({ name: INVALID_UTF8_NAME, kind: 'file', mode: 0o644 });
  return nodes;
}

/** Every path in the tree, slash-separated (invalid UTF-8 shown as U+FFFD). */
export function treePaths(nodes: readonly TreeNode[], prefix = ''): string[] {
  return nodes.flatMap((node) => {
    const path = `${prefix}${typeof node.name === 'string' ? node.name : node.name.toString('utf8')}`;
    return [path, ...(node.children ? treePaths(node.children, `${path}/`) : [])];
  });
}

function mutateComponent(random: Random, component: string): string {
  const roll = random();
  if (roll < 0.15) return '*';
  if (roll < 0.25 && component.length > 1) return `${component.slice(0, 1)}*`;
  if (roll < 0.32 && component.length > 1) return `*${component.slice(-2)}`;
  if (roll < 0.4 && component.length > 1) return `?${component.slice(1)}`;
  if (roll < 0.47 && component.length > 1) return `[${component[0]}z]${component.slice(1)}`;
  if (roll < 0.52 && component.length > 1) return `[^q]${component.slice(1)}`;
  if (roll < 0.56 && component.length > 1) return `[a-${component[0]}]${component.slice(1)}`;
  const special = component.search(/[^A-Za-z0-9]/);
  if (roll < 0.62 && special >= 0) return `${component.slice(0, special)}\\${component.slice(special)}`;
  return component;
}

const MALFORMED = ['[a-]', '[]x', 'a[', '[^]', 'x\\', '[-a]'];

/** One .dockerignore line built from the tree's own paths, so patterns actually match things. */
function randomPattern(random: Random, allPaths: readonly string[]): string {
  if (random() < 0.015) return pick(random, MALFORMED);
  // Names that are not UTF-8 are matched by other patterns, never written into one.
  const paths = allPaths.filter((path) => !path.includes('\uFFFD'));
  const path = paths.length ? pick(random, paths) : 'a';
  const parts = path.split('/');
  let keep = parts.slice(0, 1 + Math.floor(random() * parts.length));
  keep = keep.map((part) => (random() < 0.35 ? mutateComponent(random, part) : part));
  let pattern = keep.join('/');
  const shape = random();
  if (shape < 0.12) pattern = `**/${keep[keep.length - 1]}`;
  else if (shape < 0.18) pattern = `**${keep[keep.length - 1].slice(-3)}`;
  else if (shape < 0.26) pattern = `${pattern}/**`;
  else if (shape < 0.3) pattern = `${pattern}/*`;
  else if (shape < 0.33) pattern = `/${pattern}`;
  else if (shape < 0.35) pattern = `./${pattern}/`;
  else if (shape < 0.37) pattern = pick(random, ['*', '**', '.', '/']);
  return random() < 0.35 ? `!${pattern}` : pattern;
}

export function randomIgnoreFile(random: Random, paths: readonly string[]): string {
  const lines: string[] = [];
  const count = 1 + Math.floor(random() * 6);
  for (let i = 0; i < count; i++) {
    if (random() < 0.06) lines.push('# a comment');
    if (random() < 0.04) lines.push('');
    lines.push(random() < 0.05 ? `  ${randomPattern(random, paths)}  ` : randomPattern(random, paths));
  }
  let text = lines.join(random() < 0.1 ? '\r\n' : '\n');
  // A BOM before a comment makes the first line a comment.
  if (random() < 0.06) text = `\uFEFF# bom comment\n${text}`;
  return `${text}\n`;
}

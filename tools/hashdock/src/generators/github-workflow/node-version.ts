import type { Tree } from '@nx/devkit';

/** The oldest Node major Hashdock runs on (22.12: see the packages' engines). */
const OLDEST_MAJOR = 22;

/** How the workflow's setup-node step picks Node: a version, or the repository's own pin (`node-version-file`). */
export interface NodeChoice {
  /** The `with:` line of actions/setup-node (`node-version: '24'` or `node-version-file: .nvmrc`). */
  line: string;
  /** What decided, said to the user; none for the plain default. */
  said?: string;
}

/**
 * The Node the workflow runs: `--nodeVersion` when given; else the one the repository pins, read by setup-node itself
 * from its file (`.nvmrc`, `.node-version`, `.tool-versions`' nodejs, package.json's `volta.node`), so CI follows the
 * pin when it moves; else 24. A pin to a Node Hashdock cannot run on (older than 22) is named, and 24 used.
 */
export function nodeChoice(tree: Tree, given: string | undefined): NodeChoice {
  // Quoted: YAML would read 22.10 as the number 22.1.
  if (given !== undefined) return { line: `node-version: '${given}'` };
  for (const [file, version] of pins(tree)) {
    const major = /^v?(\d+)/.exec(version)?.[1];
    if (major !== undefined && Number(major) < OLDEST_MAJOR)
      return { line: "node-version: '24'", said: `${file} pins Node ${version}, older than Hashdock runs on (22.12 or newer): the workflow uses Node 24; pass --nodeVersion to choose` };
    return { line: `node-version-file: ${file}`, said: `Node as ${file} pins it (${version})` };
  }
  return { line: "node-version: '24'" };
}

/** The repository's Node pins, in the order setup-node's users keep them. */
function* pins(tree: Tree): Generator<[string, string]> {
  for (const file of ['.nvmrc', '.node-version']) {
    const version = tree.read(file, 'utf8')?.split(/\r?\n/).map((line) => line.replace(/#.*/, '').trim()).find(Boolean);
    if (version) yield [file, version];
  }
  const tool = /^nodejs\s+(\S+)/m.exec(tree.read('.tool-versions', 'utf8') ?? '')?.[1];
  if (tool) yield ['.tool-versions', tool];
  const volta = tree.exists('package.json') ? (JSON.parse(tree.read('package.json', 'utf8') ?? '{}') as { volta?: { node?: unknown } }).volta?.node : undefined;
  if (typeof volta === 'string' && volta) yield ['package.json', volta];
}

import { ContextEntry } from './context-files';

export const LARGE_CONTEXT_FILES = 20_000;

export interface ContextHygiene {
  /** What makes the context heavier or leakier than it needs to be. */
  problems: string[];
  /** `.dockerignore` lines that would fix it. */
  ignoreLines: string[];
}

const HEAVY = ['.git', 'node_modules', '.nx'];

/**
 * What a build context should not carry: VCS data, installed packages, Nx's
 * cache, Hashdock's own manifests, or simply too many files. Docker uploads
 * all of it on every build, whatever the Dockerfile copies.
 */
export function contextHygiene(entries: readonly Pick<ContextEntry, 'path' | 'kind'>[], manifestDir?: string): ContextHygiene {
  const problems: string[] = [];
  const ignoreLines: string[] = [];
  const dirs = entries.filter((entry) => entry.kind === 'dir').map((entry) => entry.path);
  for (const name of HEAVY) {
    const found = dirs.filter((dir) => dir === name || dir.endsWith(`/${name}`));
    if (!found.length) continue;
    problems.push(`${found[0]}${found.length > 1 ? ` (and ${found.length - 1} more)` : ''}`);
    ignoreLines.push(found.some((dir) => dir.includes('/')) ? `**/${name}` : name);
  }
  if (manifestDir && manifestDir !== '.' && !manifestDir.startsWith('..') && dirs.includes(manifestDir)) {
    problems.push(`${manifestDir} (Hashdock's manifests)`);
    ignoreLines.push(manifestDir);
  }
  const files = entries.filter((entry) => entry.kind !== 'dir').length;
  if (files > LARGE_CONTEXT_FILES) problems.push(`${files} files (more than ${LARGE_CONTEXT_FILES})`);
  return { problems, ignoreLines };
}

/**
 * One warning line, or undefined when the context is clean. It names the context, not an image:
 * the images built from one context share it, and a batch says it once (see BuildImageDeps.warned).
 */
export function hygieneWarning(contextDir: string, hygiene: ContextHygiene): string | undefined {
  if (!hygiene.problems.length) return undefined;
  const fix = hygiene.ignoreLines.length ? `; add to .dockerignore: ${hygiene.ignoreLines.join(', ')}` : '; narrow the context or add a .dockerignore';
  return `hashdock: warning: the build context ${contextDir} sends ${hygiene.problems.join(', ')} to Docker on every build of an image built from it${fix}`;
}

/**
 * The folders among what an image's hash covers that differ from run to run or clone to clone: git's
 * `.git`, Nx's `.nx` (workspace data, cache) and Hashdock's own manifest directory. An image that copies
 * them (`COPY . .` without a `.dockerignore`) never has the same content hash twice, so the registry
 * never has it and it is rebuilt whenever its target runs (a fresh runner, any input changed); the
 * warning says so and which lines stop it. `hashed`: the entries the hash covers.
 */
export function selfChangingWarning(image: string, hashed: readonly Pick<ContextEntry, 'path'>[], manifestDir?: string): string | undefined {
  const manifests = manifestDir && manifestDir !== '.' && !manifestDir.startsWith('..') ? manifestDir : undefined;
  const under = (folder: string) => hashed.some(({ path }) => path === folder || path.startsWith(`${folder}/`));
  const folders: [string, string][] = [];
  if (under('.git')) folders.push(['.git', "git's data, different in every clone"]);
  if (under('.nx')) folders.push(['.nx', "Nx's data, rewritten by every run"]);
  if (manifests && under(manifests)) folders.push([manifests, "Hashdock's manifests, rewritten by every run"]);
  if (!folders.length) return undefined;
  return (
    `hashdock: warning: ${image} copies ${listed(folders.map(([folder, what]) => `${folder} (${what})`))}: its content hash is never the same twice, ` +
    `so the registry never has it and it is rebuilt whenever the target runs; add to .dockerignore: ${folders.map(([folder]) => folder).join(', ')}`
  );
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '');
}

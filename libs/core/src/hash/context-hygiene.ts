import { ContextEntry } from './context-files';
import { spokenList } from '../text/spoken-list';

export const LARGE_CONTEXT_FILES = 20_000;

export interface ContextHygiene {
  /** What makes the context heavier or leakier than it needs to be. */
  problems: string[];
  /** `.dockerignore` lines that would fix it. */
  ignoreLines: string[];
}

const HEAVY = ['.git', 'node_modules', '.nx', '.turbo'];

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
 * `.git`, Nx's `.nx` (workspace data, cache), turbo's `.turbo` (at the root and in every package it ran a task
 * in) and Hashdock's own manifest directory. An image that copies
 * them (`COPY . .` without a `.dockerignore`) never has the same content hash twice, so the registry
 * never has it and it is rebuilt whenever its target runs (a fresh runner, any input changed); the
 * warning says so and which lines stop it. `hashed`: the entries the hash covers.
 */
export function selfChangingWarning(image: string, hashed: readonly Pick<ContextEntry, 'path'>[], manifestDir?: string): string | undefined {
  const manifests = manifestDir && manifestDir !== '.' && !manifestDir.startsWith('..') ? manifestDir : undefined;
  const under = (folder: string) => hashed.some(({ path }) => path === folder || path.startsWith(`${folder}/`));
  // [what the warning names, what it is, the .dockerignore line that leaves it out]
  const folders: [string, string, string][] = [];
  if (under('.git')) folders.push(['.git', "git's data, different in every clone", '.git']);
  if (under('.nx')) folders.push(['.nx', "Nx's data, rewritten by every run", '.nx']);
  // turbo writes its cache at the root and a log per task in every package's .turbo.
  const turbo = hashed.map(({ path }) => /^(?:.*\/)?\.turbo(?=\/|$)/.exec(path)?.[0]).filter((folder): folder is string => folder !== undefined);
  if (turbo.length) {
    const distinct = [...new Set(turbo)];
    const nested = distinct.find((folder) => folder !== '.turbo');
    const more = distinct.length - 1;
    const named = nested ? `${nested}${more ? ` and ${more} more .turbo folder${more > 1 ? 's' : ''}` : ''}` : '.turbo';
    folders.push([named, "turbo's task logs and cache, rewritten by every turbo run", nested ? '**/.turbo' : '.turbo']);
  }
  if (manifests && under(manifests)) folders.push([manifests, "Hashdock's manifests, rewritten by every run", manifests]);
  if (!folders.length) return undefined;
  return (
    `hashdock: warning: ${image} copies ${spokenList(folders.map(([folder, what]) => `${folder} (${what})`))}: its content hash is never the same twice, ` +
    `so the registry never has it and it is rebuilt whenever the target runs; add to .dockerignore: ${folders.map(([, , line]) => line).join(', ')}`
  );
}

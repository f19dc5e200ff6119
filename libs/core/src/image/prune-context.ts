import { promises as fs } from 'node:fs';
import { posix, relative, resolve } from 'node:path';
import { MissingCopySourceError } from '../errors';
import { isIgnored } from '../hash/dockerignore';
import { findIgnoreFile, ignorePatternsOf } from '../hash/context-files';
import { pathWithin } from '../workspace/path-within';

/** The runner's project graph, as pruning needs it (Nx's project graph; the package graph under turbo). */
export interface WorkspaceProjectGraph {
  /** Project name → root, workspace-relative (`.` for a project at the workspace root). */
  roots: Readonly<Record<string, string>>;
  /** Project name → the workspace projects it depends on directly (external packages left out). */
  dependencies: Readonly<Record<string, readonly string[]>>;
}

/**
 * The roots of the workspace projects the project at `projectRoot` does not depend on, directly or through
 * another, that pruning leaves out of its context: never a project at the workspace root (its files are the
 * ones no project owns), never a folder holding a project that is kept (nested projects). Sorted.
 */
export function projectsLeftOut(projectRoot: string, graph: WorkspaceProjectGraph): string[] {
  const kept = new Set<string>();
  const visit = (name: string) => {
    if (kept.has(name) || graph.roots[name] === undefined) return;
    kept.add(name);
    for (const dependency of graph.dependencies[name] ?? []) visit(dependency);
  };
  for (const [name, root] of Object.entries(graph.roots)) if (root === projectRoot) visit(name);
  const keptRoots = [projectRoot, ...[...kept].map((name) => graph.roots[name])];
  return [...new Set(Object.entries(graph.roots).filter(([name]) => !kept.has(name)).map(([, root]) => root))]
    .filter((root) => root !== '.' && root !== '' && !keptRoots.some((keptRoot) => pathWithin(keptRoot, root)))
    .sort();
}

/** What the build and the hash both read as the context's ignore file when sources are left out. */
export interface PrunedIgnore {
  /** The ignore file's own text (`<Dockerfile>.dockerignore`, else the context's `.dockerignore`), then the lines pruning adds. */
  text: string;
  /** The roots whose sources are left out (workspace-relative), those inside the context only. */
  leftOut: string[];
}

// A root written as a literal pattern: no glob or escape character, no leading `!`/`#`, no edge spaces (trimmed by Docker).
const LITERAL_ROOT = /^[^*?[\]\\!#\s][^*?[\]\\]*[^*?[\]\\\s]$|^[^*?[\]\\!#\s]$/;

/**
 * The ignore text that leaves out the sources of `leftOut` projects: the user's ignore file as it is,
 * then `<root>/*` for each, with `!<root>/package.json` so a workspace install (`npm ci` with workspaces)
 * still finds every member, unless the user's own lines leave that file out. A file the user's own
 * exception re-includes below a left-out folder stays, by Docker's parent-match rules (the hash reads the
 * same text with the same rules, so both agree; the engine test checks it). Roots outside the
 * context, the context itself, and roots no literal pattern can name are kept (more is sent, never less
 * than the hash reads). Undefined when nothing is left out.
 */
export async function prunedIgnore(contextDir: string, dockerfile: string, workspaceRoot: string, leftOut: readonly string[]): Promise<PrunedIgnore | undefined> {
  const ignoreFile = await findIgnoreFile(contextDir, dockerfile);
  const own = ignoreFile ? await fs.readFile(ignoreFile, 'utf8') : '';
  const patterns = ignorePatternsOf(own, ignoreFile ?? contextDir);
  const lines: string[] = [];
  const pruned: string[] = [];
  for (const root of leftOut) {
    const inContext = relative(contextDir, resolve(workspaceRoot, root)).split('\\').join('/');
    if (!inContext || inContext.startsWith('../') || inContext === '..' || !LITERAL_ROOT.test(inContext)) continue;
    lines.push(`${inContext}/*`);
    if (!isIgnored(patterns, posix.join(inContext, 'package.json'))) lines.push(`!${inContext}/package.json`);
    pruned.push(root);
  }
  if (pruned.length === 0) return undefined;
  const text = `${own}${own === '' || own.endsWith('\n') ? '' : '\n'}# hashdock pruneContext: the sources of projects this image does not depend on\n${lines.join('\n')}\n`;
  return { text, leftOut: pruned };
}

/**
 * A COPY source missing because pruning left its project out: the error says which project folder and
 * both ways out. Any other error is returned as it is.
 */
export function prunedSourceHint(error: unknown, workspaceRoot: string, leftOut: readonly string[]): unknown {
  if (!(error instanceof MissingCopySourceError) || error.named !== undefined) return error;
  const path = relative(workspaceRoot, resolve(error.contextDir, error.source)).split('\\').join('/');
  const root = leftOut.find((candidate) => pathWithin(path, candidate));
  if (root === undefined) return error;
  const hint =
    `pruneContext leaves ${root} out: this project does not depend on the project there in the project graph. ` +
    'Declare the dependency (a package.json dependency or "implicitDependencies"), or set "pruneContext": false for this target.';
  return new MissingCopySourceError(error.dockerfile, error.line, error.source, error.contextDir, hint, { cause: error, mounted: error.mounted });
}

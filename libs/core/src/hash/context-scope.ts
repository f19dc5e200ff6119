import { ContextEntry } from './context-files';
import { globRegExp, hasGlobMeta } from './glob-syntax';

/** One COPY/ADD source from the build context, cleaned and relative to the context root. */
export interface CopySource {
  /** `.` is the whole context. */
  path: string;
  /** Dockerfile line of the instruction. */
  line: number;
  wildcard: boolean;
  /** Read by a RUN bind mount (`--mount=type=bind,source=…`), not copied. */
  mounted?: boolean;
  /** The source as written, when it is (or goes through) a symlink and `path` is where it leads. */
  linkedFrom?: string;
}

/**
 * What of the build context a Dockerfile can read: only its COPY/ADD sources,
 * or (when anything else may read it, e.g. `RUN --mount` of the context) all of it.
 */
export type ContextScope = { kind: 'sources'; sources: CopySource[] } | { kind: 'context'; reason: string };

function reaches(source: CopySource, path: string, wildcardTest: RegExp | undefined): boolean {
  if (source.path === '.') return true;
  if (!wildcardTest) return path === source.path || path.startsWith(`${source.path}/`);
  // A wildcard matches whole paths component by component; a matched directory brings everything below it.
  const depth = source.path.split('/').length;
  const parts = path.split('/');
  return parts.length >= depth && wildcardTest.test(parts.slice(0, depth).join('/'));
}

/** The entries a scope reaches: for sources, each matched path and everything below it. */
export function entriesInScope<T extends Pick<ContextEntry, 'path'>>(entries: readonly T[], scope: ContextScope | undefined): readonly T[] {
  if (!scope || scope.kind === 'context' || scope.sources.some((source) => source.path === '.')) return entries;
  const tests = scope.sources.map((source) => ({ source, test: source.wildcard ? globRegExp(source.path) : undefined }));
  return entries.filter((entry) => tests.some(({ source, test }) => reaches(source, entry.path, test)));
}

/** Literal sources that reach no entry: Docker would fail with "not found". */
export function missingSources(entries: readonly Pick<ContextEntry, 'path'>[], scope: ContextScope | undefined): CopySource[] {
  if (!scope || scope.kind === 'context') return [];
  const paths = new Set(entries.map((entry) => entry.path));
  return scope.sources.filter((source) => !source.wildcard && source.path !== '.' && !paths.has(source.path));
}

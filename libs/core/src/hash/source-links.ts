import { readlinkSync } from 'node:fs';
import { linkAt, linkNames, readEntries } from '../source-reads';
import { join, posix } from 'node:path';
import { HashdockError } from '../errors';
import { ContextEntry } from './context-files';
import { ContextScope, CopySource } from './context-scope';
import { globRegExp, hasGlobMeta } from './glob-syntax';

/** Where a symlink in the context points, as its text says (undefined: not a symlink there). */
export type LinkReader = (path: string) => string | undefined;

/** BuildKit resolves at most this many links in one path (Linux's limit, which it mirrors). */
const MAX_LINKS = 40;

export class SourceLinkLoopError extends HashdockError {
  constructor(path: string) {
    super('SOURCE_LINK_LOOP', `The build context's ${path}: more than ${MAX_LINKS} symbolic links to follow (a loop?); docker cannot copy it either.`);
  }
}

/**
 * A context path with every symlink along it followed as BuildKit follows a COPY source: inside the
 * context as root (an absolute target starts from the context root, `..` stops there). A link that
 * is a source's last component is followed too: COPY copies what it points to. `traversed` gets each
 * link met on the way (the context must hold them too).
 */
export function resolveInContext(path: string, readLink: LinkReader, traversed: string[] = []): string {
  let pending = path.split('/').filter((part) => part && part !== '.');
  let resolved: string[] = [];
  for (let links = 0; pending.length; ) {
    const [part, ...rest] = pending;
    pending = rest;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part].join('/');
    const target = readLink(candidate);
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new SourceLinkLoopError(path);
    traversed.push(candidate);
    const from = target.startsWith('/') ? [] : resolved;
    pending = [...posix.normalize(`/${[...from, target].join('/')}`).slice(1).split('/').filter(Boolean), ...pending];
    resolved = [];
  }
  return resolved.join('/') || '.';
}

/**
 * The scope with each source that names a symlink, or goes through one, read where the link leads
 * (BuildKit copies the target, not the link): `COPY config.json` where config.json → ../shared/config.json
 * reads shared/config.json, and an edit there must change the hash. A wildcard's matches that are
 * links are followed as well. `links` lists the context's symlinks that wildcards may match.
 */
export function followSourceLinks(scope: ContextScope, readLink: LinkReader, links: (pattern: string) => readonly string[]): ContextScope {
  if (scope.kind === 'context') return scope;
  const sources: CopySource[] = [];
  const add = (source: CopySource) => {
    if (!sources.some((known) => known.path === source.path && known.line === source.line && known.mounted === source.mounted)) sources.push(source);
  };
  /** The links a path went through count as well: BuildKit needs them to get there. */
  const resolve = (path: string, source: CopySource) => {
    const traversed: string[] = [];
    const resolved = resolveInContext(path, readLink, traversed);
    for (const link of traversed) add({ path: link, line: source.line, wildcard: false, ...(source.mounted ? { mounted: true } : {}) });
    return resolved;
  };
  for (const source of scope.sources) {
    if (!source.wildcard) {
      const path = resolve(source.path, source);
      add(path === source.path ? source : { ...source, path, linkedFrom: source.path });
      continue;
    }
    // A wildcard under a linked directory matches below where it leads; each match that is a link is read there.
    const parts = source.path.split('/');
    const first = parts.findIndex((part) => hasGlobMeta(part));
    const prefix = first > 0 ? resolve(parts.slice(0, first).join('/'), source) : '.';
    const pattern = [...(prefix === '.' ? [] : [prefix]), ...parts.slice(first)].join('/');
    add({ ...source, path: pattern });
    for (const link of links(pattern)) add({ path: resolve(link, source), line: source.line, wildcard: false, ...(source.mounted ? { mounted: true } : {}) });
  }
  return { kind: 'sources', sources };
}

/** followSourceLinks over a listed context: its symlink entries, their targets read from disk. */
export function followListedLinks(scope: ContextScope, contextDir: string, entries: readonly Pick<ContextEntry, 'path' | 'kind'>[]): ContextScope {
  if (scope.kind === 'context' || !entries.some((entry) => entry.kind === 'symlink')) return scope;
  const symlinks = new Set(entries.flatMap((entry) => (entry.kind === 'symlink' ? [entry.path] : [])));
  const readLink: LinkReader = (path) => (symlinks.has(path) ? readlinkSync(join(contextDir, path), 'utf8') : undefined);
  return followSourceLinks(scope, readLink, (pattern) => {
    const test = globRegExp(pattern);
    const depth = pattern.split('/').length;
    return [...symlinks].filter((path) => path.split('/').length === depth && test.test(path));
  });
}

/** What followLinksOnDisk read from disk, for a cache of its result to check (context paths). */
export interface DiskReads {
  /** Each path looked up: the symlink's text, or null where there was none (a file, a directory, nothing). */
  path(path: string, link: string | null): void;
  /**
   * Each directory a wildcard read, with the names of the symlinks in it (none when it was not there): a new
   * link a wildcard matches leads elsewhere, while a new file is Nx's to hash (a build's output churning its
   * folder must not make inference run again).
   */
  dir(path: string, links: readonly string[]): void;
}

/**
 * followSourceLinks against the context on disk, for inference (before any listing): each path looked
 * up with lstat, a wildcard's matches found by reading only the directories its pattern reaches.
 * `reads` hears every lookup and directory read: a cached result holds while they read the same (a
 * link retargeted, a path or wildcard match that became a link).
 */
export function followLinksOnDisk(scope: ContextScope, contextDir: string, reads?: DiskReads): ContextScope {
  if (scope.kind === 'context') return scope;
  const readLink: LinkReader = (path) => {
    const target = linkAt(join(contextDir, path));
    reads?.path(path, target);
    return target ?? undefined;
  };
  return followSourceLinks(scope, readLink, (pattern) => {
    const parts = pattern.split('/');
    let level = [''];
    const found: string[] = [];
    parts.forEach((part, index) => {
      const test = globRegExp(parts.slice(0, index + 1).join('/'));
      const last = index === parts.length - 1;
      const next: string[] = [];
      for (const dir of level) {
        let names = [part];
        if (hasGlobMeta(part)) {
          const entries = readEntries(join(contextDir, dir));
          names = entries.map((entry) => entry.name);
          reads?.dir(dir || '.', linkNames(join(contextDir, dir), entries));
        }
        for (const name of names) {
          const path = dir ? `${dir}/${name}` : name;
          if (!test.test(path)) continue;
          if (last) {
            if (readLink(path) !== undefined) found.push(path);
          } else next.push(path);
        }
      }
      level = next;
    });
    return found;
  });
}

import { posix } from 'node:path';
import { validateGlobSyntax } from './glob-syntax';

/**
 * How one pattern matches, decided once when it is compiled, as moby/patternmatcher
 * decides it: a literal pattern is an exact comparison, `lit**` a prefix test,
 * `**lit` a suffix test, anything else a regular expression.
 */
export type PatternTest =
  | { type: 'exact'; value: string }
  | { type: 'prefix'; value: string }
  | { type: 'suffix'; value: string }
  | { type: 'regexp'; regex: RegExp }
  /** An expression Go's regexp refuses (e.g. `[z-a]`): an error only once Docker evaluates the pattern. */
  | { type: 'invalid'; message: string };

/** One cleaned .dockerignore line, compiled the way moby/patternmatcher does. */
export interface IgnorePattern {
  source: string;
  cleaned: string;
  exclusion: boolean;
  test: PatternTest;
}

export class DockerignoreSyntaxError extends Error {}

// patternmatcher means to escape `.+()|{}$`, but its bitmap (`escapeBytes[b%8] |= 1 << (b/8)` on
// bytes) drops every character from 64 up: `|`, `{` and `}` reach the expression unescaped, so
// `?|x` is an alternation in Docker. Docker's behaviour is the reference, so we do the same.
const ESCAPED = new Set(['.', '+', '(', ')', '$']);
// Go regexp escapes that JavaScript spells the same way (or that we can spell).
const GO_ESCAPES: Record<string, string> = {
  d: '\\d', D: '\\D', s: '[\\t\\n\\f\\r ]', S: '[^\\t\\n\\f\\r ]', w: '\\w', W: '\\W', b: '\\b', B: '\\B',
  a: '\\x07', f: '\\f', t: '\\t', n: '\\n', r: '\\r', v: '\\v', A: '^', z: '$',
};

function escapeForJs(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * Compile a cleaned pattern like patternmatcher's `compile`: Go's
 * filepath.Match syntax plus `**`, classified exact/prefix/suffix/regexp.
 * Characters other than the escaped set go to the expression as written,
 * so `[...]` classes and a stray `^` behave as they do in Go.
 */
export function compilePattern(pattern: string): PatternTest {
  let re = '^';
  let type: PatternTest['type'] = 'exact';
  const chars = [...pattern];
  for (let i = 0, step = 0; i < chars.length; i++, step++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (step === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ESCAPED.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        const next = chars[++i];
        if (/[A-Za-z0-9]/.test(next)) {
          const translated = GO_ESCAPES[next];
          if (!translated) return { type: 'invalid', message: `invalid escape sequence "\\${next}" in pattern "${pattern}"` };
          re += translated;
        } else re += escapeForJs(next);
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      type = 'regexp';
    } else {
      re += ch === '/' ? '\\/' : ch;
    }
  }
  if (type === 'exact') return { type, value: pattern };
  if (type === 'prefix') return { type, value: pattern.slice(0, -2) };
  if (type === 'suffix') return { type, value: pattern.slice(2) };
  try {
    return { type, regex: new RegExp(`${re}$`) };
  } catch (cause) {
    return { type: 'invalid', message: `invalid pattern "${pattern}": ${(cause as Error).message}` };
  }
}

export function patternMatches(test: PatternTest, path: string): boolean {
  switch (test.type) {
    case 'exact':
      return path === test.value;
    case 'prefix':
      return path.startsWith(test.value);
    case 'suffix':
      // `**/foo` also matches `foo` at the top.
      return path.endsWith(test.value) || (test.value.startsWith('/') && path === test.value.slice(1));
    case 'regexp':
      return test.regex.test(path);
    case 'invalid':
      // patternmatcher compiles lazily: a bad expression fails the build only when it is reached.
      throw new DockerignoreSyntaxError(test.message);
  }
}

/** filepath.Clean for slash-separated relative patterns. */
function cleanPath(value: string): string {
  const cleaned = posix.normalize(value);
  return cleaned.length > 1 ? cleaned.replace(/\/$/, '') || '.' : cleaned;
}

/**
 * Parse .dockerignore text with Docker's rules (moby/patternmatcher/ignorefile):
 * a UTF-8 BOM dropped, `#` comments, blank lines, surrounding spaces trimmed,
 * leading `/` dropped, `!` re-includes, paths cleaned, every pattern checked
 * with Go's filepath.Match syntax (malformed classes are refused).
 */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (const rawLine of body.split('\n')) {
    const unreturned = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (unreturned.startsWith('#')) continue;
    let line = unreturned.trim();
    if (line === '') continue;
    let exclusion = false;
    if (line.startsWith('!')) {
      exclusion = true;
      line = line.slice(1).trim();
      if (line === '') throw new DockerignoreSyntaxError('illegal exclusion pattern: "!"');
    }
    let cleaned = cleanPath(line);
    if (cleaned.length > 1 && cleaned.startsWith('/')) cleaned = cleaned.slice(1);
    // patternmatcher cleans "!" + pattern once more: "!/" becomes a lone "!".
    if (exclusion && cleaned === '/') throw new DockerignoreSyntaxError('illegal exclusion pattern: "!"');
    const syntax = validateGlobSyntax(cleaned);
    if (syntax) throw new DockerignoreSyntaxError(`invalid pattern "${line}": ${syntax}`);
    patterns.push({ source: rawLine, cleaned, exclusion, test: compilePattern(cleaned) });
  }
  return patterns;
}

/** Per-pattern results for a directory, carried down to its entries (patternmatcher's MatchInfo). */
export type ParentMatches = readonly boolean[];

/**
 * patternmatcher's MatchesUsingParentResults: a pattern that matched the
 * parent directory matches the entry; otherwise only the entry's own path is
 * tested. Without parent results (a top-level entry, or a lone path) every
 * parent directory is tested, as MatchesOrParentMatches does.
 */
export function matchWithParents(patterns: readonly IgnorePattern[], path: string, parent?: ParentMatches): { ignored: boolean; matches: boolean[] } {
  let matched = false;
  const matches = new Array<boolean>(patterns.length).fill(false);
  for (let i = 0; i < patterns.length; i++) {
    const pattern = patterns[i];
    let match = parent ? parent[i] : false;
    if (!match) {
      // An inclusion only matters while unmatched, an exclusion only once matched.
      if (pattern.exclusion !== matched) continue;
      match = patternMatches(pattern.test, path);
      if (!match && !parent) {
        for (let slash = path.indexOf('/'); slash >= 0 && !match; slash = path.indexOf('/', slash + 1))
          match = patternMatches(pattern.test, path.slice(0, slash));
      }
    }
    matches[i] = match;
    if (match) matched = !pattern.exclusion;
  }
  return { ignored: matched, matches };
}

/**
 * True when Docker would leave `path` (slash-separated, relative to the context)
 * out of the context: the walk's answer, with each parent's results carried down.
 */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  let parent: ParentMatches | undefined;
  let result = { ignored: false, matches: [] as boolean[] };
  const parts = path.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    result = matchWithParents(patterns, parts.slice(0, depth).join('/'), parent);
    parent = result.matches;
  }
  return result.ignored;
}

export function hasExceptions(patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((pattern) => pattern.exclusion);
}

// fsutil's patternWithoutTrailingGlob: a trailing `/**` trimmed, then a trailing `/*` from what is left,
// so an exception `x/*/**` counts as the literal `x` (the walk descends into x only, not into x/<any>).
function withoutTrailingGlob(cleaned: string): string {
  const once = cleaned.endsWith('/**') ? cleaned.slice(0, -3) : cleaned;
  return once.endsWith('/*') ? once.slice(0, -2) : once;
}

/**
 * When an ignored directory may be skipped without looking inside, decided as
 * fsutil's walker decides it: always without exceptions; with exceptions only
 * when every exception is a literal path and none lies under this directory.
 * Returns a function of the directory path, or undefined when no directory may be skipped.
 */
export function directoryPruner(patterns: readonly IgnorePattern[]): ((dir: string) => boolean) | undefined {
  const exceptions = patterns.filter((pattern) => pattern.exclusion).map((pattern) => withoutTrailingGlob(pattern.cleaned));
  if (exceptions.length === 0) return () => true;
  if (exceptions.some((exception) => /[*[\]?^\\]/.test(exception))) return undefined;
  return (dir) => !exceptions.some((exception) => `${exception}/`.startsWith(`${dir}/`));
}

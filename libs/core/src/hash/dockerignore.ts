import { posix } from 'node:path';

/** One cleaned .dockerignore line, compiled the way moby/patternmatcher does. */
export interface IgnorePattern {
  source: string;
  cleaned: string;
  exclusion: boolean;
  regex: RegExp;
}

export class DockerignoreSyntaxError extends Error {}

function escapeRegexChar(ch: string): string {
  return /[.+*?^${}()|[\]\\]/.test(ch) ? `\\${ch}` : ch;
}

/** Go's filepath.Match syntax plus `**`, translated to an anchored RegExp. */
export function compilePattern(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '\\') {
      i++;
      if (i >= pattern.length) throw new DockerignoreSyntaxError(`bad escape at end of pattern "${pattern}"`);
      re += escapeRegexChar(pattern[i]);
    } else if (ch === '.' || ch === '$') {
      re += `\\${ch}`;
    } else {
      // Like patternmatcher, everything else (character classes included) goes to the regexp as is.
      re += ch;
    }
  }
  try {
    return new RegExp(`${re}$`, 's');
  } catch (cause) {
    throw new DockerignoreSyntaxError(`invalid pattern "${pattern}": ${(cause as Error).message}`);
  }
}

/** filepath.Clean for slash-separated relative patterns. */
function cleanPath(value: string): string {
  const cleaned = posix.normalize(value);
  return cleaned === './' ? '.' : cleaned.replace(/\/$/, '');
}

/**
 * Parse .dockerignore text with Docker's rules: `#` comments, blank lines,
 * surrounding spaces trimmed, leading `/` dropped, `!` re-includes, paths cleaned.
 */
export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    if (rawLine.startsWith('#')) continue;
    let line = rawLine.trim();
    if (line === '') continue;
    let exclusion = false;
    if (line.startsWith('!')) {
      exclusion = true;
      line = line.slice(1).trim();
      if (line === '') throw new DockerignoreSyntaxError('illegal exclusion pattern: "!"');
    }
    let cleaned = cleanPath(line);
    cleaned = cleaned.replace(/^\/+/, '');
    if (cleaned === '') cleaned = '.';
    patterns.push({ source: rawLine, cleaned, exclusion, regex: compilePattern(cleaned) });
  }
  return patterns;
}

function matchesOrParentMatches(pattern: IgnorePattern, path: string): boolean {
  if (pattern.regex.test(path)) return true;
  let index = path.indexOf('/');
  while (index >= 0) {
    if (pattern.regex.test(path.slice(0, index))) return true;
    index = path.indexOf('/', index + 1);
  }
  return false;
}

/** True when Docker would leave `path` (slash-separated, relative to the context) out of the context. */
export function isIgnored(patterns: readonly IgnorePattern[], path: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    // An inclusion only matters while unmatched, an exclusion only once matched.
    if (pattern.exclusion !== matched) continue;
    if (matchesOrParentMatches(pattern, path)) matched = !pattern.exclusion;
  }
  return matched;
}

export function hasExceptions(patterns: readonly IgnorePattern[]): boolean {
  return patterns.some((pattern) => pattern.exclusion);
}

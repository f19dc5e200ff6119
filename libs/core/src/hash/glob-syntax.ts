/**
 * The syntax check Go's filepath.Match applies to a whole pattern (Go 1.16+
 * parses every chunk even after a mismatch). patternmatcher calls it on each
 * .dockerignore line and Docker refuses the file when it fails. Returns the
 * problem, or undefined for a well-formed pattern.
 *
 * Grammar: `*`, `?`, `\c`, and classes `[` [`^`] ranges `]` where a range is
 * `c` or `lo-hi`, `c` being any character but `\`, `-`, `]` unless escaped.
 */
export function validateGlobSyntax(pattern: string): string | undefined {
  const chars = [...pattern];
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i];
    if (ch === '\\') {
      if (i + 1 >= chars.length) return 'a trailing "\\" escapes nothing';
      i += 2;
    } else if (ch === '[') {
      const end = classEnd(chars, i + 1);
      if (typeof end === 'string') return end;
      i = end;
    } else i++;
  }
  return undefined;
}

/** Parse the class body starting after `[`; returns the index after `]`, or the problem. */
function classEnd(chars: string[], start: number): number | string {
  const malformed = `malformed character class at "${chars.slice(start - 1).join('')}"`;
  let i = start;
  if (chars[i] === '^') i++;
  let ranges = 0;
  for (;;) {
    if (chars[i] === ']' && ranges > 0) return i + 1;
    const lo = classChar(chars, i);
    if (lo === undefined) return malformed;
    i = lo;
    if (chars[i] === '-') {
      const hi = classChar(chars, i + 1);
      if (hi === undefined) return malformed;
      i = hi;
    }
    ranges++;
  }
}

/** Go's getEsc: one possibly escaped character that must be followed by more pattern. */
function classChar(chars: string[], index: number): number | undefined {
  let i = index;
  if (i >= chars.length || chars[i] === '-' || chars[i] === ']') return undefined;
  if (chars[i] === '\\') {
    i++;
    if (i >= chars.length) return undefined;
  }
  i++;
  return i < chars.length ? i : undefined;
}

/**
 * Go's filepath.Match as an anchored RegExp (for a pattern that passed
 * validateGlobSyntax): `*` and `?` never cross `/`, classes as in Go.
 */
export function globRegExp(pattern: string): RegExp {
  const chars = [...pattern];
  let re = '^';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\') re += literal(chars[++i]);
    else if (ch === '[') {
      let body = '';
      i++;
      if (chars[i] === '^') {
        body += '^';
        i++;
      }
      let first = true;
      while (first || chars[i] !== ']') {
        first = false;
        if (chars[i] === '\\') i++;
        body += literal(chars[i]);
        i++;
        if (chars[i] === '-') {
          i++;
          if (chars[i] === '\\') i++;
          body += `-${literal(chars[i])}`;
          i++;
        }
      }
      re += `[${body}]`;
    } else re += literal(ch);
  }
  return new RegExp(`${re}$`);
}

function literal(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

export function hasGlobMeta(pattern: string): boolean {
  return /[*?[\\]/.test(pattern);
}

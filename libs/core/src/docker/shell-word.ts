/** A word BuildKit's Dockerfile lexer would refuse (an unmatched quote, a bad `${…}`); the build fails on it too. */
export class ShellWordError extends Error {}

type Vars = ReadonlyMap<string, string | undefined>;

/**
 * One word of a Dockerfile instruction (a COPY source, an ENV value, a FROM reference) as BuildKit's
 * lexer reads it: single quotes literal, double quotes with `$` expanded inside and `\"`, `\$`, `\\`
 * escaped, the escape character (`\`, or `` ` `` with `# escape=`) taking the next character as it is,
 * and every substitution the Dockerfile frontend knows: `$name`, `${name}`, `${name:-word}`,
 * `${name-word}`, `${name:+word}`, `${name+word}`, `${name:?message}`, `${name?message}`,
 * `${name#pattern}`, `${name##pattern}`, `${name%pattern}`, `${name%%pattern}`,
 * `${name/pattern/replacement}` and `${name//pattern/replacement}` (patterns with `*` and `?`).
 * An unset variable is empty. Throws ShellWordError where BuildKit fails the build.
 */
export function processShellWord(word: string, vars: Vars, escape = '\\'): string {
  let at = 0;
  const peek = (): string | undefined => word[at];
  const next = (): string | undefined => word[at++];
  const lookup = (name: string): { set: boolean; value: string } => {
    const value = vars.get(name);
    return value === undefined ? { set: false, value: '' } : { set: true, value };
  };

  /** Characters up to `stop` (consumed), `$` expanded and quotes read; to the end when `stop` is undefined. */
  const until = (stop: string | undefined, rawEscapes: boolean): string => {
    let out = '';
    while (at < word.length) {
      const ch = peek()!;
      if (stop !== undefined && ch === stop) {
        at++;
        return out;
      }
      if (ch === '$') out += dollar();
      else if (ch === "'") out += singleQuoted();
      else if (ch === '"') out += doubleQuoted(rawEscapes);
      else {
        at++;
        if (ch === escape) {
          if (rawEscapes) out += ch;
          const escaped = next();
          if (escaped === undefined) break;
          out += escaped;
        } else out += ch;
      }
    }
    if (stop !== undefined) throw new ShellWordError(`unexpected end of "${word}" while looking for a matching ${stop}`);
    return out;
  };

  const singleQuoted = (): string => {
    at++;
    const end = word.indexOf("'", at);
    if (end < 0) throw new ShellWordError(`unexpected end of "${word}" while looking for a matching single quote`);
    const text = word.slice(at, end);
    at = end + 1;
    return text;
  };

  const doubleQuoted = (rawEscapes: boolean): string => {
    at++;
    let out = '';
    for (;;) {
      const ch = peek();
      if (ch === undefined) throw new ShellWordError(`unexpected end of "${word}" while looking for a matching double quote`);
      if (ch === '"') {
        at++;
        return out;
      }
      if (ch === '$') {
        out += dollar();
        continue;
      }
      at++;
      if (ch === escape) {
        if (rawEscapes) out += ch;
        const following = peek();
        if (following === undefined) continue;
        // Only these are escaped inside double quotes; any other escape stays as written.
        if (following === '"' || following === '$' || following === escape) {
          out += following;
          at++;
          continue;
        }
      }
      out += ch;
    }
  };

  const name = (): string => {
    let out = '';
    if (/[0-9]/.test(peek() ?? '')) {
      while (/[0-9]/.test(peek() ?? '')) out += next();
      return out;
    }
    while (/[A-Za-z0-9_]/.test(peek() ?? '')) out += next();
    return out;
  };

  const dollar = (): string => {
    at++;
    if (peek() !== '{') {
      const bare = name();
      return bare === '' ? '$' : lookup(bare).value;
    }
    at++;
    const first = peek();
    if (first === undefined) throw new ShellWordError(`missing } in "${word}"`);
    if (first === '{' || first === '}' || first === ':') throw new ShellWordError(`bad substitution in "${word}"`);
    const variable = name();
    let modifier = next();
    if (modifier === undefined) throw new ShellWordError(`unexpected end of "${word}" while looking for a matching }`);
    if (modifier === '}') return lookup(variable).value;
    if (modifier === '/') {
      const all = peek() === '/';
      if (all) at++;
      const pattern = until('/', true);
      const replacement = until('}', true);
      const { value } = lookup(variable);
      const expression = shellPattern(pattern, true, false);
      // A function, so `$&` and the like in the replacement stay as written.
      return all ? value.replace(new RegExp(expression.source, 'g'), () => replacement) : value.replace(expression, () => replacement);
    }
    let nullIsUnset = false;
    let shown = modifier ?? '';
    if (modifier === ':') {
      nullIsUnset = true;
      modifier = next();
      shown += modifier ?? '';
    }
    if (modifier === undefined || !['-', '+', '?', '#', '%'].includes(modifier)) throw new ShellWordError(`unsupported modifier (${shown}) in "${word}"`);
    const raw = modifier === '#' || modifier === '%';
    if (nullIsUnset && raw) throw new ShellWordError(`unsupported modifier (${shown}) in "${word}"`);
    let operand = until('}', raw);
    const { set, value } = lookup(variable);
    const empty = !set || (nullIsUnset && value === '');
    switch (modifier) {
      case '-':
        return empty ? operand : value;
      case '+':
        return empty ? '' : operand;
      case '?':
        if (empty) throw new ShellWordError(`${variable}: ${operand || (set ? 'is not allowed to be empty' : 'is not allowed to be unset')}`);
        return value;
      default: {
        // One character: the shortest match; doubled: the longest.
        const greedy = operand.startsWith(modifier);
        if (greedy) operand = operand.slice(1);
        if (modifier === '#') return trimStart(value, operand, greedy);
        // The shortest match at the end: the same search on the reversed value and pattern.
        return reverse(trimStart(reverse(value), reversePattern(operand), greedy));
      }
    }
  };

  return until(undefined, false);
}

function trimStart(value: string, pattern: string, greedy: boolean): string {
  const match = shellPattern(pattern, greedy, true).exec(value);
  return match ? value.slice(match[0].length) : value;
}

/** A `${…}` pattern as a regular expression: `*` any run (shortest unless greedy), `?` one character, `\*` `\?` `\\` literal. */
function shellPattern(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  let source = anchored ? '^' : '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') source += greedy ? '[\\s\\S]*' : '[\\s\\S]*?';
    else if (ch === '?') source += '[\\s\\S]';
    else if (ch === '\\') {
      const escaped = pattern[i + 1];
      // `\}` and `\/` only let the pattern hold those characters.
      if (escaped === '}' || escaped === '/') continue;
      if (escaped !== '*' && escaped !== '?' && escaped !== '\\') throw new ShellWordError(`invalid escape '\\${escaped ?? ''}' in the pattern ${pattern}`);
      source += `\\${escaped}`;
      i++;
    } else source += ch.replace(/[[\]{}.+()|^$]/, '\\$&');
  }
  return new RegExp(source);
}

function reverse(text: string): string {
  return [...text].reverse().join('');
}

/** A pattern reversed, each escape kept before the character it escapes (`a\*c` → `c\*a`). */
function reversePattern(pattern: string): string {
  const tokens: string[] = [];
  for (let i = 0; i < pattern.length; i++) tokens.push(pattern[i] === '\\' && i + 1 < pattern.length ? pattern[i] + pattern[++i] : pattern[i]);
  return tokens.reverse().join('');
}

/**
 * The whitespace-separated words of an instruction's arguments with quotes and escapes kept as
 * written (`ENV A="x y" B=1` → `A="x y"`, `B=1`): how ARG and ENV declarations are split before each
 * value is read (see processShellWord). An unmatched quote runs to the end.
 */
export function shellWords(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      current += ch + text[++i];
      continue;
    }
    if (quote) {
      if (ch === quote) quote = undefined;
      current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (/\s/.test(ch)) {
      if (current) words.push(current);
      current = '';
    } else current += ch;
  }
  if (current) words.push(current);
  return words;
}

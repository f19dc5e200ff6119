/**
 * The part of HCL a Bake file uses, read into plain values: blocks (`target "api" { … }`) and attributes
 * (`context = "."`) whose values are strings (templates kept as written: `"ghcr.io/acme/api:${TAG}"`),
 * numbers, booleans, tuples, objects and variable references. Anything else (a function call, an
 * operator, a conditional, a `for` expression) is an Unknown: the reader of the value decides what
 * not knowing it means. Text that is not HCL throws.
 */

export class HclUnknown {
  constructor(readonly text: string) {}
}

/** A bare name used as a value (`args = { VERSION = VERSION }`). */
export class HclReference {
  constructor(readonly name: string) {}
}

export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue } | HclUnknown | HclReference;

export interface HclBlock {
  type: string;
  labels: string[];
  body: HclBody;
}

export interface HclBody {
  attributes: Record<string, HclValue>;
  blocks: HclBlock[];
}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct' | 'newline' | 'heredoc'; text: string; at: number };

export class HclSyntaxError extends Error {
  constructor(what: string, at: number) {
    super(`${what} at offset ${at}`);
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n', at: i++ });
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new HclSyntaxError('an unclosed comment', i);
      i = end + 2;
    } else if (c === '"') {
      // A template: kept as written (escapes decoded), `${…}` inside may hold quotes of its own.
      const start = i++;
      let value = '';
      let depth = 0;
      for (; ; i++) {
        if (i >= text.length || (text[i] === '\n' && depth === 0)) throw new HclSyntaxError('an unclosed string', start);
        const ch = text[i];
        if (depth === 0 && ch === '"') break;
        if (ch === '\\' && depth === 0) {
          const next = text[++i];
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
          continue;
        }
        if ((ch === '$' || ch === '%') && text[i + 1] === '{' && text[i - 1] !== ch) depth++;
        else if (ch === '}' && depth > 0) depth--;
        value += ch;
      }
      i++;
      tokens.push({ kind: 'string', text: value, at: start });
    } else if (c === '<' && text[i + 1] === '<') {
      const match = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n/.exec(text.slice(i));
      if (!match) throw new HclSyntaxError('a heredoc without its marker', i);
      const bodyStart = i + match[0].length;
      const end = new RegExp(`^[ \\t]*${match[2]}[ \\t]*$`, 'm');
      const rest = text.slice(bodyStart);
      const found = end.exec(rest);
      if (!found) throw new HclSyntaxError(`a heredoc without its closing ${match[2]}`, i);
      tokens.push({ kind: 'heredoc', text: rest.slice(0, found.index), at: i });
      i = bodyStart + found.index + found[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'ident', text: match[0], at: i });
      i += match[0].length;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i))!;
      tokens.push({ kind: 'number', text: match[0], at: i });
      i += match[0].length;
    } else {
      const two = text.slice(i, i + 2);
      const punct = ['==', '!=', '<=', '>=', '&&', '||', '=>', '...'].find((op) => text.startsWith(op, i)) ?? (two === '::' ? '::' : c);
      tokens.push({ kind: 'punct', text: punct, at: i });
      i += punct.length;
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[], private readonly text: string) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private skipNewlines(): void {
    while (this.peek()?.kind === 'newline') this.i++;
  }

  private expect(text: string): void {
    const token = this.peek();
    if (token?.text !== text) throw new HclSyntaxError(`expected "${text}", found ${token ? `"${token.text}"` : 'the end'}`, token?.at ?? this.text.length);
    this.i++;
  }

  body(closing?: string): HclBody {
    const body: HclBody = { attributes: {}, blocks: [] };
    for (;;) {
      this.skipNewlines();
      const token = this.peek();
      if (!token) {
        if (closing) throw new HclSyntaxError(`expected "${closing}"`, this.text.length);
        return body;
      }
      if (closing && token.text === closing) {
        this.i++;
        return body;
      }
      if (token.kind !== 'ident') throw new HclSyntaxError(`expected a name, found "${token.text}"`, token.at);
      this.i++;
      if (this.peek()?.text === '=') {
        this.i++;
        body.attributes[token.text] = this.expression(['newline', '}']);
        continue;
      }
      const labels: string[] = [];
      while (this.peek()?.kind === 'string' || this.peek()?.kind === 'ident') labels.push(this.tokens[this.i++].text);
      this.expect('{');
      body.blocks.push({ type: token.text, labels, body: this.body('}') });
    }
  }

  /** One expression, up to a token in `ends` at depth 0 (not consumed). */
  private expression(ends: readonly string[]): HclValue {
    const start = this.i;
    const value = this.operand(ends);
    const next = this.peek();
    if (next === undefined || ends.includes(next.kind === 'newline' ? 'newline' : next.text)) return value;
    // An operator or a conditional follows: the whole expression is not a plain value.
    this.i = start;
    return new HclUnknown(this.skip(ends));
  }

  /** Skip to a token in `ends` at depth 0; the text skipped. */
  private skip(ends: readonly string[]): string {
    const from = this.peek()?.at ?? this.text.length;
    let depth = 0;
    for (;;) {
      const token = this.peek();
      if (!token) break;
      if (depth === 0 && ends.includes(token.kind === 'newline' ? 'newline' : token.text)) break;
      if (['(', '[', '{'].includes(token.text) && token.kind === 'punct') depth++;
      else if ([')', ']', '}'].includes(token.text) && token.kind === 'punct') {
        if (depth === 0) break;
        depth--;
      }
      this.i++;
    }
    return this.text.slice(from, this.peek()?.at ?? this.text.length).trim();
  }

  private operand(ends: readonly string[]): HclValue {
    const token = this.peek();
    if (!token) throw new HclSyntaxError('expected a value', this.text.length);
    if (token.kind === 'string' || token.kind === 'heredoc') {
      this.i++;
      return token.text;
    }
    if (token.kind === 'number') {
      this.i++;
      return Number(token.text);
    }
    if (token.kind === 'ident') {
      if (this.peek(1)?.text === '(' || this.peek(1)?.text === '.' || this.peek(1)?.text === '[') return new HclUnknown(this.skip(ends));
      this.i++;
      if (token.text === 'true' || token.text === 'false') return token.text === 'true';
      if (token.text === 'null') return null;
      return new HclReference(token.text);
    }
    if (token.text === '[') {
      this.i++;
      if (this.peek(0)?.kind === 'ident' && this.peek(0)?.text === 'for') {
        this.i--;
        return new HclUnknown(this.skip(ends));
      }
      const items: HclValue[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.peek()?.text === ']') {
          this.i++;
          return items;
        }
        items.push(this.expression([',', ']', 'newline']));
        this.skipNewlines();
        if (this.peek()?.text === ',') this.i++;
      }
    }
    if (token.text === '{') {
      this.i++;
      if (this.peek(0)?.kind === 'ident' && this.peek(0)?.text === 'for') {
        this.i--;
        return new HclUnknown(this.skip(ends));
      }
      const object: { [key: string]: HclValue } = {};
      for (;;) {
        this.skipNewlines();
        const key = this.peek();
        if (!key) throw new HclSyntaxError('an unclosed object', token.at);
        if (key.text === '}') {
          this.i++;
          return object;
        }
        if (key.kind !== 'ident' && key.kind !== 'string') throw new HclSyntaxError(`expected an object key, found "${key.text}"`, key.at);
        this.i++;
        if (this.peek()?.text !== '=' && this.peek()?.text !== ':') throw new HclSyntaxError(`expected "=" after ${key.text}`, key.at);
        this.i++;
        object[key.text] = this.expression([',', '}', 'newline']);
        this.skipNewlines();
        if (this.peek()?.text === ',') this.i++;
      }
    }
    return new HclUnknown(this.skip(ends));
  }
}

/** An HCL file's top-level body. */
export function parseHcl(text: string): HclBody {
  return new Parser(tokenize(text), text).body();
}

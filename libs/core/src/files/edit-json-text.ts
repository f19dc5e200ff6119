import { applyEdits, findNodeAtLocation, type JSONPath, modify, parse, parseTree } from 'jsonc-parser';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Lines longer than this get their arrays one item per line, as Prettier, Biome and oxfmt print them. */
const PRINT_WIDTH = 80;

/**
 * `original` (JSON or JSONC text) edited to hold `next`, by the least edits: the properties that changed, were added
 * or were removed; every other line (its layout, its comments) left as it was, and what is new written in the file's
 * own indentation and line endings (short arrays of plain values on one line). What a generator writes to a user's
 * package.json or turbo.json this way is a diff of what it added, not the file reprinted in another style.
 */
export function editJsonText(original: string, next: unknown): string {
  const unit = /^[ \t]+(?=\S)/m.exec(original)?.[0] ?? '  ';
  const eol = original.includes('\r\n') ? '\r\n' : '\n';
  let text = original;
  const replace = (offset: number, length: number, content: string) => {
    text = text.slice(0, offset) + content + text.slice(offset + length);
  };
  const walk = (path: JSONPath, before: unknown, after: unknown) => {
    if (isRecord(before) && isRecord(after)) {
      for (const key of Object.keys(before)) if (!(key in after)) text = applyEdits(text, modify(text, [...path, key], undefined, {}));
      for (const [key, value] of Object.entries(after)) {
        if (key in before) walk([...path, key], before[key], value);
        else add(path, key, value);
      }
      return;
    }
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    const node = findNodeAtLocation(parseTree(text)!, path) ?? (path.length === 0 ? parseTree(text) : undefined);
    if (!node) return;
    // Items added after the ones there (nx.json's plugins gaining an entry): appended, the others left as written.
    if (Array.isArray(before) && Array.isArray(after) && before.length > 0 && after.length > before.length && before.every((item, i) => JSON.stringify(item) === JSON.stringify(after[i]))) {
      const last = node.children?.at(-1);
      if (node.type === 'array' && last) {
        const pad = unit.repeat(path.length + 1);
        const multiline = text.slice(node.offset, node.offset + node.length).includes('\n');
        const added = after.slice(before.length).map((item) => (multiline ? `,${eol}${pad}` : ', ') + printed(item, path.length + 1, unit, eol, multiline ? pad.length : 0)).join('');
        replace(last.offset + last.length, 0, added);
        return;
      }
    }
    replace(node.offset, node.length, printed(after, path.length, unit, eol, lineStart(text, node.offset)));
  };
  const add = (path: JSONPath, key: string, value: unknown) => {
    const object = path.length ? findNodeAtLocation(parseTree(text)!, path) : parseTree(text);
    if (!object || object.type !== 'object') return;
    const pad = unit.repeat(path.length + 1);
    const property = `${JSON.stringify(key)}: ${printed(value, path.length + 1, unit, eol, pad.length + JSON.stringify(key).length + 2)}`;
    const last = object.children?.at(-1);
    if (last) replace(last.offset + last.length, 0, `,${eol}${pad}${property}`);
    else replace(object.offset, object.length, `{${eol}${pad}${property}${eol}${unit.repeat(path.length)}}`);
  };
  walk([], parse(original, [], { allowTrailingComma: true }), next);
  return text;
}

/** The column `offset` is at in its line. */
function lineStart(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** `value` as JSON at nesting `level`, its first line starting at `column`: objects one property per line, short arrays of plain values inline. */
function printed(value: unknown, level: number, unit: string, eol: string, column: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inline = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    if (value.every((item) => !isRecord(item) && !Array.isArray(item)) && column + inline.length + 1 <= PRINT_WIDTH) return inline;
    const pad = unit.repeat(level + 1);
    return `[${eol}${value.map((item) => pad + printed(item, level + 1, unit, eol, pad.length)).join(`,${eol}`)}${eol}${unit.repeat(level)}]`;
  }
  if (isRecord(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const pad = unit.repeat(level + 1);
    return `{${eol}${entries.map(([key, item]) => `${pad}${JSON.stringify(key)}: ${printed(item, level + 1, unit, eol, pad.length + JSON.stringify(key).length + 2)}`).join(`,${eol}`)}${eol}${unit.repeat(level)}}`;
  }
  return JSON.stringify(value);
}

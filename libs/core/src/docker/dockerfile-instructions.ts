/** One Dockerfile instruction with its continuation lines joined. */
export interface Instruction {
  /** Upper-cased keyword, e.g. `COPY`. */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  rest: string;
  /** First line of the instruction (1-based). */
  line: number;
  /** Here-document bodies that follow the instruction, if any. */
  heredocs: string[];
}

export interface ParsedDockerfile {
  /** Parser directives at the top (`# syntax=…`, `# escape=…`), lower-cased names. */
  directives: Record<string, string>;
  instructions: Instruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

/**
 * Split a Dockerfile into instructions the way BuildKit's parser does for what
 * Hashdock needs: parser directives, the escape character, comments inside
 * continuations, and here-documents (whose bodies are never instructions).
 */
export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const directives: Record<string, string> = {};
  let index = 0;
  for (; index < lines.length; index++) {
    const match = DIRECTIVE.exec(lines[index]);
    if (!match || match[1].toLowerCase() in directives) break;
    directives[match[1].toLowerCase()] = match[2];
  }
  const escape = directives.escape === '`' ? '`' : '\\';
  const instructions: Instruction[] = [];
  let current = '';
  let start = 0;
  for (; index < lines.length; index++) {
    const trimmed = lines[index].trim();
    if (trimmed.startsWith('#') || (!current && trimmed === '')) continue;
    if (!current) start = index + 1;
    if (trimmed.endsWith(escape)) {
      current += `${trimmed.slice(0, -1)} `;
      continue;
    }
    current += trimmed;
    const keyword = current.split(/\s/, 1)[0];
    const rest = current.slice(keyword.length).trim();
    const heredocs: string[] = [];
    if (/^(RUN|COPY|ADD)$/i.test(keyword)) {
      for (const match of rest.matchAll(HEREDOC)) {
        const body: string[] = [];
        for (index++; index < lines.length; index++) {
          const candidate = match[1] ? lines[index].replace(/^\t+/, '') : lines[index];
          if (candidate === match[3]) break;
          body.push(lines[index]);
        }
        heredocs.push(body.join('\n'));
      }
    }
    instructions.push({ keyword: keyword.toUpperCase(), rest, line: start, heredocs });
    current = '';
  }
  if (current.trim()) {
    const keyword = current.trim().split(/\s/, 1)[0];
    instructions.push({ keyword: keyword.toUpperCase(), rest: current.trim().slice(keyword.length).trim(), line: start, heredocs: [] });
  }
  return { directives, instructions };
}

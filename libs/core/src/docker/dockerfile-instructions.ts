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
  /** The escape character `# escape=` sets: `\\` or `` ` ``. */
  escape: string;
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
  return { directives, escape, instructions };
}

/**
 * Why a `# syntax=` directive makes Hashdock read the Dockerfile as unknown (the whole context, docker
 * to build it), or undefined when there is none or it names Docker's own stable frontend
 * (`docker/dockerfile:1`, `:1.7`, `:1.7.1`, untagged or `:latest` (the stable 1.x),
 * `docker.io/docker/dockerfile:1…`, pinned by digest or not), whose syntax Hashdock reads: `docker init` writes `# syntax=docker/dockerfile:1` at the top of
 * every Dockerfile. Another image, a labs channel or a version 2+ is a frontend Hashdock has not read.
 */
export function otherFrontend(directives: Record<string, string>): string | undefined {
  const syntax = directives.syntax;
  if (syntax === undefined) return undefined;
  const standard = /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?docker\/dockerfile(?::1(?:\.\d+){0,2}|:latest)?(?:@sha256:[0-9a-f]{64})?$/.test(syntax.trim());
  return standard ? undefined : `the parser directive "# syntax=${syntax}" selects a frontend Hashdock does not read (docker/dockerfile:1.x is read as Docker's own)`;
}

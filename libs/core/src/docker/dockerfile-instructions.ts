import { processShellWord, ShellWordError, shellWords } from './shell-word';

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
// BuildKit's reHeredoc, matched against each word of the instruction (quotes kept): `<<EOF`, `<<-EOT`, `<<"EOF"`, `<<nginx.conf`.
const HEREDOC_WORD = /^(\d*)<<(-?)\s*([^<]*)$/;

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
  // BuildKit's lineContinuationRegex: the escape character at the end of a line (trailing blanks allowed), not itself escaped.
  const continued = escape === '`' ? /([^`])`[ \t]*$/ : /([^\\])\\[ \t]*$/;
  const instructions: Instruction[] = [];
  let current: string | undefined;
  let start = 0;
  const finish = (text: string) => {
    const trimmed = text.trim();
    const keyword = trimmed.split(/\s/, 1)[0];
    const rest = trimmed.slice(keyword.length).trim();
    const heredocs: string[] = [];
    // RUN, COPY, ADD, and those after ONBUILD, take here-documents (BuildKit's heredocDirectives and compound ones).
    const inner = keyword.toUpperCase() === 'ONBUILD' ? rest.split(/\s/, 1)[0] : keyword;
    if (/^(RUN|COPY|ADD)$/i.test(inner)) {
      for (const { name, chomp } of heredocWords(trimmed)) {
        const body: string[] = [];
        for (index++; index < lines.length; index++) {
          const candidate = chomp ? lines[index].replace(/^\t+/, '') : lines[index];
          if (candidate === name) break;
          body.push(lines[index]);
        }
        heredocs.push(body.join('\n'));
      }
    }
    instructions.push({ keyword: keyword.toUpperCase(), rest, line: start, heredocs });
    current = undefined;
  };
  for (; index < lines.length; index++) {
    const line = lines[index];
    if (current === undefined) {
      // An instruction's first line: leading blanks dropped; a comment or an empty line is nothing.
      const first = line.trimStart();
      if (first === '' || first.startsWith('#')) continue;
      start = index + 1;
      if (continued.test(first)) current = first.replace(continued, '$1');
      else finish(first);
      continue;
    }
    // A continuation line is joined as it is (no space added, its indentation kept), as BuildKit joins it;
    // comments and empty lines inside an instruction are skipped.
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (continued.test(line)) current += line.replace(continued, '$1');
    else finish(current + line);
  }
  if (current !== undefined && current.trim()) finish(current);
  return { directives, escape, instructions };
}

/**
 * The here-documents a line opens, as BuildKit finds them: each word (split as the shell splits it,
 * quotes kept) of the form `<<NAME`, `<<-NAME` (leading tabs stripped before the terminator is
 * matched) or with a file descriptor (`3<<EOF`); the name is the word after `<<` with its quotes
 * removed, and must be one word. Names are any such word, not only identifiers (`<<nginx.conf`).
 */
export function heredocWords(line: string): { name: string; chomp: boolean }[] {
  const found: { name: string; chomp: boolean }[] = [];
  for (const word of shellWords(line)) {
    const match = HEREDOC_WORD.exec(word);
    if (!match || match[3] === '') continue;
    const name = unquoted(match[3]);
    if (name !== undefined && name !== '') found.push({ name, chomp: match[2] === '-' });
  }
  return found;
}

/** One word's text as BuildKit's lexer reads a here-document's name (quotes removed); undefined when it is not one word. */
function unquoted(raw: string): string | undefined {
  if (shellWords(raw).length !== 1) return undefined;
  try {
    return processShellWord(raw, new Map());
  } catch (error) {
    if (error instanceof ShellWordError) return undefined;
    throw error;
  }
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

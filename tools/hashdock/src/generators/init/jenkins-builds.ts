import { posix } from 'node:path';
import { bakeCommands } from './bake-calls';
import { addFileBuilds, CommandBuild, commandSegments, dockerBuildOf, dockerBuildsIn, UnfollowedBuild, unfollowedIn } from './docker-build-command';

/** Jenkins' pipeline file, at the workspace root (where the checkout is). */
export const JENKINS_FILE = 'Jenkinsfile';

/** One image a Jenkinsfile builds. */
export interface JenkinsBuild extends CommandBuild {
  file: string;
}

type Token = { kind: 'string'; value: string; at: number } | { kind: 'punct'; value: string; at: number } | { kind: 'word'; value: string; at: number };

/** Groovy's tokens as far as the builds need them: string literals (escapes decoded, `${…}` kept), words, punctuation; comments skipped. */
function groovyTokens(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (text.startsWith('//', i)) i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i) < 0 ? text.length : text.indexOf('*/', i) + 2;
    else if (c === "'" || c === '"') {
      const quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      const at = i;
      i += quote.length;
      let value = '';
      while (i < text.length && !text.startsWith(quote, i)) {
        if (text[i] === '\\' && i + 1 < text.length) {
          const next = text[i + 1];
          // A backslash before a newline continues a shell line: kept for the shell reader.
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next === '\n' ? '\\\n' : next;
          i += 2;
          continue;
        }
        value += text[i++];
      }
      i += quote.length;
      tokens.push({ kind: 'string', value, at });
    } else if (/[A-Za-z_$]/.test(c)) {
      const word = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/.exec(text.slice(i))![0];
      tokens.push({ kind: 'word', value: word, at: i });
      i += word.length;
    } else tokens.push({ kind: 'punct', value: c, at: i++ });
  }
  return tokens;
}

/**
 * The images a Jenkinsfile builds, as Jenkins runs it from the checkout (the workspace root): every string
 * that runs `docker build` (an `sh` step, single or multi-line), inside `dir('path') { … }` from that folder;
 * and the Docker Pipeline plugin's `docker.build('image', '-f apps/api/Dockerfile .')` (its second argument
 * the build's arguments and context, `.` without it); a `docker buildx bake` as its Bake files' builds (read
 * through `read`). A value with a Groovy `${…}` in it is unknown: a path holding one is left out.
 */
export function jenkinsBuilds(file: string, text: string, read: (path: string) => string | undefined = () => undefined, unfollowed?: UnfollowedBuild): JenkinsBuild[] {
  const tokens = groovyTokens(text);
  const builds: JenkinsBuild[] = [];
  const add = (found: readonly (CommandBuild | undefined)[]) => addFileBuilds(builds, file, found);
  // The folders `dir(…) { … }` blocks move to, by the brace depth they close at.
  const dirs: { path: string; depth: number }[] = [];
  let depth = 0;
  const cwd = () => dirs.at(-1)?.path ?? '.';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const [open, first, close, brace] = [tokens[i + 1], tokens[i + 2], tokens[i + 3], tokens[i + 4]];
    if (token.kind === 'word' && token.value === 'dir' && open?.value === '(' && first?.kind === 'string' && close?.value === ')' && brace?.value === '{') {
      const path = first.value.includes('$') ? undefined : posix.normalize(posix.join(cwd(), first.value));
      depth++;
      dirs.push({ path: path ?? '${unknown}', depth });
      i += 4;
      continue;
    }
    if (token.kind === 'word' && token.value === 'docker.build' && open?.value === '(' && first?.kind === 'string' && !cwd().includes('$')) {
      const args = close?.value === ',' && brace?.kind === 'string' ? brace.value : undefined;
      add([dockerBuildOf(['docker', 'build', '-t', first.value, ...(args === undefined ? ['.'] : commandSegments(args).flat())], cwd(), unfollowedIn(file, unfollowed))]);
      continue;
    }
    if (token.kind === 'punct' && token.value === '{') depth++;
    else if (token.kind === 'punct' && token.value === '}') {
      if (dirs.at(-1)?.depth === depth) dirs.pop();
      depth--;
    } else if (token.kind === 'string' && /\b(docker|podman)\b/.test(token.value) && /\b(build|bake)\b/.test(token.value) && !cwd().includes('$')) add(dockerBuildsIn(token.value, cwd(), { other: bakeCommands(read), unfollowed: unfollowedIn(file, unfollowed) }));
  }
  return builds;
}

import { posix } from 'node:path';
import { BAKE_FILES, BakeBuild, bakeBuilds } from './bake-builds';
import { CommandBuild, isLiteralPath } from './docker-build-command';

/** A `docker buildx bake` a command runs: the files it reads (workspace paths; none: bake's own names in `dir`), the targets it names, where it runs. */
export interface BakeCall {
  files: string[];
  targets: string[];
  dir: string;
}

/** `docker buildx bake` flags that take a value (as the next word or after `=`). */
const VALUED = new Set(['-f', '--file', '--set', '--progress', '--builder', '--metadata-file', '--allow', '--call', '--list', '--provenance', '--sbom']);

/**
 * The bake one command's words run (`docker buildx bake`, `docker bake`), from `dir`: its `-f` files (read from
 * `dir`) and the targets or groups it names. Undefined when a file or target is not written out (stdin, a
 * variable): which builds it runs is only known then.
 */
export function bakeCallOf(words: readonly string[], dir = '.'): BakeCall | undefined {
  const at = words.findIndex((word, i) => word === 'bake' && ['docker', 'buildx'].includes(words[i - 1] ?? ''));
  if (at < 0) return undefined;
  const files: string[] = [];
  const targets: string[] = [];
  for (let i = at + 1; i < words.length; i++) {
    const word = words[i];
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const flag = eq > 0 ? word.slice(0, eq) : word;
    const value = eq > 0 ? word.slice(eq + 1) : VALUED.has(flag) ? words[++i] : undefined;
    if (flag === '-f' || flag === '--file') {
      if (value === undefined || !isLiteralPath(value)) return undefined;
      files.push(posix.normalize(posix.join(dir, value)));
    } else if (!word.startsWith('-')) {
      if (/[$`*?]/.test(word)) return undefined;
      targets.push(word);
    }
  }
  if ([...files, dir].some((path) => path === '..' || path.startsWith('../'))) return undefined;
  return { files, targets, dir };
}

/**
 * The builds a bake call runs (see bakeBuilds), its files read through `read` (undefined: not there). Bake's
 * own file names in its folder when it names none; nothing when a file it names is not in the workspace.
 */
export function bakeCallBuilds(call: BakeCall, read: (path: string) => string | undefined): BakeBuild[] {
  const named = call.files.length ? call.files : BAKE_FILES.map((file) => posix.join(call.dir, file));
  const files = named.map((file) => ({ file, text: read(file) }));
  if (call.files.length && files.some((file) => file.text === undefined)) return [];
  return bakeBuilds(files.filter((file): file is { file: string; text: string } => file.text !== undefined), call.targets, call.dir);
}

/** For dockerBuildsIn: a command's bake, read through `read`, as the builds it runs (each saying so in `via`). */
export function bakeCommands(read: (path: string) => string | undefined): (words: readonly string[], dir: string) => CommandBuild[] | undefined {
  return (words, dir) => {
    const call = bakeCallOf(words, dir);
    return call && bakeCallBuilds(call, read).map(({ context, dockerfile, settings, file, target }) => ({ context, dockerfile, settings, via: `docker buildx bake, target "${target}" of ${file}` }));
  };
}

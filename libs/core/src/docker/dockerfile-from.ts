import { parseDockerfile } from './dockerfile-instructions';
import { initialGlobalArgs } from './platform-args';
import { processShellWord, ShellWordError, shellWords } from './shell-word';

export interface FromLine {
  /** The image as written, e.g. `${BASE_IMAGE}` or `node:24-slim`. */
  image: string;
  /** The image with the global ARGs substituted (their defaults, or the build args given). */
  resolved: string;
  /** The single build arg the image is taken from, when it is exactly `${NAME}` or `$NAME`. */
  fromArg?: string;
  stage?: string;
  /** The `--platform=` flag as written, if any. */
  platform?: string;
  line: number;
  /** Where an image other than a FROM is read: `COPY --from=<image>` or `RUN --mount=…,from=<image>`. */
  via?: 'copy' | 'mount';
  /** Why BuildKit could not expand the image as written (`resolved` is then the image as written). */
  unreadable?: string;
}

export interface DockerfileFroms {
  /** Global ARGs (before the first FROM): the build args given, else their defaults. */
  args: Record<string, string | undefined>;
  /** The global ARG instructions' arguments as written, in order (to read them again with other build args). */
  argLines: string[];
  froms: FromLine[];
}

/**
 * A FROM image (or `--from=` value) with the global ARGs substituted as BuildKit's lexer expands it
 * (see processShellWord); as written when BuildKit would refuse it (`unreadable` says why).
 */
export function substitute(value: string, args: Record<string, string | undefined>, escape = '\\'): string {
  return expandFrom(value, args, escape).value;
}

function expandFrom(value: string, args: Record<string, string | undefined>, escape: string): { value: string; unreadable?: string } {
  try {
    return { value: processShellWord(value, new Map(Object.entries(args)), escape) };
  } catch (error) {
    if (error instanceof ShellWordError) return { value, unreadable: error.message };
    throw error;
  }
}

/**
 * Global ARG declarations (an ARG line's words) into `args`, in order, as BuildKit takes them: the
 * build arg's value when one is given, else the default read with the args declared before it
 * (`ARG BASE=node:${NODE_VERSION}-slim`); a default BuildKit cannot read is left unset.
 */
export function declareGlobalArgs(args: Record<string, string | undefined>, body: string, buildArgs: Record<string, string>, escape = '\\'): void {
  for (const declaration of shellWords(body, escape)) {
    const eq = declaration.indexOf('=');
    const name = eq >= 0 ? declaration.slice(0, eq) : declaration;
    if (name in buildArgs) args[name] = buildArgs[name];
    // Without a default it keeps the value it has (an automatic platform arg's, an earlier ARG's).
    else if (eq < 0) args[name] = args[name];
    else {
      const read = expandFrom(declaration.slice(eq + 1), args, escape);
      args[name] = read.unreadable === undefined ? read.value : undefined;
    }
  }
}

/**
 * The images a Dockerfile reads: global ARG defaults, every FROM, and every image (not a stage) that
 * `COPY --from=` or a `RUN --mount=…,from=` names, which BuildKit pulls as it pulls a base. Stage
 * names and indexes are left out. `buildArgs`: the values given for global ARGs (none: their defaults);
 * `platform`: the target platform (default this machine's), for the automatic platform args.
 */
export function parseDockerfileFroms(text: string, buildArgs: Record<string, string> = {}, platform?: string): DockerfileFroms {
  // BuildKit's automatic platform args first (`FROM build-${TARGETARCH}`).
  const args: Record<string, string | undefined> = initialGlobalArgs(buildArgs, platform);
  const argLines: string[] = [];
  const froms: FromLine[] = [];
  const stages = new Set<string>();
  const { escape, instructions } = parseDockerfile(text);
  const readFrom = (image: string, line: number, via: 'copy' | 'mount') => {
    if (!image || /^\d+$/.test(image)) return;
    const { value: resolved, unreadable } = expandFrom(image, args, escape);
    if (stages.has(resolved.toLowerCase())) return;
    froms.push({ image, resolved, fromArg: /^\$\{?(\w+)\}?$/.exec(image)?.[1], line, via, ...(unreadable ? { unreadable } : {}) });
  };
  for (const instruction of instructions) {
    const { line } = instruction;
    const rest = instruction.rest.split(/\s+/).filter(Boolean);
    const upper = instruction.keyword;
    if (upper === 'ARG' && froms.length === 0) {
      declareGlobalArgs(args, instruction.rest, buildArgs, escape);
      argLines.push(instruction.rest);
    } else if (upper === 'FROM') {
      const words = rest.filter((word) => !word.startsWith('--'));
      const platform = rest.find((word) => word.startsWith('--platform='))?.slice('--platform='.length);
      const image = words[0] ?? '';
      const stage = words[1]?.toUpperCase() === 'AS' ? words[2]?.toLowerCase() : undefined;
      const argMatch = /^\$\{?(\w+)\}?$/.exec(image);
      const { value: resolved, unreadable } = expandFrom(image, args, escape);
      if (!stages.has(resolved.toLowerCase())) froms.push({ image, resolved, fromArg: argMatch?.[1], stage, line, ...(platform ? { platform } : {}), ...(unreadable ? { unreadable } : {}) });
      if (stage) stages.add(stage);
    } else if (upper === 'COPY') {
      const from = rest.find((word) => word.startsWith('--from='));
      if (from) readFrom(from.slice('--from='.length), line, 'copy');
    } else if (upper === 'RUN') {
      for (const word of rest.filter((w) => w.startsWith('--mount='))) {
        const from = word.slice('--mount='.length).split(',').find((option) => option.startsWith('from='));
        if (from) readFrom(from.slice('from='.length), line, 'mount');
      }
    }
  }
  return { args, argLines, froms };
}

/** Repository part of a reference: no tag, no digest. */
export function repositoryOf(reference: string): string {
  const noDigest = reference.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Every ARG name the Dockerfile declares, in any stage. */
export function declaredArgNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const instruction of parseDockerfile(text).instructions) {
    if (instruction.keyword !== 'ARG') continue;
    for (const declaration of instruction.rest.split(/\s+/).filter(Boolean)) names.add(declaration.split('=')[0]);
  }
  return names;
}

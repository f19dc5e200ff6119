import { posix } from 'node:path';
import { ContextScope, CopySource } from '../hash/context-scope';
import { hasGlobMeta, validateGlobSyntax } from '../hash/glob-syntax';
import { Instruction, otherFrontend, ParsedDockerfile, parseDockerfile } from './dockerfile-instructions';
import { InheritedTriggers, triggerInstruction } from './onbuild-triggers';
import { initialGlobalArgs, targetPlatforms } from './platform-args';
import { processShellWord, ShellWordError, shellWords } from './shell-word';

/** Leading `--name=value` / `--name` flags of an instruction, and the words after them. */
export function instructionFlags(rest: string): { flags: { name: string; value?: string }[]; body: string } {
  const flags: { name: string; value?: string }[] = [];
  let body = rest;
  for (let match = /^--([A-Za-z-]+)(?:=(\S*))?\s*/.exec(body); match; match = /^--([A-Za-z-]+)(?:=(\S*))?\s*/.exec(body)) {
    flags.push({ name: match[1].toLowerCase(), ...(match[2] !== undefined ? { value: match[2] } : {}) });
    body = body.slice(match[0].length);
  }
  return { flags, body };
}

/** Docker's word expansion for what COPY sources use: `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}`, `\$`. */
export function expandWord(word: string, vars: ReadonlyMap<string, string | undefined>): string {
  return word.replace(/\\\$|\$\{(\w+)(?:(:?)([-+])([^}]*))?\}|\$(\w+)/g, (whole, braced, colon, operator, operand, bare) => {
    if (whole === '\\$') return '$';
    const name = braced ?? bare;
    const set = vars.has(name) && vars.get(name) !== undefined;
    const value = vars.get(name) ?? '';
    if (operator === '-') return set && (!colon || value !== '') ? value : operand;
    if (operator === '+') return set && (!colon || value !== '') ? operand : '';
    return value;
  });
}

/** The words of an instruction: its JSON array form, or whitespace-separated (undefined for a malformed array). */
export function instructionWords(body: string): string[] | undefined {
  if (body.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(body);
      return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
    } catch {
      // Not JSON after all: Docker reads it as words too.
    }
  }
  return body.split(/\s+/).filter(Boolean);
}

/** `name=value` declarations of ARG and LABEL (quotes around a value removed). */
export function declarations(body: string): [string, string | undefined][] {
  return body
    .split(/\s+/)
    .filter(Boolean)
    .map((declaration) => {
      const eq = declaration.indexOf('=');
      if (eq < 0) return [declaration, undefined];
      let value = declaration.slice(eq + 1);
      if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
      return [declaration.slice(0, eq), value];
    });
}

/** ENV's two forms: `ENV a=1 b=2` and the legacy `ENV name value with spaces`. */
export function envDeclarations(body: string): [string, string][] {
  if (!body.includes('=')) {
    const [name, ...value] = body.split(/\s+/);
    return [[name, value.join(' ')]];
  }
  return declarations(body).map(([name, value]) => [name, value ?? '']);
}

/** Whether an ADD source is fetched from the network (a URL, or a git remote) rather than read from the context. */
export function isRemote(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^git@/.test(source);
}

/** The fields of a RUN `--mount=` value (`type=bind,from=build,source=/x`), names lower-cased. */
export function mountFields(value: string): Map<string, string> {
  return new Map(
    value.split(',').map((field) => {
      const eq = field.indexOf('=');
      return eq < 0 ? [field.toLowerCase(), 'true'] : [field.slice(0, eq).toLowerCase(), field.slice(eq + 1)];
    }),
  );
}

/**
 * What RUN's bind mounts of a context read of it: the `source` (`src`) each names, as written, or `.` for one
 * that names none (the whole context). The build context's mounts have no `from`; a named context's name it.
 */
function contextMounts(flags: { name: string; value?: string }[], named: string | undefined): string[] {
  return flags.flatMap((flag) => {
    if (flag.name !== 'mount' || !flag.value) return [];
    const fields = mountFields(flag.value);
    if ((fields.get('type') ?? 'bind') !== 'bind' || fields.get('from') !== named) return [];
    return [fields.get('source') ?? fields.get('src') ?? '.'];
  });
}

/** ENV's declarations, values as written: `ENV a=1 b="x y"`, or the legacy `ENV name value with spaces`. */
function envPairs(body: string, escape: string): [string, string][] {
  const words = shellWords(body, escape);
  if (words.length && !words[0].includes('=')) return [[words[0], body.trim().slice(words[0].length).trim()]];
  return words.filter((word) => word.indexOf('=') > 0).map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]);
}

/** An ADD that downloads (a URL, a git remote), as the build reads it; `pinned` by `--checksum` or a full git commit. */
export interface RemoteSource {
  line: number;
  source: string;
  pinned: boolean;
}

export interface ContextScopeOptions {
  /** The ONBUILD triggers of workspace bases, by the FROM line naming them (see inheritedTriggers). */
  inherited?: ReadonlyMap<number, InheritedTriggers>;
  /** The target platform(s), `linux/amd64` or `linux/amd64,linux/arm64` (default: this machine's), for BuildKit's automatic platform args. */
  platform?: string;
  /** Told of every download an ADD makes (the target platform's reading; the walk then reads the whole file). */
  downloads?: (download: RemoteSource) => void;
  /**
   * A named build context (`docker buildx build --build-context <name>=<dir>`): what the Dockerfile reads of it
   * (`COPY --from=<name>`, `RUN --mount=from=<name>`, `FROM <name>`: all of it) instead of the build context.
   */
  named?: string;
}

/**
 * What of the build context a Dockerfile can read. Every COPY/ADD without
 * `--from` reads its sources (after ARG/ENV expansion, cleaned like Docker:
 * `/` and `..` stay inside the context); anything else that could read the
 * context (`RUN --mount` of all of it, another frontend chosen by
 * `# syntax=` other than Docker's own, a word BuildKit would refuse) means the whole context, with the reason.
 * ONBUILD triggers read the context of the build whose FROM names their image: a stage's own run where a later
 * stage builds FROM it, and those of a base image where `inherited` has them for that FROM line (a workspace base
 * with `ONBUILD COPY . /app`: an image FROM it copies its own context).
 */
export function contextScopeOf(dockerfileText: string, buildArgs: Record<string, string> = {}, options: ContextScopeOptions = {}): ContextScope {
  const parsed = parseDockerfile(dockerfileText);
  const frontend = otherFrontend(parsed.directives);
  const platforms = targetPlatforms(options.platform);
  if (frontend) {
    if (options.downloads) platformScope(parsed, buildArgs, options.inherited, platforms[0], options.downloads, options.named);
    return { kind: 'context', reason: frontend };
  }
  // Each platform may read other files (`COPY bin/app-${TARGETARCH} /app`): the scope is what any of them reads.
  const sources: CopySource[] = [];
  for (const [index, platform] of platforms.entries()) {
    const scope = platformScope(parsed, buildArgs, options.inherited, platform, index === 0 ? options.downloads : undefined, options.named);
    if (scope.kind === 'context') return scope;
    for (const source of scope.sources)
      if (!sources.some((known) => known.path === source.path && known.line === source.line && known.mounted === source.mounted)) sources.push(source);
  }
  return { kind: 'sources', sources };
}

function platformScope(
  parsed: ParsedDockerfile,
  buildArgs: Record<string, string>,
  inherited: ReadonlyMap<number, InheritedTriggers> | undefined,
  platform: string,
  downloads?: (download: RemoteSource) => void,
  named?: string,
): ContextScope {
  const { escape, instructions } = parsed;
  // BuildKit's automatic platform args are the global values before any ARG (a build arg replaces one).
  const globalArgs = new Map<string, string | undefined>(Object.entries(initialGlobalArgs(buildArgs, platform)));
  let vars = new Map<string, string | undefined>();
  // Variables whose value could not be read (BuildKit would fail on it, or it is one we cannot see): a COPY naming one reads the whole context.
  let unknown = new Set<string>();
  const globalUnknown = new Set<string>();
  // Each stage's ENV (a stage FROM it starts with it) and ONBUILD triggers (a stage FROM it runs them), by name.
  interface Stage {
    env: Map<string, string | undefined>;
    envUnknown: Set<string>;
    triggers: Instruction[];
  }
  const stages = new Map<string, Stage>();
  let stage: Stage | undefined;
  const sources: CopySource[] = [];
  const contextName = named === undefined ? 'the build context' : `the named context ${named}`;
  const whole = (instruction: Instruction, why: string, via = ''): ContextScope => ({ kind: 'context', reason: `line ${instruction.line} (${via}${instruction.keyword}) ${why}` });
  /** A declaration's value as the lexer reads it, or undefined (and the name marked unknown) where it cannot. */
  const declare = (scope: Map<string, string | undefined>, marks: Set<string>, name: string, raw: string) => {
    try {
      scope.set(name, processShellWord(raw, scope, escape));
      marks.delete(name);
    } catch (error) {
      if (!(error instanceof ShellWordError)) throw error;
      scope.set(name, undefined);
      marks.add(name);
    }
  };
  /** What one instruction reads; a scope when it means the whole context. `via` names a trigger's origin. */
  const step = (instruction: Instruction, via = ''): ContextScope | undefined => {
    const { flags, body } = instructionFlags(instruction.rest);
    switch (instruction.keyword) {
      case 'ARG':
        for (const declaration of shellWords(body, escape)) {
          const eq = declaration.indexOf('=');
          const name = eq < 0 ? declaration : declaration.slice(0, eq);
          const scope = stage ? vars : globalArgs;
          const marks = stage ? unknown : globalUnknown;
          if (name in buildArgs) {
            scope.set(name, buildArgs[name]);
            marks.delete(name);
          } else if (eq < 0) {
            // Declared without a default: inside a stage, the global one's value (or none); globally, it keeps the one it had
            // (an automatic platform arg, an earlier ARG's).
            if (stage) scope.set(name, globalArgs.get(name));
            else if (!scope.has(name)) scope.set(name, undefined);
            if (stage && globalUnknown.has(name)) marks.add(name);
          } else declare(scope, marks, name, declaration.slice(eq + 1));
        }
        break;
      case 'ENV':
        for (const [name, raw] of envPairs(body, escape)) {
          declare(vars, unknown, name, raw);
          if (!stage) continue;
          stage.env.set(name, vars.get(name));
          if (unknown.has(name)) stage.envUnknown.add(name);
          else stage.envUnknown.delete(name);
        }
        break;
      case 'RUN':
        // `--mount=type=bind,source=package.json,…` (as docker init writes) reads that path; one without a source, all of it.
        for (const raw of contextMounts(flags, named)) {
          let path: string;
          try {
            path = posix.normalize(`/${processShellWord(raw, vars, escape)}`).slice(1).replace(/\/$/, '') || '.';
          } catch (error) {
            if (!(error instanceof ShellWordError)) throw error;
            return whole(instruction, `mounts ${contextName} at a source that could not be read (${error.message})`, via);
          }
          if (path === '.') return whole(instruction, `mounts ${contextName}`, via);
          sources.push({ path, line: instruction.line, wildcard: false, mounted: true });
        }
        break;
      case 'COPY':
      case 'ADD': {
        // BuildKit reads `--from` as written (no expansion): a stage, an image, or a named context.
        if (flags.find((flag) => flag.name === 'from')?.value !== named) break;
        const list = instructionWords(body);
        if (!list || list.length < 2) return whole(instruction, 'could not be read', via);
        for (const raw of list.slice(0, -1)) {
          if (raw.startsWith('<<')) continue;
          // A download reads nothing of the context (what it fetches, the hash cannot see: the build warns, see unpinnedDownloads).
          const download = (source: string) => downloads?.({ line: instruction.line, source, pinned: flags.some((flag) => flag.name === 'checksum') || /#[0-9a-f]{40}(:|$)/i.test(source) });
          if (instruction.keyword === 'ADD' && isRemote(raw)) {
            download(raw);
            continue;
          }
          const named = [...raw.matchAll(/\$\{?(\w+)/g)].map((match) => match[1]).find((name) => unknown.has(name));
          if (named) return whole(instruction, `reads ${raw}, and the value of ${named} could not be read`, via);
          let expanded: string;
          try {
            expanded = processShellWord(raw, vars, escape);
          } catch (error) {
            if (!(error instanceof ShellWordError)) throw error;
            return whole(instruction, `could not be read (${error.message})`, via);
          }
          // BuildKit decides on the expanded word: `ADD ${TOOL_URL} /opt/` downloads too.
          if (instruction.keyword === 'ADD' && isRemote(expanded)) {
            download(expanded);
            continue;
          }
          const path = posix.normalize(`/${expanded}`).slice(1).replace(/\/$/, '') || '.';
          const wildcard = hasGlobMeta(path);
          if (wildcard && validateGlobSyntax(path)) return whole(instruction, `has the malformed wildcard ${raw}`, via);
          sources.push({ path, line: instruction.line, wildcard });
        }
        break;
      }
    }
    return undefined;
  };
  // The first reason the whole context is read; with `downloads`, the walk goes on to the end (every ADD is seen).
  let wholeContext: ContextScope | undefined;
  const settle = (scope: ContextScope | undefined): boolean => {
    if (!scope) return false;
    wholeContext ??= scope;
    return !downloads;
  };
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const { body } = instructionFlags(instruction.rest);
      const [image = '', as, name] = body.split(/\s+/);
      let parent: Stage | undefined;
      let expanded: string | undefined;
      try {
        expanded = processShellWord(image, globalArgs, escape);
        parent = stages.get(expanded.toLowerCase());
      } catch (error) {
        if (!(error instanceof ShellWordError)) throw error;
      }
      // A stage FROM the named context starts with all of it (as its root filesystem).
      if (named !== undefined && !parent && expanded === named && settle(whole(instruction, `builds FROM the named context ${named}`))) return wholeContext!;
      // A stage built FROM an earlier one starts with its ENV (ARGs are not carried over).
      vars = new Map(parent?.env);
      unknown = new Set(parent?.envUnknown);
      stage = { env: new Map(parent?.env), envUnknown: new Set(parent?.envUnknown), triggers: [] };
      if (as?.toLowerCase() === 'as' && name) stages.set(name.toLowerCase(), stage);
      // The image's ONBUILD triggers run first, in this build (and are not passed on).
      for (const trigger of parent?.triggers ?? []) {
        const scope = step(trigger, 'ONBUILD ');
        if (settle(scope)) return wholeContext!;
      }
      const base = inherited?.get(instruction.line);
      for (const text of base?.triggers ?? []) {
        const trigger = triggerInstruction(text, instruction.line);
        const scope = trigger && step(trigger, `${base!.image}'s ONBUILD `);
        if (settle(scope)) return wholeContext!;
      }
      continue;
    }
    if (instruction.keyword === 'ONBUILD') {
      const trigger = triggerInstruction(instruction.rest, instruction.line);
      if (trigger && stage) stage.triggers.push(trigger);
      continue;
    }
    const scope = step(instruction);
    if (settle(scope)) return wholeContext!;
  }
  return wholeContext ?? { kind: 'sources', sources };
}

/**
 * The build args that can change what a Dockerfile reads: those named in a
 * FROM line, a COPY/ADD source or `--from`, or a RUN mount's `from` or `source`. Other
 * args (used by RUN or ENV alone) shape the image, which the content hash
 * covers, but not which files or bases it reads.
 */
export function inputShapingArgs(dockerfileText: string): Set<string> {
  const names = new Set<string>();
  const referenced = (text: string) => [...text.matchAll(/\$\{(\w+)|\$(\w+)/g)].map((match) => match[1] ?? match[2]);
  const collect = (text: string) => {
    for (const name of referenced(text)) names.add(name);
  };
  // What each ARG default or ENV value is built from (`ARG DIR=${ROOT}/dist`): those shape what it shapes.
  const builtFrom = new Map<string, Set<string>>();
  const { escape, instructions } = parseDockerfile(dockerfileText);
  for (const instruction of instructions) {
    if (instruction.keyword !== 'ARG' && instruction.keyword !== 'ENV') continue;
    for (const word of shellWords(instruction.rest, escape)) {
      const eq = word.indexOf('=');
      if (eq <= 0) continue;
      const name = word.slice(0, eq);
      builtFrom.set(name, new Set([...(builtFrom.get(name) ?? []), ...referenced(word.slice(eq + 1))]));
    }
  }
  for (const instruction of instructions) {
    const { flags, body } = instructionFlags(instruction.rest);
    if (instruction.keyword === 'FROM') collect(body.split(/\s+/)[0] ?? '');
    if (instruction.keyword === 'COPY' || instruction.keyword === 'ADD') {
      for (const flag of flags) if (flag.name === 'from') collect(flag.value ?? '');
      if (!flags.some((flag) => flag.name === 'from')) collect((instructionWords(body) ?? []).slice(0, -1).join(' '));
    }
    if (instruction.keyword === 'RUN')
      for (const flag of flags) {
        if (flag.name !== 'mount' || !flag.value) continue;
        const fields = mountFields(flag.value);
        collect(`${fields.get('from') ?? ''} ${fields.get('source') ?? fields.get('src') ?? ''}`);
      }
  }
  for (const queue = [...names]; queue.length; ) {
    for (const source of builtFrom.get(queue.pop()!) ?? []) {
      if (names.has(source)) continue;
      names.add(source);
      queue.push(source);
    }
  }
  return names;
}

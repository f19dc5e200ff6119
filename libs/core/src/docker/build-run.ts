import { parseDockerfile } from './dockerfile-instructions';

/** Package managers whose scripts a RUN may call, directly (`pnpm build`) or through `run`. */
const PACKAGE_MANAGERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
/** Their options that take the next word as a value (`--filter web`, `-w web`, `--prefix app`). */
const VALUE_OPTIONS = new Set(['--filter', '-F', '-w', '--workspace', '--prefix', '-C', '--dir', '--cwd', '--scope', '--filter-prod']);
/** Tools whose `build` subcommand builds a project's sources. */
const BUILD_SUBCOMMAND = new Set([
  'turbo', 'next', 'vite', 'nest', 'nuxt', 'nuxi', 'astro', 'remix', 'react-router', 'ng', 'react-scripts', 'vue-cli-service', 'parcel',
  'rsbuild', 'rspack', 'svelte-kit', 'gatsby', 'docusaurus', 'go', 'cargo', 'dotnet',
]);
/** Compilers and bundlers that build whatever their arguments say. */
const COMPILERS = new Set(['tsc', 'tsup', 'webpack', 'rollup', 'esbuild', 'swc', 'babel', 'ncc', 'unbuild', 'pkgroll']);
/** Wrappers in front of the command that runs: `npx next build`, `pnpm exec tsc`, `corepack pnpm build`. */
const WRAPPERS = new Set(['npx', 'pnpx', 'bunx', 'corepack', 'exec', 'dlx', 'env', 'time', 'nice']);
const BUILD_SCRIPT = /^build(?:$|:)/;

/** The words of one simple command, its variable assignments and wrappers dropped, the command's base name first. */
function commandWords(words: readonly string[]): string[] {
  let rest = [...words];
  for (;;) {
    while (rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[0])) rest = rest.slice(1);
    const name = rest[0]?.split('/').pop() ?? '';
    if (WRAPPERS.has(name)) rest = rest.slice(1);
    else if (PACKAGE_MANAGERS.has(name) && (rest[1] === 'exec' || rest[1] === 'dlx')) rest = rest.slice(2);
    // `pnpm turbo run build`, `yarn next build`: a package manager runs a tool's bin by its name.
    else if (PACKAGE_MANAGERS.has(name) && (rest[1] === 'nx' || BUILD_SUBCOMMAND.has(rest[1] ?? '') || COMPILERS.has(rest[1] ?? ''))) rest = rest.slice(1);
    else break;
    // A wrapper's own options (`npx --yes next build`, `env -u X`).
    while (rest.length && rest[0].startsWith('-')) rest = rest.slice(1);
  }
  return rest.length ? [rest[0].split('/').pop()!, ...rest.slice(1)] : [];
}

/** The words after the command that are not its options (or their values). */
function operands(words: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 1; i < words.length; i++) {
    if (VALUE_OPTIONS.has(words[i])) i++;
    else if (!words[i].startsWith('-')) found.push(words[i]);
  }
  return found;
}

/** Whether one simple command builds sources. */
function buildsSources(words: readonly string[]): boolean {
  const [command, ...args] = words;
  if (command === undefined) return false;
  const [first, second, third] = operands(words);
  if (PACKAGE_MANAGERS.has(command)) {
    // `npm run build`, `pnpm --filter web build`, `yarn workspace web build`, `pnpm -r run build:prod`.
    if (first === 'workspace') return BUILD_SCRIPT.test(third === 'run' ? (operands(words)[3] ?? '') : (third ?? ''));
    if (first === 'workspaces' && second === 'foreach') return words.some((word) => BUILD_SCRIPT.test(word));
    return BUILD_SCRIPT.test(first === 'run' || first === 'run-script' ? (second ?? '') : (first ?? ''));
  }
  if (command === 'nx') {
    // `nx build web`, `nx run web:build`, `nx run-many -t build`, `nx affected --target=build`.
    if (BUILD_SCRIPT.test(first ?? '')) return true;
    if (first === 'run') return /:build(?:$|:)/.test(second ?? '');
    return args.some((word, i) => (['-t', '--target', '--targets'].includes(args[i - 1] ?? '') && word.split(',').some((name) => BUILD_SCRIPT.test(name))) || /^--targets?=(?:[^,]*,)*build(?:$|[:,])/.test(word));
  }
  if (command === 'turbo') return BUILD_SCRIPT.test(first === 'run' ? (second ?? '') : (first ?? ''));
  if (BUILD_SUBCOMMAND.has(command)) return first === 'build' || (command === 'dotnet' && first === 'publish');
  if (command === 'mvn' || command === 'mvnw' || command === 'gradle' || command === 'gradlew')
    return args.some((word) => ['package', 'install', 'verify', 'build', 'assemble', 'bootJar', 'installDist', 'shadowJar'].includes(word));
  return COMPILERS.has(command);
}

/**
 * A RUN's shell text as simple commands, each as words (quotes removed, expansions kept as written): split at `&&`,
 * `||`, `;`, `|` and line ends outside quotes and `$(…)`, words at blanks there (`TOKEN=$(cat /run/secrets/t) pnpm
 * run build` is an assignment and a command), control words in front (`then`, `do`, `else`, `if`, `!`) dropped.
 */
function simpleCommands(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let quote = '';
  let depth = 0;
  const endWord = () => {
    if (word) words.push(word.replace(/^(["'])(.*)\1$/, '$2'));
    word = '';
  };
  const endCommand = () => {
    endWord();
    while (words.length && ['then', 'do', 'else', 'if', 'while', 'until', '!', '{', '('].includes(words[0])) words.shift();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
      word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word += c;
    } else if (c === '$' && text[i + 1] === '(') {
      depth++;
      word += '$(';
      i++;
    } else if (depth > 0) {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      word += c;
    } else if (c === '&' && text[i + 1] === '&') {
      endCommand();
      i++;
    } else if (c === ';' || c === '|' || c === '\n') {
      endCommand();
      if (c === '|' && text[i + 1] === '|') i++;
    } else if (c === ' ' || c === '\t') endWord();
    else word += c;
  }
  endCommand();
  return commands;
}

/**
 * The first RUN of a Dockerfile that builds sources inside the image: a package manager's build script, turbo's or
 * Nx's build, a framework's or compiler's (`next build`, `tsc`, `go build`, `mvn package`). Such an image is built
 * from the sources in its context, not from what a build on the host wrote, so its target need not wait for the
 * project's build. The command as written (one line), or undefined.
 */
export function buildRunIn(dockerfileText: string): string | undefined {
  for (const instruction of parseDockerfile(dockerfileText).instructions) {
    if (instruction.keyword !== 'RUN') continue;
    // RUN's own flags first (`--mount=…`, `--network=none`); the exec form is one command.
    const rest = instruction.rest.replace(/^(?:--\S+\s+)+/, '');
    let commands: string[][];
    if (rest.startsWith('[')) {
      try {
        const words = JSON.parse(rest) as unknown;
        commands = Array.isArray(words) && words.every((word) => typeof word === 'string') ? [words as string[]] : [];
      } catch {
        commands = simpleCommands(rest);
      }
    } else commands = [...simpleCommands(rest), ...instruction.heredocs.flatMap(simpleCommands)];
    for (const words of commands) if (buildsSources(commandWords(words))) return words.join(' ');
  }
  return undefined;
}

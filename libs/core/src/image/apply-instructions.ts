import { posix } from 'node:path';
import { HashdockError } from '../errors';
import { envDeclarations, expandWord, instructionFlags, instructionWords } from '../docker/context-reads';
import { parseDockerfile } from '../docker/dockerfile-instructions';
import { initialGlobalArgs } from '../docker/platform-args';

/** The runtime part of an image config (`config` in the OCI/Docker image JSON). */
export interface RuntimeConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  Shell?: string[];
  /** ONBUILD triggers: run by a build FROM the image, which then carries none of them. */
  OnBuild?: string[] | null;
  [field: string]: unknown;
}

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyStep {
  kind: 'copy';
  line: number;
  createdBy: string;
  /** Context-relative sources as written (after expansion), possibly wildcards. */
  sources: string[];
  /** Absolute destination; a trailing `/` means "into this directory". */
  dest: string;
  owner?: Owner;
  chmod?: number;
}

export interface WorkdirStep {
  kind: 'workdir';
  line: number;
  createdBy: string;
  path: string;
  /** WORKDIR creates missing directories owned by the current USER (BuildKit). */
  owner?: Owner;
}

export type LayerStep = CopyStep | WorkdirStep;

export interface AppliedInstructions {
  config: RuntimeConfig;
  /** Steps that may add a layer, in order, each with its history entry. */
  steps: LayerStep[];
  /** History entries of config-only instructions interleaved with the layer steps: `step` indexes into steps. */
  history: ({ createdBy: string; emptyLayer: true } | { step: number })[];
}

export class RegistryBuildUnsupportedError extends HashdockError {
  constructor(dockerfile: string, line: number, detail: string) {
    super('REGISTRY_BUILD_UNSUPPORTED', `${dockerfile}:${line}: ${detail}; this image needs the docker builder.`);
  }
}

/** Words with Docker's quoting (double quotes with backslash escapes, single quotes literal). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += text[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started || current) words.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started || current) words.push(current);
  return words;
}

/** `k=v k2="v 2"` pairs (LABEL, ENV), expanded with `vars`. */
function keyValues(body: string, vars: ReadonlyMap<string, string | undefined>): [string, string][] {
  if (!body.includes('=')) return envDeclarations(body).map(([name, value]) => [name, expandWord(value, vars)]);
  return shellWords(body).map((word) => {
    const eq = word.indexOf('=');
    return eq < 0 ? [word, ''] : [expandWord(word.slice(0, eq), vars), expandWord(word.slice(eq + 1), vars)];
  });
}

/** Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds, as Docker stores health check timings. */
export function durationNs(text: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let rest = text;
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!match) throw new Error(`not a duration: ${text}`);
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}

/**
 * Apply a single-stage Dockerfile (already found eligible) to its base's
 * config with Docker's semantics: ARG/ENV expansion (ENV wins over ARG),
 * WORKDIR relative to the current one, ENTRYPOINT resetting an inherited CMD,
 * EXPOSE as `port/proto`, shell-form CMD/ENTRYPOINT through the config's
 * Shell, HEALTHCHECK timings in nanoseconds. Layer steps (COPY, WORKDIR) are
 * returned for the layer builder.
 */
export function applyInstructions(
  dockerfile: string,
  dockerfileText: string,
  base: RuntimeConfig,
  buildArgs: Record<string, string>,
  resolveOwner: (spec: string, line: number) => Owner,
  /** The one platform this image is for: BuildKit's automatic platform args (TARGETARCH…) are its. */
  platform?: string,
): AppliedInstructions {
  const config: RuntimeConfig = structuredClone(base);
  const steps: LayerStep[] = [];
  const history: AppliedInstructions['history'] = [];
  const globalArgs = new Map<string, string | undefined>(Object.entries(initialGlobalArgs(buildArgs, platform)));
  const args = new Map<string, string | undefined>();
  let inStage = false;
  let cmdSet = false;
  const env = () => new Map((config.Env ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as [string, string]));
  const vars = () => new Map<string, string | undefined>([...args, ...env()]);
  const shellForm = (text: string) => [...(config.Shell ?? ['/bin/sh', '-c']), text];
  const execOrShell = (body: string) => (body.startsWith('[') && instructionWords(body) && JSON.parse(body) ? (JSON.parse(body) as string[]) : shellForm(body));
  const empty = (createdBy: string) => history.push({ createdBy, emptyLayer: true });

  for (const instruction of parseDockerfile(dockerfileText).instructions) {
    const { keyword, rest, line } = instruction;
    const createdBy = `${keyword} ${rest}`;
    if (keyword === 'FROM') {
      inStage = true;
      continue;
    }
    if (keyword === 'ARG') {
      for (const word of shellWords(rest)) {
        const eq = word.indexOf('=');
        const name = eq < 0 ? word : word.slice(0, eq);
        const fallback = eq < 0 ? undefined : word.slice(eq + 1);
        // Without a default: in the stage, the global value; globally, the one it had (an automatic platform arg's, an earlier ARG's).
        const value = name in buildArgs ? buildArgs[name] : fallback !== undefined ? expandWord(fallback, inStage ? vars() : globalArgs) : globalArgs.get(name);
        (inStage ? args : globalArgs).set(name, value);
      }
      if (inStage) empty(createdBy);
      continue;
    }
    const { flags, body } = instructionFlags(rest);
    // Everything but COPY and WORKDIR only changes the config: a history entry with no layer.
    if (keyword !== 'COPY' && keyword !== 'WORKDIR') empty(createdBy);
    switch (keyword) {
      case 'ENV': {
        const current = vars();
        const updates = keyValues(body, current);
        const entries = env();
        for (const [name, value] of updates) entries.set(name, value);
        config.Env = [...entries].map(([name, value]) => `${name}=${value}`);
        break;
      }
      case 'LABEL':
        config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(keyValues(body, vars())) };
        break;
      case 'USER':
        config.User = expandWord(body.trim(), vars());
        break;
      case 'EXPOSE': {
        const ports = { ...(config.ExposedPorts ?? {}) };
        for (const word of shellWords(body)) {
          const [range, proto = 'tcp'] = expandWord(word, vars()).split('/');
          const [from, to = from] = range.split('-').map(Number);
          if (!Number.isInteger(from) || !Number.isInteger(to)) throw new RegistryBuildUnsupportedError(dockerfile, line, `EXPOSE ${word} is not a port`);
          for (let port = from; port <= to; port++) ports[`${port}/${proto.toLowerCase()}`] = {};
        }
        config.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const list = body.startsWith('[') ? (instructionWords(body) ?? []) : shellWords(body);
        config.Volumes = { ...(config.Volumes ?? {}), ...Object.fromEntries(list.map((path) => [expandWord(path, vars()), {}])) };
        break;
      }
      case 'STOPSIGNAL':
        config.StopSignal = expandWord(body.trim(), vars());
        break;
      case 'CMD':
        config.Cmd = execOrShell(body);
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = execOrShell(body);
        if (!cmdSet) config.Cmd = null;
        break;
      case 'HEALTHCHECK': {
        if (body.trim().toUpperCase() === 'NONE') config.Healthcheck = { Test: ['NONE'] };
        else {
          const command = body.replace(/^CMD\s+/i, '');
          const test = command.startsWith('[') ? ['CMD', ...(JSON.parse(command) as string[])] : ['CMD-SHELL', command];
          const check: NonNullable<RuntimeConfig['Healthcheck']> = { Test: test };
          for (const flag of flags) {
            const value = flag.value ?? '';
            if (flag.name === 'interval') check.Interval = durationNs(value);
            else if (flag.name === 'timeout') check.Timeout = durationNs(value);
            else if (flag.name === 'start-period') check.StartPeriod = durationNs(value);
            else if (flag.name === 'start-interval') check.StartInterval = durationNs(value);
            else if (flag.name === 'retries') check.Retries = Number(value);
          }
          config.Healthcheck = check;
        }
        break;
      }
      case 'WORKDIR': {
        const path = posix.resolve(config.WorkingDir || '/', expandWord(body.trim(), vars()));
        config.WorkingDir = path;
        if (path !== '/') {
          history.push({ step: steps.length });
          steps.push({ kind: 'workdir', line, createdBy, path, ...(config.User ? { owner: resolveOwner(config.User, line) } : {}) });
        } else empty(createdBy);
        break;
      }
      case 'COPY': {
        const list = body.startsWith('[') ? instructionWords(body) : shellWords(body);
        if (!list || list.length < 2) throw new RegistryBuildUnsupportedError(dockerfile, line, 'COPY could not be read');
        const current = vars();
        const words = list.map((word) => expandWord(word, current));
        const target = words[words.length - 1];
        const intoDir = target.endsWith('/') || target === '.';
        const joined = target.startsWith('/') ? target : posix.join('/', config.WorkingDir || '/', target);
        const dest = `${joined.replace(/\/+$/, '')}${intoDir || joined === '/' ? '/' : ''}`;
        const chown = flags.find((flag) => flag.name === 'chown')?.value;
        const chmod = flags.find((flag) => flag.name === 'chmod')?.value;
        if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod)) throw new RegistryBuildUnsupportedError(dockerfile, line, `COPY --chmod=${chmod} is not an octal mode`);
        history.push({ step: steps.length });
        steps.push({
          kind: 'copy',
          line,
          createdBy,
          sources: words.slice(0, -1),
          dest,
          ...(chown ? { owner: resolveOwner(expandWord(chown, current), line) } : {}),
          ...(chmod !== undefined ? { chmod: parseInt(chmod, 8) } : {}),
        });
        break;
      }
      default:
        throw new RegistryBuildUnsupportedError(dockerfile, line, `${keyword} is not applied by the registry builder`);
    }
  }
  return { config, steps, history };
}

import { parseDockerfile } from './dockerfile-instructions';

export interface FromLine {
  /** The image as written, e.g. `${BASE_IMAGE}` or `node:24-slim`. */
  image: string;
  /** The image with global ARG defaults substituted. */
  resolved: string;
  /** The single build arg the image is taken from, when it is exactly `${NAME}` or `$NAME`. */
  fromArg?: string;
  stage?: string;
  /** The `--platform=` flag as written, if any. */
  platform?: string;
  line: number;
  /** Where an image other than a FROM is read: `COPY --from=<image>` or `RUN --mount=…,from=<image>`. */
  via?: 'copy' | 'mount';
}

export interface DockerfileFroms {
  /** Global ARGs (before the first FROM) with their defaults. */
  args: Record<string, string | undefined>;
  froms: FromLine[];
}

/** A FROM image with global ARG defaults substituted, as BuildKit expands it. */
export function substitute(value: string, args: Record<string, string | undefined>): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_, braced, fallback, bare) => {
    const name = braced ?? bare;
    return args[name] ?? fallback ?? '';
  });
}

/**
 * The images a Dockerfile reads: global ARG defaults, every FROM, and every image (not a stage) that
 * `COPY --from=` or a `RUN --mount=…,from=` names, which BuildKit pulls as it pulls a base. Stage
 * names and indexes are left out.
 */
export function parseDockerfileFroms(text: string): DockerfileFroms {
  const args: Record<string, string | undefined> = {};
  const froms: FromLine[] = [];
  const stages = new Set<string>();
  const readFrom = (image: string, line: number, via: 'copy' | 'mount') => {
    if (!image || /^\d+$/.test(image)) return;
    const resolved = substitute(image, args);
    if (stages.has(resolved.toLowerCase())) return;
    froms.push({ image, resolved, fromArg: /^\$\{?(\w+)\}?$/.exec(image)?.[1], line, via });
  };
  for (const instruction of parseDockerfile(text).instructions) {
    const { line } = instruction;
    const rest = instruction.rest.split(/\s+/).filter(Boolean);
    const upper = instruction.keyword;
    if (upper === 'ARG' && froms.length === 0) {
      for (const declaration of rest) {
        const eq = declaration.indexOf('=');
        const name = eq >= 0 ? declaration.slice(0, eq) : declaration;
        let value = eq >= 0 ? declaration.slice(eq + 1) : undefined;
        if (value && /^(["']).*\1$/.test(value)) value = value.slice(1, -1);
        args[name] = value;
      }
    } else if (upper === 'FROM') {
      const words = rest.filter((word) => !word.startsWith('--'));
      const platform = rest.find((word) => word.startsWith('--platform='))?.slice('--platform='.length);
      const image = words[0] ?? '';
      const stage = words[1]?.toUpperCase() === 'AS' ? words[2]?.toLowerCase() : undefined;
      const argMatch = /^\$\{?(\w+)\}?$/.exec(image);
      const resolved = substitute(image, args);
      if (!stages.has(resolved.toLowerCase())) froms.push({ image, resolved, fromArg: argMatch?.[1], stage, line, ...(platform ? { platform } : {}) });
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
  return { args, froms };
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

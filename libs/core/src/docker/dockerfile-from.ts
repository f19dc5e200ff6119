export interface FromLine {
  /** The image as written, e.g. `${BASE_IMAGE}` or `node:24-slim`. */
  image: string;
  /** The image with global ARG defaults substituted. */
  resolved: string;
  /** The single build arg the image is taken from, when it is exactly `${NAME}` or `$NAME`. */
  fromArg?: string;
  stage?: string;
  line: number;
}

export interface DockerfileFroms {
  /** Global ARGs (before the first FROM) with their defaults. */
  args: Record<string, string | undefined>;
  froms: FromLine[];
}

/** Join continuation lines and drop comments, keeping the first line number of each instruction. */
function instructions(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let current = '';
  let start = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!current && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current && trimmed.startsWith('#')) return;
    if (!current) start = index + 1;
    if (trimmed.endsWith('\\')) {
      current += `${trimmed.slice(0, -1)} `;
      return;
    }
    current += trimmed;
    out.push({ text: current, line: start });
    current = '';
  });
  if (current) out.push({ text: current, line: start });
  return out;
}

function substitute(value: string, args: Record<string, string | undefined>): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_, braced, fallback, bare) => {
    const name = braced ?? bare;
    return args[name] ?? fallback ?? '';
  });
}

/** The base images of a Dockerfile: global ARG defaults and every FROM, with stages resolved. */
export function parseDockerfileFroms(text: string): DockerfileFroms {
  const args: Record<string, string | undefined> = {};
  const froms: FromLine[] = [];
  const stages = new Set<string>();
  for (const { text: instruction, line } of instructions(text)) {
    const [keyword, ...rest] = instruction.split(/\s+/);
    const upper = keyword.toUpperCase();
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
      const image = words[0] ?? '';
      const stage = words[1]?.toUpperCase() === 'AS' ? words[2]?.toLowerCase() : undefined;
      const argMatch = /^\$\{?(\w+)\}?$/.exec(image);
      const resolved = substitute(image, args);
      if (!stages.has(resolved.toLowerCase())) froms.push({ image, resolved, fromArg: argMatch?.[1], stage, line });
      if (stage) stages.add(stage);
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
  for (const { text: instruction } of instructions(text)) {
    const [keyword, ...rest] = instruction.split(/\s+/);
    if (keyword.toUpperCase() !== 'ARG') continue;
    for (const declaration of rest) names.add(declaration.split('=')[0]);
  }
  return names;
}

import { contextScopeOf, ContextScopeOptions } from '../docker/context-reads';
import { dockerfileStages } from '../docker/dockerfile-stages';
import { InvalidOptionError } from '../errors';
import { ContextScope } from '../hash/context-scope';

/**
 * Named build contexts (`docker buildx build --build-context <name>=<dir>`): more directories a Dockerfile reads
 * by name (`COPY --from=<name>`, `RUN --mount=from=<name>`, `FROM <name>`), or images (`<name>=docker-image://<ref>`,
 * read by digest like a FROM: hashed and pinned). A URL or git repository is content the hash cannot see.
 */

/** The value of an image named context: `docker-image://<reference>`. */
export const IMAGE_CONTEXT_PREFIX = 'docker-image://';

/** The image reference a named context's value names, or undefined for a directory. */
export function imageContextReference(value: string): string | undefined {
  return value.startsWith(IMAGE_CONTEXT_PREFIX) ? value.slice(IMAGE_CONTEXT_PREFIX.length) : undefined;
}

/** A name BuildKit matches as written in `--from=` (a lower-case image-name component). */
const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** The `buildContexts` option checked: name → directory (a path template), as given. */
export function buildContextsOption(value: unknown, where: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidOptionError('buildContexts', `${where}: option "buildContexts" must map a context name to a directory, e.g. { "api": "packages/api" }`);
  const contexts: Record<string, string> = {};
  for (const [name, dir] of Object.entries(value)) {
    if (!NAME.test(name))
      throw new InvalidOptionError('buildContexts', `${where}: named build context ${JSON.stringify(name)}: a name is what COPY --from= names (lower-case letters and digits, joined by ".", "_" or "-")`);
    if (typeof dir !== 'string' || !dir.trim())
      throw new InvalidOptionError('buildContexts', `${where}: named build context ${name} must be a directory in the workspace, got ${JSON.stringify(dir)}`);
    const image = imageContextReference(dir);
    if (image !== undefined && !/^[^\s$@]+(@sha256:[0-9a-f]{64})?$/.test(image))
      throw new InvalidOptionError('buildContexts', `${where}: named build context ${name}=${dir}: not an image reference (docker-image://<repository>[:tag][@digest], no variables)`);
    if (image === undefined && (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir) || /^(target|input|git@|oci-layout)/.test(dir)))
      throw new InvalidOptionError(
        'buildContexts',
        `${where}: named build context ${name}=${dir}: only a directory in the workspace or an image (docker-image://<ref>) can be hashed; ` +
          'for a repository or URL, check its content into the workspace.',
      );
    contexts[name] = dir;
  }
  return contexts;
}

/** A named context that shares its name with a stage replaces that stage in BuildKit: refused, naming both. */
export function checkNamedContextNames(dockerfileText: string, dockerfile: string, names: readonly string[], buildArgs: Record<string, string> = {}): void {
  const stages = new Set(dockerfileStages(dockerfileText, buildArgs).flatMap((stage) => (stage.name ? [stage.name] : [])));
  const clash = names.find((name) => stages.has(name));
  if (clash)
    throw new InvalidOptionError(
      'buildContexts',
      `Named build context ${clash} has the name of a stage of ${dockerfile}: BuildKit would build from the directory instead of that stage. Rename one of them.`,
    );
}

/** The named contexts that are directories (name → directory) and those that are images (name → reference). */
export function splitNamedContexts(contexts: Record<string, string> = {}): { dirs: Record<string, string>; images: Record<string, string> } {
  const dirs: Record<string, string> = {};
  const images: Record<string, string> = {};
  for (const [name, value] of Object.entries(contexts)) {
    const image = imageContextReference(value);
    if (image === undefined) dirs[name] = value;
    else images[name] = image;
  }
  return { dirs, images };
}

/** What the Dockerfile reads of each named context (see contextScopeOf's `named`). */
export function namedContextScopes(dockerfileText: string, buildArgs: Record<string, string>, names: readonly string[], options: Omit<ContextScopeOptions, 'named' | 'downloads'> = {}): Record<string, ContextScope> {
  return Object.fromEntries(names.map((name) => [name, contextScopeOf(dockerfileText, buildArgs, { ...options, named: name })]));
}

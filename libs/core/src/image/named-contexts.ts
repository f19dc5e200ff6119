import { contextScopeOf, ContextScopeOptions } from '../docker/context-reads';
import { dockerfileStages } from '../docker/dockerfile-stages';
import { InvalidOptionError } from '../errors';
import { ContextScope } from '../hash/context-scope';

/**
 * Named build contexts (`docker buildx build --build-context <name>=<dir>`): more directories a Dockerfile reads
 * by name (`COPY --from=<name>`, `RUN --mount=from=<name>`, `FROM <name>`). Only local directories: an image
 * (`docker-image://`) is a base, which Hashdock pins by digest through FROM and a build arg; a URL or git
 * repository is content the hash cannot see.
 */

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
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir) || /^(target|input|git@)/.test(dir))
      throw new InvalidOptionError(
        'buildContexts',
        `${where}: named build context ${name}=${dir}: only a directory in the workspace can be hashed. ` +
          'For an image, build FROM it through a build arg (Hashdock pins it by digest); for a repository or URL, check its content into the workspace.',
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

/** What the Dockerfile reads of each named context (see contextScopeOf's `named`). */
export function namedContextScopes(dockerfileText: string, buildArgs: Record<string, string>, names: readonly string[], options: Omit<ContextScopeOptions, 'named' | 'downloads'> = {}): Record<string, ContextScope> {
  return Object.fromEntries(names.map((name) => [name, contextScopeOf(dockerfileText, buildArgs, { ...options, named: name })]));
}

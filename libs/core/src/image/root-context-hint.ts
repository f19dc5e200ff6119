import { existsSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { MissingCopySourceError } from '../errors';
import { pathWithin } from '../workspace/path-within';

/**
 * A COPY source missing from a project's context but there from the workspace root (`COPY
 * dist/apps/api ./`, `COPY apps/api/dist /app`): the Dockerfile was written for `docker build -f
 * <it> .`, the most common first error of a workspace adopting Hashdock. The error then says so, and
 * how to build from the root; any other error (or a one-segment source) is returned as it is.
 */
export function rootContextHint(error: unknown, workspaceRoot: string): unknown {
  // (A named build context's source: where it is, is that option's business, not the context policy's.)
  if (!(error instanceof MissingCopySourceError) || error.named !== undefined || resolve(error.contextDir) === resolve(workspaceRoot)) return error;
  // A nested path only: a lone `dist` or `package.json` is at the root of most workspaces whatever the Dockerfile meant.
  if (!error.source.includes('/') || !existsSync(join(workspaceRoot, error.source))) return error;
  const hint =
    `"${error.source}" is there from the workspace root: this Dockerfile is written for the workspace root as its context (docker build -f ${relative(workspaceRoot, error.dockerfile)} .). ` +
    'Set the plugin option "context": "workspace" in nx.json (nx g @hashdock/nx-plugin:init --context=workspace), or this target\'s "context": "{workspaceRoot}".';
  return new MissingCopySourceError(error.dockerfile, error.line, error.source, error.contextDir, hint, { cause: error, mounted: error.mounted });
}

/** What one task the image depends on writes (its Nx outputs, workspace paths): `api:build` → `dist/apps/api`. */
export interface DependencyOutputs {
  task: string;
  paths: readonly string[];
}

/**
 * A COPY source missing from the context while the tasks the image depends on write only outside it:
 * Nx's own `nx g @nx/node:app --docker` in a workspace without TypeScript project references writes
 * `COPY dist .` for a build to `dist/apps/api`, built from `apps/api`. The error then names where the
 * build writes and both ways out. An error another hint explains already, or a context that sees some
 * output, is returned as it is.
 */
export function buildOutputHint(error: unknown, workspaceRoot: string, outputs: readonly DependencyOutputs[]): unknown {
  if (!(error instanceof MissingCopySourceError) || error.cause instanceof MissingCopySourceError || error.mounted || error.named !== undefined) return error;
  const context = relative(workspaceRoot, error.contextDir).split('\\').join('/') || '.';
  const written = outputs.filter((output) => output.paths.length > 0);
  if (written.length === 0 || written.some((output) => output.paths.some((path) => pathWithin(path, context)))) return error;
  const where = written.map((output) => `${output.task} writes ${output.paths.join(', ')}`).join('; ');
  const first = written[0].paths[0];
  const own = context === '.' ? undefined : posix.join(context, error.source);
  const hint =
    `The tasks it depends on write only outside the context ${context}: ${where}. Build from the workspace root and copy that path ` +
    `("context": "workspace", COPY ${first} …)${own ? `, or have the build write ${own} (its output path)` : ''}.`;
  return new MissingCopySourceError(error.dockerfile, error.line, error.source, error.contextDir, hint, { cause: error });
}

import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { MissingCopySourceError } from '../errors';

/**
 * A COPY source missing from a project's context but there from the workspace root (`COPY
 * dist/apps/api ./`, `COPY apps/api/dist /app`): the Dockerfile was written for `docker build -f
 * <it> .`, the most common first error of a workspace adopting Hashdock. The error then says so, and
 * how to build from the root; any other error (or a one-segment source) is returned as it is.
 */
export function rootContextHint(error: unknown, workspaceRoot: string): unknown {
  if (!(error instanceof MissingCopySourceError) || resolve(error.contextDir) === resolve(workspaceRoot)) return error;
  // A nested path only: a lone `dist` or `package.json` is at the root of most workspaces whatever the Dockerfile meant.
  if (!error.source.includes('/') || !existsSync(join(workspaceRoot, error.source))) return error;
  const hint =
    `"${error.source}" is there from the workspace root: this Dockerfile is written for the workspace root as its context (docker build -f ${relative(workspaceRoot, error.dockerfile)} .). ` +
    'Set the plugin option "context": "workspace" in nx.json (nx g @hashdock/nx-plugin:init --context=workspace), or this target\'s "context": "{workspaceRoot}".';
  return new MissingCopySourceError(error.dockerfile, error.line, error.source, error.contextDir, hint, { cause: error, mounted: error.mounted });
}

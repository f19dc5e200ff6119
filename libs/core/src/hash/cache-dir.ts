import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where Hashdock keeps a checkout's local caches: `node_modules/.cache/hashdock/`
 * (already ignored by git and by any sane `.dockerignore`), or a directory under
 * the temp dir named by the checkout's path when it has no node_modules.
 * Losing it costs time, never correctness.
 */
export function cacheDirFor(workspaceRoot: string, kind: string): string {
  const modules = join(workspaceRoot, 'node_modules');
  if (existsSync(modules)) return join(modules, '.cache', 'hashdock');
  const key = createHash('sha256').update(workspaceRoot).digest('hex').slice(0, 16);
  return join(tmpdir(), `hashdock-${kind}`, key);
}

/** A cache file of `kind` kept per registry repository (`<cache dir>/<kind>/<key><extension>`), e.g. the inputs record last built there. */
export function repositoryCacheFile(workspaceRoot: string, kind: string, repository: string, extension: string): string {
  const key = createHash('sha256').update(repository).digest('hex').slice(0, 32);
  return join(cacheDirFor(workspaceRoot, kind), kind, `${key}${extension}`);
}

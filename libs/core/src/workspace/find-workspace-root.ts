import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HashdockError } from '../errors';
import { PLUGIN_NAME } from '../names';

/** The nearest folder at or above `from` that holds nx.json: where Hashdock reads its options. */
export function findWorkspaceRoot(from: string): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new HashdockError(
        'NO_WORKSPACE',
        `No nx.json above ${from}: not inside a Hashdock workspace. Hashdock reads its options from the "${PLUGIN_NAME}" entry of ` +
          `nx.json at the workspace root; a workspace without Nx (turbo alone) needs only that file, and no Nx installed: ` +
          `{ "plugins": [{ "plugin": "${PLUGIN_NAME}", "options": { "registry": "ghcr.io", "namespace": "acme" } }] }`,
      );
    dir = parent;
  }
  return dir;
}

import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOptionError } from '../errors';

/**
 * Write each secret from its environment variable to a private temp file for
 * `--secret id=…,src=…`, run `use`, and remove the files whatever happens.
 * A missing variable is named; its value never appears in any message.
 */
export async function withSecretFiles<T>(secrets: Record<string, string> | undefined, env: NodeJS.ProcessEnv, use: (files: Record<string, string>) => Promise<T>): Promise<T> {
  const entries = Object.entries(secrets ?? {});
  if (entries.length === 0) return use({});
  for (const [id, variable] of entries) {
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) throw new InvalidOptionError('secrets', `Secret id "${id}" may use only letters, digits, ".", "_" and "-"`);
    if (env[variable] === undefined) throw new InvalidOptionError('secrets', `Secret "${id}" reads the environment variable ${variable}, which is not set`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'hashdock-secrets-'));
  try {
    await chmod(dir, 0o700);
    const files: Record<string, string> = {};
    for (const [id, variable] of entries) {
      files[id] = join(dir, id);
      await writeFile(files[id], env[variable]!, { mode: 0o600 });
    }
    return await use(files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

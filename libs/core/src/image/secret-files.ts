import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InvalidOptionError } from '../errors';
import { BUILDKIT_ID, isStringRecord } from './option-values';

/**
 * Write each secret from its environment variable to a private temp file for
 * `--secret id=…,src=…`, run `use`, and remove the files whatever happens.
 * A missing variable is named; its value never appears in any message.
 */
export async function withSecretFiles<T>(
  secrets: Record<string, string> | undefined,
  env: NodeJS.ProcessEnv,
  use: (files: Record<string, string>) => Promise<T>,
  fromFiles: Record<string, string> = {},
): Promise<T> {
  // Secrets that are files already (an .npmrc, a service account key) are passed as they are.
  for (const [id, path] of Object.entries(fromFiles))
    if (!existsSync(path)) throw new InvalidOptionError('secretFiles', `Secret file "${id}" is ${path}, which does not exist`);
  const entries = Object.entries(secrets ?? {});
  if (entries.length === 0) return use({ ...fromFiles });
  for (const [id, variable] of entries) {
    if (!BUILDKIT_ID.test(id)) throw new InvalidOptionError('secrets', `Secret id "${id}" may use only letters, digits, ".", "_" and "-"`);
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
    return await use({ ...fromFiles, ...files });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The `secretFiles` option: id → path (`~/` is the home directory, a relative
 * path is from the workspace root). Ids follow the `secrets` rule and may not
 * repeat one of them; the files are read by BuildKit only, never hashed.
 */
export function normalizeSecretFiles(value: unknown, secrets: Record<string, string> | undefined, workspaceRoot: string, where: string): Record<string, string> {
  if (!isStringRecord(value) || Object.values(value).some((path) => !path))
    throw new InvalidOptionError('secretFiles', `${where}: option "secretFiles" must be an object of id → file path, e.g. { "npmrc": "~/.npmrc" }`);
  return Object.fromEntries(
    Object.entries(value).map(([id, path]) => {
      if (!BUILDKIT_ID.test(id)) throw new InvalidOptionError('secretFiles', `${where}: secret file id "${id}" may use only letters, digits, ".", "_" and "-"`);
      if (secrets && id in secrets) throw new InvalidOptionError('secretFiles', `${where}: secret "${id}" is in both "secrets" and "secretFiles"; keep one`);
      const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
      return [id, isAbsolute(expanded) ? expanded : resolve(workspaceRoot, expanded)];
    }),
  );
}

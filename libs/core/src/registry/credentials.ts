import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HashdockError } from '../errors';
import { DOCKER_HUB_HOST } from './reference';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker's `identitytoken`), traded at the token endpoint. */
  identityToken?: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export class CredentialHelperError extends HashdockError {
  constructor(helper: string, host: string, cause: unknown) {
    super('CREDENTIAL_HELPER', `docker-credential-${helper} could not give credentials for ${host}: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
}

/** The keys docker uses for a registry host in config.json. */
function configKeys(host: string): string[] {
  if (host === DOCKER_HUB_HOST) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', DOCKER_HUB_HOST];
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`];
}

/** `HASHDOCK_CREDENTIALS_<HOST>` with non-alphanumerics as `_`, e.g. HASHDOCK_CREDENTIALS_GHCR_IO=user:token. */
export function credentialsEnvName(host: string): string {
  return `HASHDOCK_CREDENTIALS_${host.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function splitUserPass(value: string): Credentials {
  const colon = value.indexOf(':');
  return colon < 0 ? { password: value } : { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

async function fromHelper(helper: string, host: string, env: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  let stdout: string;
  try {
    // Loaded here, not at the top: the subprocess library costs ~70 ms to load, and most runs never call a helper.
    const { runCommand } = await import('../process/run-command.js');
    ({ stdout } = await runCommand(`docker-credential-${helper}`, ['get'], { input: host, env: env as Record<string, string> }));
  } catch (error) {
    // Helpers answer "credentials not found" with a non-zero exit: that is "no credentials", not a failure.
    if (/credentials not found/i.test((error as Error).message)) return undefined;
    throw new CredentialHelperError(helper, host, error);
  }
  const answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
  if (!answer.Secret) return undefined;
  return answer.Username === '<token>' ? { identityToken: answer.Secret } : { username: answer.Username, password: answer.Secret };
}

/**
 * Credentials for a registry host, the way docker finds them, after CI's
 * environment variable: HASHDOCK_CREDENTIALS_<HOST> → credHelpers[host] →
 * credsStore → auths[host]. Undefined means anonymous.
 */
export async function resolveCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const fromEnv = env[credentialsEnvName(host)];
  if (fromEnv) return splitUserPass(fromEnv);
  const configDir = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  let config: DockerConfig;
  try {
    config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const keys = configKeys(host);
  const helper = keys.map((key) => config.credHelpers?.[key]).find(Boolean);
  if (helper) return fromHelper(helper, host, env);
  if (config.credsStore) {
    const stored = await fromHelper(config.credsStore, host, env);
    if (stored) return stored;
  }
  const entry = keys.map((key) => config.auths?.[key]).find(Boolean);
  if (!entry) return undefined;
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) return splitUserPass(Buffer.from(entry.auth, 'base64').toString('utf8'));
  if (entry.username || entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InvalidOptionError } from '../errors';
import { BUILDKIT_ID } from './option-values';

/**
 * The `ssh` option as `docker build --ssh` takes it: `default` (the agent at
 * SSH_AUTH_SOCK), `<id>` (the same agent under that id), or
 * `<id>=<agent socket or key>[,<key>…]`, paths made absolute against the
 * workspace root. For `RUN --mount=type=ssh` (private git dependencies): an
 * agent or key is forwarded to that RUN only, never hashed, never in the image.
 */
export function normalizeSshForwards(values: unknown, workspaceRoot: string, where: string): string[] {
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'string'))
    throw new InvalidOptionError('ssh', `${where}: option "ssh" must be an array of strings, e.g. ["default"] or ["github=/home/ci/.ssh/id_ed25519"]`);
  return values.map((value: string) => {
    const eq = value.indexOf('=');
    const id = eq < 0 ? value : value.slice(0, eq);
    if (!BUILDKIT_ID.test(id)) throw new InvalidOptionError('ssh', `${where}: ssh id ${JSON.stringify(id)} may use only letters, digits, ".", "_" and "-"`);
    if (eq < 0) return id;
    const paths = value.slice(eq + 1).split(',').filter(Boolean);
    if (paths.length === 0) throw new InvalidOptionError('ssh', `${where}: ssh ${JSON.stringify(value)} names no agent socket or key after "="`);
    return `${id}=${paths.map((path) => (isAbsolute(path) ? path : resolve(workspaceRoot, path))).join(',')}`;
  });
}

/**
 * Before docker runs: every forward has what it forwards, named when missing
 * (docker's own message does not say which option is at fault).
 */
export function checkSshForwards(forwards: readonly string[], env: NodeJS.ProcessEnv): void {
  for (const forward of forwards) {
    const eq = forward.indexOf('=');
    if (eq < 0) {
      if (!env.SSH_AUTH_SOCK)
        throw new InvalidOptionError('ssh', `ssh "${forward}" forwards the agent at SSH_AUTH_SOCK, which is not set: start one (eval "$(ssh-agent)" && ssh-add), or name a key: "${forward}=/path/to/key"`);
      continue;
    }
    for (const path of forward.slice(eq + 1).split(','))
      if (!existsSync(path)) throw new InvalidOptionError('ssh', `ssh "${forward.slice(0, eq)}": ${path} does not exist (an agent socket or a private key)`);
  }
}

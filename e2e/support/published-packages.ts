import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@hashdock/core';
import { withFileLock } from './file-lock';
import { REPO_ROOT, SandboxWorkspace } from './sandbox-workspace';

export const NPM_REGISTRY = `http://${process.env.HASHDOCK_NPM_REGISTRY_ADDR ?? '127.0.0.1:4873'}/`;
const PACKAGE_DIRS = ['libs/core', 'tools/hashdock'];

/** Start the local npm registry (verdaccio, tools/scripts/npm-registry-up.sh). */
export async function startNpmRegistry(): Promise<void> {
  await runCommand('bash', [join(REPO_ROOT, 'tools/scripts/npm-registry-up.sh')], { cwd: REPO_ROOT });
}

/** A version named by the packages' current sources, so the registry holds each content once. */
async function contentVersion(): Promise<string> {
  const { stdout } = await runCommand('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...PACKAGE_DIRS], { cwd: REPO_ROOT });
  const hash = createHash('sha256');
  for (const file of stdout.split('\0').filter(Boolean).sort()) {
    const bytes = await readFile(join(REPO_ROOT, file)).catch(() => undefined);
    if (bytes) hash.update(`${file}\0`).update(bytes);
  }
  return `0.1.0-e2e.${hash.digest('hex').slice(0, 12)}`;
}

async function isPublished(version: string): Promise<boolean> {
  const response = await fetch(`${NPM_REGISTRY}@hashdock%2Fnx-plugin`, { signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) return false;
  if (!response.ok) throw new Error(`${NPM_REGISTRY} answered ${response.status} for @hashdock/nx-plugin`);
  const packument = (await response.json()) as { versions?: Record<string, unknown> };
  return version in (packument.versions ?? {});
}

/** A user of the local registry, as `npm adduser` makes one; returns its token. */
async function registryToken(): Promise<string> {
  const name = `hashdock-e2e-${Date.now().toString(36)}`;
  const response = await fetch(`${NPM_REGISTRY}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'hashdock-e2e-password', email: 'e2e@hashdock.invalid', type: 'user' }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!body.token) throw new Error(`${NPM_REGISTRY} refused the e2e user: ${response.status} ${body.error ?? ''}`);
  return body.token;
}

/**
 * Publish @hashdock/core and @hashdock/nx-plugin to the local registry the way
 * a release does (`nx release version` then `nx release publish`, which builds
 * them with @nx/js:tsc first), from a copy of this workspace. Returns the version.
 */
export async function publishHashdock(): Promise<string> {
  await startNpmRegistry();
  const version = await contentVersion();
  if (await isPublished(version)) return version;
  // Test files run two at a time: one publishes, another asking meanwhile waits for it and finds the version there.
  await mkdir(join(REPO_ROOT, '.hashdock'), { recursive: true });
  return withFileLock(join(REPO_ROOT, '.hashdock', 'npm-publish.lock'), `publishing @hashdock/*@${version}`, async () => {
    if (!(await isPublished(version))) await publish(version);
    return version;
  });
}

async function publish(version: string): Promise<void> {
  const sandbox = await SandboxWorkspace.create('e2e-release');
  try {
    const npmrc = join(sandbox.root, '.npmrc-release');
    const host = NPM_REGISTRY.replace(/^http:/, '');
    await writeFile(npmrc, `registry=${NPM_REGISTRY}\n${host}:_authToken=${await registryToken()}\n`);
    const env = { NPM_CONFIG_USERCONFIG: npmrc };
    for (const args of [
      ['release', 'version', version, '--git-commit=false', '--git-tag=false', '--stage-changes=false'],
      ['release', 'publish', `--registry=${NPM_REGISTRY}`, '--tag=e2e'],
    ]) {
      const run = await sandbox.nx(args, env);
      if (run.exitCode !== 0) throw new Error(`nx ${args.join(' ')} failed (${run.exitCode}):\n${run.output.slice(-3000)}`);
    }
    if (!(await isPublished(version))) throw new Error(`nx release publish exited 0 but ${NPM_REGISTRY} has no @hashdock/nx-plugin@${version}`);
  } finally {
    await sandbox.remove();
  }
}

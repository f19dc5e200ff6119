import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerDriver, runCommand } from '@hashdock/core';

export const LOCAL_REGISTRY = process.env.HASHDOCK_LOCAL_REGISTRY_ADDR ?? '127.0.0.1:5000';

export interface EnvironmentStatus {
  available: boolean;
  reason?: string;
}

/**
 * Whether the real engine and registry answer. `npm test` starts them first;
 * under CI=true their absence is a failure, never a skip.
 */
export async function checkEnvironment(needs: { skopeo?: boolean } = {}): Promise<EnvironmentStatus> {
  const problems: string[] = [];
  // tools/scripts/test.sh sets this when it could not start the engine: say so instead of probing.
  if (process.env.HASHDOCK_NO_ENGINE === '1') problems.push('tools/scripts/test.sh could not start the engine and registry (HASHDOCK_NO_ENGINE=1)');
  else await probe(problems, needs);
  if (problems.length === 0) return { available: true };
  const reason = problems.join('; ');
  if (process.env.CI === 'true') throw new Error(`Integration environment unavailable under CI=true: ${reason}`);
  console.warn(`skipping integration suite: ${reason} (run npm run env:up)`);
  return { available: false, reason };
}

/** Only what a suite uses counts: a missing skopeo skips just the suites that call it. */
async function probe(problems: string[], needs: { skopeo?: boolean }): Promise<void> {
  try {
    await new DockerDriver().ping();
  } catch (error) {
    problems.push(`docker engine: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    const response = await fetch(`http://${LOCAL_REGISTRY}/v2/`, { signal: AbortSignal.timeout(5000) });
    if (response.status !== 200) problems.push(`registry at ${LOCAL_REGISTRY} answered ${response.status}`);
  } catch (error) {
    problems.push(`registry at ${LOCAL_REGISTRY}: ${(error as Error).message}`);
  }
  if (needs.skopeo) {
    try {
      await runCommand('skopeo', ['--version']);
    } catch {
      problems.push('skopeo is not installed');
    }
  }
}

/** The digest an independent client (skopeo) sees for a reference. */
export async function skopeoDigest(reference: string, extraArgs: string[] = []): Promise<string> {
  const { stdout } = await runCommand('skopeo', ['inspect', '--tls-verify=false', ...extraArgs, '--format', '{{.Digest}}', `docker://${reference}`]);
  return stdout.trim();
}

/** The root image the local environment made (nx.json's ROOT_IMAGE build arg). */
export async function localRootImage(): Promise<string> {
  const nxJson = JSON.parse(await readFile(join(import.meta.dirname, '../../nx.json'), 'utf8'));
  const plugin = nxJson.plugins.find((entry: { plugin: string }) => entry.plugin === '@hashdock/nx-plugin');
  return plugin.options.buildArgs.ROOT_IMAGE;
}

/**
 * The config file of the running local registry (for `docker-registry garbage-collect`): found from
 * the `docker-registry serve <config>` process listening on LOCAL_REGISTRY, whichever checkout started it.
 */
export async function localRegistryConfig(): Promise<string> {
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    const serve = argv.indexOf('serve');
    if (!argv[0]?.endsWith('docker-registry') || serve < 0 || !argv[serve + 1]) continue;
    const config = await readFile(argv[serve + 1], 'utf8').catch(() => '');
    if (config.includes(`addr: ${LOCAL_REGISTRY}`)) return argv[serve + 1];
  }
  throw new Error(`no running docker-registry serves ${LOCAL_REGISTRY} (npm run env:up starts it)`);
}

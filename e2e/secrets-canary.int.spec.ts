import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer, fetchArtifact, RegistryClient, resolveCredentials, runCommand } from '@hashdock/core';
import { checkEnvironment } from './support/environment';
import { RegistryProcess } from './support/registry-process';
import { SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();

const PASSWORD = 'hashdock-test-password';
const SECRET_CANARY = `canary-secret-${Date.now().toString(36)}`;
const ARG_CANARY = `canary-arg-${Date.now().toString(36)}`;
/** An ordinary build arg: Docker keeps its value in history, but Hashdock's inputs record carries only its digest. */
const LABEL_VALUE = `label-${Date.now().toString(36)}`;

/** Every file under `dir` (node_modules and .git aside), as text, for a grep. */
async function allFiles(dir: string): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await allFiles(path)));
    else if (entry.isFile()) out.push({ path, text: (await readFile(path)).toString('latin1') });
  }
  return out;
}

/**
 * A canary passed as a BuildKit secret, as a build arg and as the registry
 * password, through a whole run: it must appear in no log, manifest, report,
 * cached task output, inputs record or image layer.
 */
describe.skipIf(!environment.available)('secrets leave no trace (canaries through a real run)', () => {
  let ws: SandboxWorkspace;
  let secured: RegistryProcess;
  let dockerConfig = '';
  const outputs: string[] = [];

  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-secrets-${Date.now().toString(36)}`);
    secured = await RegistryProcess.start({ htpasswdFile: join(import.meta.dirname, 'fixtures/htpasswd') });
    dockerConfig = await mkdtemp(join(tmpdir(), 'hashdock-docker-config-'));
    await runCommand('/usr/bin/docker', ['login', '--username', 'hashdock', '--password-stdin', secured.address], { env: { DOCKER_CONFIG: dockerConfig }, input: PASSWORD });
    // The service reads a BuildKit secret (and fails its build if the secret is not there) and declares a credential-like ARG.
    await ws.edit('apps/api/Dockerfile', (text) =>
      text.replace(
        'COPY dist/ /app/',
        `ARG NPM_TOKEN\nARG BUILD_LABEL\nLABEL build.label=$BUILD_LABEL\nRUN --mount=type=secret,id=npm,uid=1000 ["node", "-e", "if (!require('fs').readFileSync('/run/secrets/npm', 'utf8').startsWith('canary-secret-')) process.exit(3)"]\nCOPY dist/ /app/`,
      ),
    );
    await ws.edit('apps/api/project.json', (text) => {
      const project = JSON.parse(text);
      project.targets = { ...project.targets, image: { ...project.targets?.image, options: { ...project.targets?.image?.options, secrets: { npm: 'HASHDOCK_E2E_NPM_TOKEN' } } } };
      return JSON.stringify(project, null, 2);
    });
    await ws.commit('api reads a secret');
  }, 120_000);
  afterAll(async () => {
    await ws?.remove();
    await secured?.stop();
    await rm(dockerConfig, { recursive: true, force: true });
  });

  const env = () => ({ HASHDOCK_REGISTRY: secured.address, DOCKER_CONFIG: dockerConfig, HASHDOCK_E2E_NPM_TOKEN: SECRET_CANARY, HASHDOCK_BUILD_ARG_BUILD_LABEL: LABEL_VALUE });

  it('builds with the secret mounted and pushes with the password', async () => {
    const run = await ws.nx(['run-many', '-t', 'image', '-p', 'base,api', '--skip-nx-cache'], env());
    outputs.push(run.output);
    expect(run.exitCode, run.output).toBe(0);
    expect((await ws.manifest('api')).repository).toBe(`${secured.address}/${ws.namespace}/api`);
  }, 300_000);

  it('refuses the credential-like build arg, naming it and pointing at secrets', async () => {
    const run = await ws.nx(['run', 'api:image', '--skip-nx-cache'], { ...env(), HASHDOCK_BUILD_ARG_NPM_TOKEN: ARG_CANARY });
    outputs.push(run.output);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(/Build arg NPM_TOKEN \(set by the buildArgs option or HASHDOCK_BUILD_ARG_NPM_TOKEN\) looks like a credential/);
  }, 120_000);

  it('no canary in any output, file, inputs record or image layer', async () => {
    const api = await ws.manifest('api');
    const client = new RegistryClient({ authorize: createAuthorizer({ credentials: (host) => resolveCredentials(host, { ...process.env, DOCKER_CONFIG: dockerConfig }) }) });
    const record = await fetchArtifact(client, api.repository, `${api.contentHash}.inputs`);
    expect(record, 'the inputs record was pushed').toBeDefined();
    const inputs = Buffer.from(record!).toString('utf8');
    const image = join(dockerConfig, 'api.tar');
    await runCommand('/usr/bin/docker', ['save', '--output', image, api.ref!]);
    const { stdout: history } = await runCommand('/usr/bin/docker', ['history', '--no-trunc', api.ref!]);
    const tracked = new Set((await ws.git('ls-files')).split('\n').filter(Boolean).map((file) => join(ws.root, file)));
    const places: { path: string; text: string }[] = [
      ...outputs.map((text, i) => ({ path: `nx output ${i}`, text })),
      // Everything the runs wrote: the workspace minus the repository's own (tracked) sources, which name the test password.
      ...(await allFiles(ws.root)).filter((file) => !tracked.has(file.path)),
      { path: 'inputs record', text: inputs },
      { path: 'docker save', text: (await readFile(image)).toString('latin1') },
      { path: 'docker history', text: history },
    ];
    for (const canary of [SECRET_CANARY, ARG_CANARY, PASSWORD]) {
      expect(places.filter((place) => place.text.includes(canary)).map((place) => place.path), canary).toEqual([]);
    }
    // The record does describe the image, with digests for arg values.
    expect(inputs).toMatch(/^hashdock-content-v2\n/);
    expect(inputs).toContain(`arg "BUILD_LABEL" sha256:${createHash('sha256').update(LABEL_VALUE).digest('hex')}`);
    expect(inputs).not.toContain(LABEL_VALUE);
  }, 120_000);
});

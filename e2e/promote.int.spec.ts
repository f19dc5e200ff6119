import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Release, runCommand } from '@hashdock/core';
import { checkEnvironment, skopeoDigest } from './support/environment';
import { RegistryProcess } from './support/registry-process';
import { SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment({ skopeo: true });
const PASSWORD = 'hashdock-test-password';

describe.skipIf(!environment.available)('promotion dev → staging → prod by digest (nx run infra:promote)', () => {
  let ws: SandboxWorkspace;
  let prod: RegistryProcess;
  let env: Record<string, string>;
  let dev: Record<string, { digest: string | null; ref: string | null }>;

  const release = async (name: string): Promise<Release> => JSON.parse(await readFile(join(ws.root, 'infra/releases', `${name}.json`), 'utf8'));

  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-promo-${Date.now().toString(36)}`);
    prod = await RegistryProcess.start({ htpasswdFile: join(import.meta.dirname, 'fixtures/htpasswd') });
    // Credentials the way docker keeps them, in the sandbox's own DOCKER_CONFIG.
    const dockerConfig = join(ws.root, '.hashdock', 'docker-config');
    await mkdir(dockerConfig, { recursive: true });
    await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [prod.address]: { auth: Buffer.from(`hashdock:${PASSWORD}`).toString('base64') } } }));
    env = { DOCKER_CONFIG: dockerConfig };
    await writeFile(
      join(ws.root, 'infra/environments.json'),
      JSON.stringify({
        environments: {
          dev: { registry: 'localhost:5000', namespace: ws.namespace, release: 'dist/images' },
          staging: { registry: 'localhost:5000', namespace: `${ws.namespace}-staging`, release: 'infra/releases/staging.json' },
          prod: { registry: prod.address, namespace: `${ws.namespace}-prod`, release: 'infra/releases/prod.json' },
        },
      }),
    );
    const run = await ws.nx(['run-many', '-t', 'image']);
    expect(run.exitCode, run.output).toBe(0);
    dev = Object.fromEntries(await Promise.all(['api', 'base', 'indexer', 'status'].map(async (p) => [p, await ws.manifest(p)] as const)));
    await ws.takeDockerCalls();
  });
  afterAll(async () => {
    await ws?.remove();
    await prod?.stop();
  });

  it('dry run prints the plan and writes nothing', async () => {
    const run = await ws.nx(['run', 'infra:promote', '--from=dev', '--to=staging', '--dryRun'], env);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/hashdock plan api .* blobs: 0 present, \d+ mounted, 0 copied/);
    await expect(release('staging')).rejects.toThrow();
  });

  it('nx release versions status and its publish tags the image the image target pushed with that version, by digest, nothing rebuilt', async () => {
    const nxJson = JSON.parse(await readFile(join(ws.root, 'nx.json'), 'utf8'));
    nxJson.release = {
      projects: ['status'],
      version: { conventionalCommits: false },
      changelog: { workspaceChangelog: false, projectChangelogs: false },
      git: { commit: false, tag: false },
    };
    await writeFile(join(ws.root, 'nx.json'), JSON.stringify(nxJson, null, 2));
    // The release generator's --nxRelease gives every image project its nx-release-publish target.
    const generated = await ws.nx(['g', '@hashdock/nx-plugin:release', '--nxRelease', '--project=versions', '--directory=versions', '--no-interactive']);
    expect(generated.exitCode, generated.output).toBe(0);
    expect(generated.output).toContain('nx-release-publish added to');
    expect(JSON.parse(await readFile(join(ws.root, 'apps/status/project.json'), 'utf8')).targets['nx-release-publish']).toEqual({ executor: '@hashdock/nx-plugin:release-publish', dependsOn: ['image'] });
    await ws.commit('release status with nx release');

    const run = await ws.nx(['release', '1.4.0', '--first-release', '--yes'], env);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain(`hashdock release status 1.4.0: ${dev.status.ref} 1.4.0 created`);
    expect(JSON.parse(await readFile(join(ws.root, 'apps/status/package.json'), 'utf8')).version).toBe('1.4.0');
    expect(await skopeoDigest(`localhost:5000/${ws.namespace}/status:1.4.0`)).toBe(dev.status.digest);
    expect((await ws.takeDockerCalls()).filter((call) => call.startsWith('build '))).toEqual([]);
    // Publish on its own (a CI job after `nx release version`): the version is package.json's, and the tag is in place;
    // the alias tags asked for now are written beside it.
    const projectJson = join(ws.root, 'apps/status/project.json');
    const project = JSON.parse(await readFile(projectJson, 'utf8'));
    project.targets['nx-release-publish'].options = { aliasTags: ['{major}.{minor}', '{major}'] };
    await writeFile(projectJson, JSON.stringify(project, null, 2));
    const publish = await ws.nx(['release', 'publish'], env);
    expect(publish.exitCode, publish.output).toBe(0);
    expect(publish.output).toContain(`hashdock release status 1.4.0: ${dev.status.ref} 1.4.0 unchanged, 1.4 created, 1 created`);
    expect(await skopeoDigest(`localhost:5000/${ws.namespace}/status:1.4`)).toBe(dev.status.digest);
  });

  it('dev → staging within one registry mounts every blob and moves no blob bytes', async () => {
    const run = await ws.nx(['run', 'infra:promote', '--from=dev', '--to=staging'], env);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toContain('4 images, 0 blob bytes copied');
    const staging = await release('staging');
    for (const [project, image] of Object.entries(dev)) {
      const entry = staging.images[project];
      expect(entry.digest).toBe(image.digest);
      expect(entry.source.environment).toBe('dev');
      expect(await skopeoDigest(`${entry.repository}:${entry.contentHash}`)).toBe(image.digest);
    }
    // The release version travels with the image it names; its aliases name the newest release of the registry they are in, and stay.
    expect(staging.images.status.tags).toContain('1.4.0');
    expect(staging.images.status.tags).not.toContain('1.4');
    expect(await skopeoDigest(`${staging.images.status.repository}:1.4.0`)).toBe(dev.status.digest);
  });

  it('staging → prod on a password-protected registry: same digests, nothing rebuilt, no credential printed', async () => {
    const run = await ws.nx(['run', 'infra:promote', '--from=staging', '--to=prod'], env);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).not.toContain(PASSWORD);
    const prodRelease = await release('prod');
    for (const [project, image] of Object.entries(dev)) {
      const entry = prodRelease.images[project];
      expect(entry.repository).toBe(`${prod.address}/${ws.namespace}-prod/${project}`);
      expect(entry.digest).toBe(image.digest);
      expect(await skopeoDigest(`${entry.repository}:${entry.contentHash}`, ['--creds', `hashdock:${PASSWORD}`])).toBe(image.digest);
    }
    expect((await ws.takeDockerCalls()).filter((call) => call.startsWith('build '))).toEqual([]);
    // A rerun converges: everything present, no tag moved.
    const again = await ws.nx(['run', 'infra:promote', '--from=staging', '--to=prod'], env);
    expect(again.exitCode, again.output).toBe(0);
    expect(again.output).toMatch(/hashdock promoted api .* 0 copied \(0 bytes\); tags: \S+=unchanged/);
  });

  it('a conflicting tag is refused with a clear error and the old release stays', async () => {
    const before = await readFile(join(ws.root, 'infra/releases/prod.json'), 'utf8');
    const target = `${prod.address}/${ws.namespace}-prod/api:${(await ws.manifest('api')).contentHash}`;
    // Point prod's api content-hash tag at another image (status) behind Hashdock's back.
    await runCommand('skopeo', ['copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--dest-creds', `hashdock:${PASSWORD}`, `docker://${(await ws.manifest('status')).ref}`, `docker://${target}`]);
    const run = await ws.nx(['run', 'infra:promote', '--from=staging', '--to=prod'], env);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain(`Refusing to clobber existing tag ${target}`);
    expect(run.output).not.toContain(PASSWORD);
    expect(await readFile(join(ws.root, 'infra/releases/prod.json'), 'utf8')).toBe(before);
  });

  it('a wrong password is an authentication error naming the registry, not "absent"', async () => {
    await writeFile(join(env.DOCKER_CONFIG, 'config.json'), JSON.stringify({ auths: { [prod.address]: { auth: Buffer.from('hashdock:wrong').toString('base64') } } }));
    const run = await ws.nx(['run', 'infra:promote', '--from=staging', '--to=prod', '--force'], env);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(new RegExp(`refused access to ${prod.address.replace(/\./g, '\\.')}/\\S+ \\(401`));
  });
});

import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from './support/environment';
import { OutsideWorkspace } from './support/outside-workspace';
import { NPM_REGISTRY, publishHashdock } from './support/published-packages';
import { requestFromImage } from './support/run-container';
import { REPO_ROOT } from './support/sandbox-workspace';

const environment = await checkEnvironment();

/**
 * Yarn 4 with Plug'n'Play: no node_modules, and every module a package loads must be one it declares, so this is
 * also the check that the published packages declare what they require. With the oldest Nx major of the peer range
 * (adopt-npm runs the newest, the sandbox suites this repository's own).
 */
const NX_VERSION = '22.7.12';

describe.skipIf(!environment.available)(`adopting Hashdock in a Yarn 4 Plug'n'Play workspace with Nx ${NX_VERSION}`, () => {
  let workspace: OutsideWorkspace;
  let version = '';
  // Yarn from this repository's dev dependencies (the only thing taken from it), first on PATH as `yarn`.
  const path = () => ({ PATH: `${join(workspace.root, '.bin')}:${join(REPO_ROOT, 'node_modules/node/bin')}:${process.env.PATH}` });
  // Under CI=true yarn refuses any lockfile change; this workspace is a developer's, installing and adding.
  const yarn = (args: string[], extra: Record<string, string> = {}) =>
    workspace.run(join(workspace.root, '.bin/yarn'), args, { ...path(), YARN_ENABLE_IMMUTABLE_INSTALLS: 'false', ...extra });
  const yarnOk = async (args: string[], extra: Record<string, string> = {}) => {
    const run = await yarn(args, extra);
    if (run.exitCode !== 0) throw new Error(`yarn ${args.join(' ')} exited ${run.exitCode}:\n${run.output.slice(-4000)}`);
    return run.output;
  };

  beforeAll(async () => {
    version = await publishHashdock();
    workspace = await OutsideWorkspace.create(`e2e-yarn-${Date.now().toString(36)}`, {
      'package.json': JSON.stringify({ name: '@acme/yarn-shop', private: true, workspaces: ['apps/*'], packageManager: 'yarn@4.18.1', devDependencies: { nx: NX_VERSION } }, null, 2),
      '.yarnrc.yml': [
        'nodeLinker: pnp',
        `npmRegistryServer: "${NPM_REGISTRY.replace(/\/$/, '')}"`,
        'unsafeHttpWhitelist:',
        '  - 127.0.0.1',
        'enableTelemetry: false',
        // Yarn 4 quarantines a version for a day after it is published (npmMinimalAgeGate, default 1d); this one
        // was published seconds ago.
        'npmMinimalAgeGate: 0',
        '',
      ].join('\n'),
      '.gitignore': 'dist\n.nx\n.yarn/*\n!.yarn/releases\n',
      'nx.json': '{ "$schema": "./node_modules/nx/schemas/nx-schema.json" }\n',
    });
    await writeFile(join(workspace.root, '.yarn-shim'), `#!/bin/sh\nexec node ${join(REPO_ROOT, 'node_modules/@yarnpkg/cli-dist/bin/yarn.js')} "$@"\n`, { mode: 0o755 });
    await workspace.ok('sh', ['-c', 'mkdir -p .bin && mv .yarn-shim .bin/yarn']);
    await yarnOk(['install']);
    await workspace.commit('initial');
  });
  afterAll(() => workspace?.remove());

  it('nx add installs and registers the plugin with yarn, the service generator writes a service, run-many builds and pushes it with no node_modules, and it answers /health', async () => {
    expect(await yarnOk(['nx', 'add', `@hashdock/nx-plugin@${version}`])).toContain('@hashdock/nx-plugin: registered in nx.json');
    const manifestFile = JSON.parse(await readFile(join(workspace.root, 'package.json'), 'utf8'));
    expect(manifestFile.devDependencies['@hashdock/nx-plugin']).toBe(version);
    expect(existsSync(join(workspace.root, '.pnp.cjs'))).toBe(true);
    expect(existsSync(join(workspace.root, 'node_modules'))).toBe(false);

    const generated = await yarnOk(['nx', 'g', '@hashdock/nx-plugin:service', 'hello', `--baseImage=${await localRootImage()}`, '--no-interactive']);
    // Where the image goes is said as the target will send it: this environment's HASHDOCK_NAMESPACE over nx.json's.
    expect(generated).toContain(`nx run hello:image builds localhost:5000/${workspace.namespace}/hello (HASHDOCK_REGISTRY / HASHDOCK_NAMESPACE in this environment)`);
    await workspace.commit('hello service');
    const defaults = { HASHDOCK_BUILDER: 'auto' };
    const run = await yarn(['nx', 'run-many', '-t', 'image', '--outputStyle=stream'], defaults);
    expect(run.exitCode, run.output).toBe(0);
    const manifest = await workspace.manifest('hello');
    expect(manifest).toMatchObject({ project: 'hello', status: 'built', pushed: true, repository: `localhost:5000/${workspace.namespace}/hello` });
    expect(await requestFromImage(manifest.ref!, 3000, '/health')).toEqual({ status: 200, body: { status: 'ok', service: 'hello' } });

    // Nothing changed: Nx replays, nothing is built.
    const again = await yarn(['nx', 'run-many', '-t', 'image', '--outputStyle=stream'], defaults);
    expect(again.exitCode, again.output).toBe(0);
    expect(again.output.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/nx run hello:image.*(local cache|existing outputs match the cache)/);
    expect(await workspace.takeBuilds()).toEqual([]);
  });

  it('the generated GitHub workflow speaks yarn: its install and its nx affected line run here as written', async () => {
    expect(await yarnOk(['nx', 'g', '@hashdock/nx-plugin:github-workflow'])).toContain('Added .github/workflows/images.yml');
    const steps = (parse(await readFile(join(workspace.root, '.github/workflows/images.yml'), 'utf8')) as { jobs: { images: { steps: { name?: string; uses?: string; run?: string }[] } } }).jobs.images.steps;
    const script = (name: string) => steps.find((step) => step.name === name)?.run ?? '';
    expect(script('Install')).toBe('yarn install --immutable');
    await workspace.ok('bash', ['-e', '-c', script('Install')], path());
    await workspace.commit('images workflow');
    await workspace.write({ 'apps/hello/src/routes.mjs': `${await readFile(join(workspace.root, 'apps/hello/src/routes.mjs'), 'utf8')}\n// changed\n` });
    await workspace.commit('hello: a change for the workflow');
    const build = script('Build and push the images that changed');
    expect(build).toBe('yarn nx affected -t image --base="$NX_BASE" --head="$NX_HEAD"');
    const before = await workspace.manifest('hello');
    const run = await workspace.run('bash', ['-e', '-c', build], { ...path(), HASHDOCK_BUILDER: 'auto', NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD' });
    expect(run.exitCode, run.output).toBe(0);
    const after = await workspace.manifest('hello');
    expect(after).toMatchObject({ status: 'built', pushed: true });
    expect(after.contentHash).not.toBe(before.contentHash);
  });
});

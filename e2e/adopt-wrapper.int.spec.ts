import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';
import { checkEnvironment, localRootImage } from './support/environment';
import { OutsideWorkspace } from './support/outside-workspace';
import { publishHashdock } from './support/published-packages';

const environment = await checkEnvironment();

/** Pinned in nx.json after `nx init` (which installs npm's latest): the newest major of the plugin's peer range. */
const NX_VERSION = '24.0.7';

/**
 * Nx's wrapper, as a Go, Java or Python repository adopts Nx: no package.json, no node_modules; `./nx` installs the Nx
 * and plugins nx.json's "installation" pins into .nx/installation. The plugin must load from there, and what it writes
 * for CI must not assume npm.
 */
describe.skipIf(!environment.available)(`adopting Hashdock in an Nx ${NX_VERSION} wrapper workspace (no package.json)`, () => {
  let version = '';
  let workspace: OutsideWorkspace;
  const nx = (args: string[]) => workspace.run(join(workspace.root, 'nx'), args);
  const nxOk = async (args: string[]) => {
    const run = await nx(args);
    if (run.exitCode !== 0) throw new Error(`./nx ${args.join(' ')} exited ${run.exitCode}:\n${run.output.slice(-4000)}`);
    return run.output;
  };

  beforeAll(async () => {
    version = await publishHashdock();
    workspace = await OutsideWorkspace.create(`e2e-wrapper-${Date.now().toString(36)}`, {
      'services/hello/project.json': JSON.stringify({ name: 'hello' }),
      'services/hello/hello.txt': 'hello from the wrapper\n',
    });
    // Nx's own initializer, from the local registry: nx.json's "installation", the ./nx wrapper, Nx in .nx/installation.
    // Before the Dockerfile: seeing one, nx init pins @nx/docker of its own version (even with --plugins=skip), which
    // this machine's npm registry does not have for Nx 24.
    await workspace.ok('npx', ['-y', `nx@${NX_VERSION}`, 'init', '--useDotNxInstallation', '--interactive=false']);
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    await writeFile(join(workspace.root, 'nx.json'), JSON.stringify({ ...nxJson, installation: { ...nxJson.installation, version: NX_VERSION } }, null, 2));
    await workspace.write({
      'services/hello/Dockerfile': `FROM ${await localRootImage()}\nCOPY hello.txt /hello.txt\nCMD ["node", "-e", "process.stdout.write(require('fs').readFileSync('/hello.txt', 'utf8'))"]\n`,
    });
    await workspace.commit('nx init --useDotNxInstallation, and a service with a Dockerfile');
  });
  afterAll(() => workspace?.remove());

  it('./nx add installs the plugin into .nx/installation, ./nx run builds and pushes the image, and the generated workflow runs ./nx with no install', async () => {
    expect(existsSync(join(workspace.root, 'package.json'))).toBe(false);
    expect(await nxOk(['add', `@hashdock/nx-plugin@${version}`])).toContain('@hashdock/nx-plugin: registered in nx.json');
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    expect(nxJson.installation).toEqual({ version: NX_VERSION, plugins: { '@hashdock/nx-plugin': version } });
    expect(existsSync(join(workspace.root, '.nx/installation/node_modules/@hashdock/nx-plugin/package.json'))).toBe(true);
    expect(existsSync(join(workspace.root, 'package.json'))).toBe(false);
    await workspace.commit('nx add @hashdock/nx-plugin');

    const run = await nx(['run', 'hello:image', '--outputStyle=stream']);
    expect(run.exitCode, run.output).toBe(0);
    const manifest = await workspace.manifest('hello');
    expect(manifest).toMatchObject({ project: 'hello', status: 'built', pushed: true, repository: `localhost:5000/${workspace.namespace}/hello` });
    expect((await runCommand('/usr/bin/docker', ['run', '--rm', manifest.ref!])).stdout.trim()).toBe('hello from the wrapper');

    await nxOk(['g', '@hashdock/nx-plugin:github-workflow', '--registry=ghcr.io']);
    const steps: { name?: string; uses?: string; run?: string; with?: Record<string, unknown> }[] = parse(await readFile(join(workspace.root, '.github/workflows/images.yml'), 'utf8')).jobs.images.steps;
    // No package.json to install from and no lockfile to cache by: ./nx installs what nx.json pins.
    expect(steps.find((step) => step.name === 'Install')).toBeUndefined();
    expect(steps.find((step) => step.uses === 'actions/setup-node@v4')?.with).toEqual({ 'node-version': '24' });
    expect(steps.find((step) => step.name === 'Build and push the images that changed')?.run).toBe('./nx affected -t image --base="$NX_BASE" --head="$NX_HEAD"');
  });
});

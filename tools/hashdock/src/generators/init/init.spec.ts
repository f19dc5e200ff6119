import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addProjectConfiguration, logger, readJson, readNxJson, readProjectConfiguration, Tree, updateNxJson, updateProjectConfiguration } from '@nx/devkit';
import { FsTree } from 'nx/src/generators/tree';
import { discoverImageTargets, normalizeHashdockOptions, runCommand } from '@hashdock/core';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import initGenerator from './init';

describe('init generator (nx add @hashdock/nx-plugin)', () => {
  let tree: Tree;
  let info: string[];
  let warnings: string[];

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: '@acme/source', private: true }));
    info = [];
    warnings = [];
    vi.spyOn(logger, 'info').mockImplementation((line) => void info.push(String(line)));
    vi.spyOn(logger, 'warn').mockImplementation((line) => void warnings.push(String(line)));
  });
  afterEach(() => vi.restoreAllMocks());

  const hashdockEntry = () => readNxJson(tree)?.plugins?.find((entry) => typeof entry === 'object' && entry.plugin === '@hashdock/nx-plugin');

  it('registers the plugin with the package scope as namespace, then changes nothing on a second run', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(hashdockEntry()).toEqual({ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: 'acme' } });
    expect(info.join('\n')).toContain('registered in nx.json — images go to localhost:5000/acme/<project>');
    expect(info.join('\n')).toContain('next, CI: nx g @hashdock/nx-plugin:github-workflow; promotion by digest: nx g @hashdock/nx-plugin:release');
    await initGenerator(tree, { skipFormat: true });
    expect(info.at(-1)).toContain('already registered in nx.json; nothing changed');
    await initGenerator(tree, { registry: 'ghcr.io', skipFormat: true });
    expect(hashdockEntry()).toEqual({ plugin: '@hashdock/nx-plugin', options: { registry: 'ghcr.io', namespace: 'acme' } });
    expect(warnings).toEqual([]);
  });

  it('a workspace without nx.json (Nx runs in a package-based repository without one): nx.json is created holding the entry', async () => {
    tree.delete('nx.json');
    await initGenerator(tree, { skipFormat: true });
    expect(tree.exists('nx.json')).toBe(true);
    expect(hashdockEntry()).toEqual({ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: 'acme' } });
    expect(info.join('\n')).toContain('registered in nx.json');
    await initGenerator(tree, { skipFormat: true });
    expect(info.at(-1)).toContain('already registered in nx.json; nothing changed');
  });

  it('a turbo workspace: image scripts, the turbo.json task and @hashdock/core, so turbo runs the images too; the root and a project without package.json named', async () => {
    tree.write('turbo.json', JSON.stringify({ tasks: { build: { dependsOn: ['^build'], outputs: ['dist/**'] } } }));
    tree.write('Dockerfile', 'FROM node:24-slim\nCOPY . .\n');
    for (const [root, scripts] of [['apps/api', { build: 'tsc' }], ['apps/web', { image: 'docker build -t web .' }], ['libs/util', {}]] as const) {
      tree.write(`${root}/package.json`, JSON.stringify({ name: `@acme/${root.split('/')[1]}`, scripts }));
      if (!root.startsWith('libs')) tree.write(`${root}/Dockerfile`, 'FROM node:24-slim\nCOPY dist /app\n');
    }
    addProjectConfiguration(tree, 'gen', { root: 'tools/gen' });
    tree.write('tools/gen/Dockerfile', 'FROM node:24-slim\n');
    const install = await initGenerator(tree, { skipFormat: true });
    expect(readJson(tree, 'apps/api/package.json').scripts).toEqual({ build: 'tsc', image: 'hashdock image' });
    // Nx would read the script as the target (nx:run-script): the executor is named where the project's configuration is.
    expect(readJson(tree, 'apps/api/package.json').nx).toEqual({ targets: { image: { executor: '@hashdock/nx-plugin:image' } } });
    // A script of that name that runs something else is kept, and said.
    expect(readJson(tree, 'apps/web/package.json').scripts).toEqual({ image: 'docker build -t web .' });
    expect(readJson(tree, 'libs/util/package.json').scripts).toEqual({});
    expect(readJson(tree, 'turbo.json').tasks.image).toEqual({
      dependsOn: ['build', '^image'],
      cache: false,
      env: ['HASHDOCK_*', 'SOURCE_DATE_EPOCH'],
      passThroughEnv: ['DOCKER_*', 'SSH_AUTH_SOCK', 'GITHUB_STEP_SUMMARY', 'GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'GITHUB_REF_TYPE', 'CI_COMMIT_BRANCH', 'BUILDKITE_BRANCH', 'CIRCLE_BRANCH', 'BITBUCKET_BRANCH'],
    });
    expect(readJson(tree, 'package.json').devDependencies['@hashdock/core']).toBe(JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')).dependencies['@hashdock/core']);
    expect(typeof install).toBe('function');
    expect(info.join('\n')).toMatch(/turbo: a "image": "hashdock image" script in apps\/api\/package.json, an uncached "image" task in turbo.json, @hashdock\/core \S+ \(the hashdock command, the plugin's own core\) in the root devDependencies: turbo run image/);
    const left = warnings.find((line) => line.includes('turbo does not run these images'));
    expect(left).toContain('the workspace root\'s image (turbo runs a root script only as a "//#image" task');
    expect(left).toContain('apps/web/package.json (its "image" script runs something else: docker build -t web .)');
    expect(left).toContain('tools/gen (no package.json: turbo does not run it; nx run-many -t image does)');
    // Registered already: nothing more.
    const before = tree.read('turbo.json', 'utf8');
    expect(await initGenerator(tree, { skipFormat: true })).toBeUndefined();
    expect(tree.read('turbo.json', 'utf8')).toBe(before);
  });

  it('a project the package manager\'s workspace leaves out gets no script: turbo runs workspace packages only', async () => {
    tree.write('turbo.json', JSON.stringify({ tasks: {} }));
    // pnpm: `apps/*` but not apps/py (a Python service with a package.json for its tooling, as makeplane/plane has).
    tree.write('pnpm-workspace.yaml', "packages:\n  - apps/*\n  - '!apps/py'\n  - tools/gen\n");
    // A package.json "workspaces" left from before pnpm, which pnpm ignores (trigger.dev's): pnpm's file is what counts.
    tree.write('package.json', JSON.stringify({ name: '@acme/source', private: true, workspaces: ['apps/*'] }));
    for (const root of ['apps/py', 'apps/web', 'tools/gen']) {
      tree.write(`${root}/package.json`, JSON.stringify({ name: root.split('/')[1] }));
      tree.write(`${root}/Dockerfile`, 'FROM node:24-slim\n');
    }
    await initGenerator(tree, { skipFormat: true });
    expect(readJson(tree, 'apps/web/package.json').scripts).toEqual({ image: 'hashdock image' });
    expect(readJson(tree, 'apps/py/package.json')).toEqual({ name: 'py' });
    expect(readJson(tree, 'tools/gen/package.json').scripts).toEqual({ image: 'hashdock image' });
    const left = warnings.find((line) => line.includes('turbo does not run these images'));
    expect(left).toContain('apps/py (pnpm-workspace.yaml leaves it out of the workspace packages: turbo does not run it; nx run-many -t image does)');
    expect(left).not.toContain('tools/gen');
    // npm's, yarn's and bun's list in package.json.
    tree = createTreeWithEmptyWorkspace();
    tree.write('turbo.json', JSON.stringify({ tasks: {} }));
    tree.write('package.json', JSON.stringify({ name: 'acme', workspaces: { packages: ['apps/web'] } }));
    for (const root of ['apps/py', 'apps/web']) {
      tree.write(`${root}/package.json`, JSON.stringify({ name: root.split('/')[1] }));
      tree.write(`${root}/Dockerfile`, 'FROM node:24-slim\n');
    }
    await initGenerator(tree, { skipFormat: true });
    expect(readJson(tree, 'apps/web/package.json').scripts).toEqual({ image: 'hashdock image' });
    expect(readJson(tree, 'apps/py/package.json')).toEqual({ name: 'py' });
    expect(warnings.join('\n')).toContain('apps/py (package.json "workspaces" leaves it out of the workspace packages');
  });

  it('turbo 1 (pipeline), a task of that name already there, another @hashdock/core at the root, and --skipTurbo', async () => {
    tree.write('turbo.json', JSON.stringify({ pipeline: { image: { cache: false } } }));
    tree.write('package.json', JSON.stringify({ name: '@acme/source', dependencies: { '@hashdock/core': '0.0.9' } }));
    tree.write('apps/api/package.json', JSON.stringify({ name: '@acme/api' }));
    // Its script there already (turbo wired by hand): kept, and the executor named so Nx runs Hashdock's, not the script.
    tree.write('apps/web/package.json', JSON.stringify({ name: '@acme/web', scripts: { image: 'hashdock image --no-push' } }));
    tree.write('apps/web/Dockerfile', 'FROM node:24-slim\n');
    tree.write('apps/api/Dockerfile', 'FROM node:24-slim\n');
    expect(typeof (await initGenerator(tree, { skipFormat: true }))).toBe('function');
    expect(readJson(tree, 'turbo.json')).toEqual({ pipeline: { image: { cache: false } } });
    expect(readJson(tree, 'apps/api/package.json').scripts).toEqual({ image: 'hashdock image' });
    expect(readJson(tree, 'apps/web/package.json')).toEqual({ name: '@acme/web', scripts: { image: 'hashdock image --no-push' }, nx: { targets: { image: { executor: '@hashdock/nx-plugin:image' } } } });
    // The plugin's own core, where it was listed.
    const core = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')).dependencies['@hashdock/core'];
    expect(readJson(tree, 'package.json').dependencies).toEqual({ '@hashdock/core': core });
    expect(info.join('\n')).toContain(`@hashdock/core ${core} (the hashdock command, the plugin's own core; it was 0.0.9) in the root dependencies`);
    tree = createTreeWithEmptyWorkspace();
    tree.write('turbo.json', JSON.stringify({ pipeline: {} }));
    tree.write('apps/api/package.json', JSON.stringify({ name: '@acme/api' }));
    tree.write('apps/api/Dockerfile', 'FROM node:24-slim\n');
    await initGenerator(tree, { skipFormat: true });
    expect(readJson(tree, 'turbo.json').pipeline.image).toMatchObject({ dependsOn: ['^image'], cache: false });
    // A project.json beside the package.json is where the executor goes (Nx reads it last).
    tree = createTreeWithEmptyWorkspace();
    tree.write('turbo.json', JSON.stringify({ tasks: {} }));
    addProjectConfiguration(tree, 'api', { root: 'apps/api', targets: { image: { options: { stage: 'runtime' } } } as never });
    tree.write('apps/api/package.json', JSON.stringify({ name: '@acme/api' }));
    tree.write('apps/api/Dockerfile', 'FROM node:24-slim AS runtime\n');
    await initGenerator(tree, { skipFormat: true });
    expect(readProjectConfiguration(tree, 'api').targets?.image).toEqual({ executor: '@hashdock/nx-plugin:image', options: { stage: 'runtime' } });
    expect(readJson(tree, 'apps/api/package.json')).toEqual({ name: '@acme/api', scripts: { image: 'hashdock image' } });
    tree = createTreeWithEmptyWorkspace();
    tree.write('turbo.json', JSON.stringify({ tasks: {} }));
    tree.write('apps/api/package.json', JSON.stringify({ name: '@acme/api' }));
    tree.write('apps/api/Dockerfile', 'FROM node:24-slim\n');
    expect(await initGenerator(tree, { skipFormat: true, skipTurbo: true })).toBeUndefined();
    expect(readJson(tree, 'turbo.json')).toEqual({ tasks: {} });
    expect(readJson(tree, 'apps/api/package.json').scripts).toBeUndefined();
  });

  it('a root package name that names no one ("root", "monorepo") or none: the workspace folder\'s name as namespace', async () => {
    for (const name of ['root', 'monorepo', undefined]) {
      tree = createTreeWithEmptyWorkspace();
      tree.write('package.json', JSON.stringify({ private: true, ...(name ? { name } : {}) }));
      await initGenerator(tree, { skipFormat: true });
      // The test tree's folder is /virtual.
      expect(hashdockEntry(), name).toMatchObject({ options: { namespace: 'virtual' } });
    }
    tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: 'shop-platform', private: true }));
    await initGenerator(tree, { skipFormat: true });
    expect(hashdockEntry()).toMatchObject({ options: { namespace: 'shop-platform' } });
  });

  it('says when @nx/docker infers targets from the same Dockerfiles', async () => {
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@nx/docker', options: { buildTarget: 'docker:build' } }] });
    await initGenerator(tree, { skipFormat: true });
    expect(warnings).toEqual([
      '@hashdock/nx-plugin: @nx/docker is registered in nx.json too; it infers docker:build and docker:run from the same Dockerfiles. ' +
        'Both can stay (their target names differ); to let Hashdock replace it, remove its entry from nx.json "plugins".',
    ]);
    // Both stay registered: Hashdock removes nothing of the user's.
    expect(readNxJson(tree)?.plugins).toHaveLength(2);
  });

  it("says when nx release publishes images the way @nx/docker builds them, and what to set instead", async () => {
    updateNxJson(tree, { ...readNxJson(tree), release: { docker: { registryUrl: 'ghcr.io' }, groups: { apps: { projects: ['api'], docker: true }, libs: { projects: ['core'] } } } as never });
    await initGenerator(tree, { skipFormat: true });
    expect(warnings).toEqual([
      '@hashdock/nx-plugin: nx.json "release.docker" and "release.groups.apps.docker" make nx release tag and push images as @nx/docker builds them (a local image named after the project folder); ' +
        'Hashdock\'s image targets push to the registry instead. To release those by version, give each image project an "nx-release-publish" target ' +
        '{ "executor": "@hashdock/nx-plugin:release-publish", "dependsOn": ["image"] } and remove "docker" from the release configuration.',
    ]);
  });

  it('says when @nx-tools/nx-container infers targets too, and when one of its names is the one Hashdock would take', async () => {
    updateNxJson(tree, { ...readNxJson(tree), plugins: ['@nx-tools/nx-container'] });
    await initGenerator(tree, { skipFormat: true });
    expect(warnings).toEqual([
      '@hashdock/nx-plugin: @nx-tools/nx-container is registered in nx.json too; it infers container from every Dockerfile next to a project.json or package.json. ' +
        'Both can stay (their target names differ); to let Hashdock replace it, remove its entry from nx.json "plugins".',
    ]);
    warnings.length = 0;
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@nx-tools/nx-container', options: { buildTargetName: 'image' } }] });
    await initGenerator(tree, { skipFormat: true });
    expect(warnings[0]).toContain('it infers image from every Dockerfile');
    expect(warnings[0]).toContain('It names a target "image" too: Nx keeps one of the two (the plugin listed later in nx.json); pick another name with --targetName.');
  });

  it('moving from @nx/docker that builds from the workspace root (cwd "."): the workspace context, said, unless --context is given', async () => {
    const docker = (cwd?: string) => ({ plugin: '@nx/docker', options: { buildTarget: { name: 'docker:build', ...(cwd === undefined ? {} : { cwd }), args: ['--file {projectRoot}/Dockerfile'] } } });
    updateNxJson(tree, { ...readNxJson(tree), plugins: [docker('.')] });
    await initGenerator(tree, { skipFormat: true });
    expect(hashdockEntry()).toEqual({ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: 'acme', context: 'workspace' } });
    expect(info.join('\n')).toContain('context "workspace", as @nx/docker\'s build target runs from the workspace root here (its "cwd"); pass --context to choose another.');
    expect(info.join('\n')).toContain('built from the workspace root');
    for (const [cwd, given, expected] of [
      [undefined, undefined, undefined],
      ['{projectRoot}', undefined, undefined],
      ['{workspaceRoot}', undefined, 'workspace'],
      ['.', 'project', 'project'],
    ] as const) {
      updateNxJson(tree, { ...readNxJson(tree), plugins: [docker(cwd)] });
      await initGenerator(tree, { skipFormat: true, ...(given ? { context: given } : {}) });
      expect((hashdockEntry() as { options: { context?: string } }).options.context).toBe(expected);
    }
  });

  it('moving from @nx/docker: its args are carried over per Dockerfile; with --context given, a Dockerfile built otherwise keeps its own', async () => {
    addProjectConfiguration(tree, 'api', { root: 'apps/api' });
    // web overrides the plugin's args in its own options-only target, as @nx/docker allows.
    addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: { 'docker:build': { options: { cwd: '{projectRoot}', args: ['--target', 'static'] } } } as never });
    tree.write('apps/api/Dockerfile', 'FROM node:24-slim\nARG NODE_ENV\nCOPY apps/api/main.js /app/\n');
    tree.write('apps/web/Dockerfile', 'FROM node:24-slim AS static\nCOPY index.html /srv/\n');
    const args = ['--file {projectRoot}/Dockerfile', '--build-arg NODE_ENV=production'];
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@nx/docker', options: { buildTarget: { name: 'docker:build', cwd: '.', args } } }] });
    await initGenerator(tree, { skipFormat: true, context: 'project' });
    expect((hashdockEntry() as { options: { context?: string } }).options.context).toBe('project');
    expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ context: 'workspace', buildArgs: { NODE_ENV: 'production' } });
    expect(readProjectConfiguration(tree, 'web').targets?.image?.options).toEqual({ stage: 'static' });
    // With a context template given, no context is compared, and the settings are carried all the same.
    for (const name of ['api', 'web']) {
      const project = readProjectConfiguration(tree, name);
      delete project.targets?.image;
      updateProjectConfiguration(tree, name, project);
    }
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@nx/docker', options: { buildTarget: { name: 'docker:build', cwd: '.', args } } }] });
    await initGenerator(tree, { skipFormat: true, context: '{projectRoot}/..' });
    expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ buildArgs: { NODE_ENV: 'production' } });
    expect(readProjectConfiguration(tree, 'web').targets?.image?.options).toEqual({ stage: 'static' });
    expect(info).toContain(
      '@hashdock/nx-plugin: apps/api/project.json: its "image" target builds apps/api/Dockerfile as @nx/docker\'s "docker:build" target of apps/api runs docker build on apps/api/Dockerfile from the workspace root: ' +
        '{"context":"workspace","buildArgs":{"NODE_ENV":"production"}}',
    );
  });

  it("moving from @nx/docker configured with its target's options (Nx Cloud's: \"cwd\": \"\", \"file\", build args): read as run-commands passes them to docker build", async () => {
    for (const name of ['api', 'worker']) {
      addProjectConfiguration(tree, name, {
        root: `apps/${name}`,
        targets: { 'docker:build': { options: { cwd: '', file: `apps/${name}/Dockerfile`, args: ['--build-arg="NX_VERSION=$NX_VERSION"'] }, configurations: { ci: { cwd: '' } } } },
      } as never);
      tree.write(`apps/${name}/Dockerfile`, `FROM node:24-slim\nARG NX_VERSION\nARG TIER\nCOPY apps/${name}/src /app\n`);
    }
    updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@nx/docker', options: { buildTarget: { name: 'docker:build', configurations: { ci: { args: ['--cache-to type=inline'] } } }, runTarget: 'docker:run' } }] });
    // A plain run-commands target's options too: `"build-arg": "TIER=web"` is `--build-arg='TIER=web'`.
    addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: { container: { executor: 'nx:run-commands', options: { command: 'docker build .', cwd: '{projectRoot}', 'build-arg': 'TIER=web' } } } } as never);
    tree.write('apps/web/Dockerfile', 'FROM node:24-slim\nARG TIER\nCOPY index.html /srv/\n');
    // With forwarding off, run-commands passes nothing on.
    addProjectConfiguration(tree, 'admin', { root: 'apps/admin', targets: { container: { executor: 'nx:run-commands', options: { command: 'docker build .', cwd: '{projectRoot}', forwardAllArgs: false, 'build-arg': 'TIER=admin' } } } } as never);
    tree.write('apps/admin/Dockerfile', 'FROM node:24-slim\nARG TIER\nCOPY index.html /srv/\n');
    await initGenerator(tree, { skipFormat: true });
    expect(readProjectConfiguration(tree, 'admin').targets?.image?.options?.buildArgs).toBeUndefined();
    expect(info.join('\n')).toContain('@nx/docker\'s "docker:build" target of apps/api runs docker build on apps/api/Dockerfile from the workspace root');
    expect(warnings.join('\n')).toContain('build arg NX_VERSION (its value comes from the environment: set HASHDOCK_BUILD_ARG_NX_VERSION)');
    expect(readProjectConfiguration(tree, 'web').targets?.image?.options).toMatchObject({ buildArgs: { TIER: 'web' } });
  });

  it('Dockerfiles written for the workspace root as context (COPY apps/api/dist …): the workspace context, said; a project-relative COPY anywhere keeps the default', async () => {
    addProjectConfiguration(tree, 'api', { root: 'apps/api' });
    addProjectConfiguration(tree, 'web', { root: 'apps/web' });
    tree.write('apps/api/Dockerfile', 'FROM node:24-slim\nCOPY apps/api/dist /app\nCOPY libs/shared /app/shared\n');
    tree.write('apps/web/Dockerfile', 'FROM node:24-slim\nCOPY dist/ /app/\n');
    await initGenerator(tree, { skipFormat: true });
    expect((hashdockEntry() as { options: { context?: string } }).options.context).toBe('workspace');
    expect(info.join('\n')).toContain('context "workspace", as apps/api/Dockerfile copies apps/api/dist, a path from the workspace root; pass --context to choose another.');

    // A Dockerfile that copies from its own folder: the default (each project folder), nothing said.
    const fresh = async (files: Record<string, string>, context?: string) => {
      updateNxJson(tree, { ...readNxJson(tree), plugins: [] });
      for (const [path, text] of Object.entries(files)) tree.write(path, text);
      info.length = 0;
      await initGenerator(tree, { skipFormat: true, ...(context ? { context } : {}) });
      return (hashdockEntry() as { options: { context?: string } }).options.context;
    };
    tree.write('apps/web/src/main.js', '');
    expect(await fresh({ 'apps/web/Dockerfile': 'FROM node:24-slim\nCOPY src /app/src\n' })).toBeUndefined();
    expect(info.join('\n')).not.toContain('context "workspace"');
    // Nx's usual output path for the project, not built yet (COPY /dist/apps/web ./dist, as public Nx repos write it).
    tree.delete('apps/web/src/main.js');
    tree.delete('apps/api/Dockerfile');
    expect(await fresh({ 'apps/web/Dockerfile': 'FROM node:24-slim\nCOPY package.json .\nCOPY /dist/apps/web ./dist\n' })).toBe('workspace');
    expect(info.join('\n')).toContain('as apps/web/Dockerfile copies dist/apps/web, a path from the workspace root');
    // A workspace root's own files its folder lacks (pagopa/dx's mcpserver: the lockfile, the pnpm workspace, nx.json, then ./apps).
    tree.delete('apps/web/Dockerfile');
    tree.write('pnpm-lock.yaml', 'lockfileVersion: 9.0\n');
    tree.write('pnpm-workspace.yaml', 'packages:\n  - apps/*\n');
    tree.write('apps/web/package.json', '{}');
    expect(await fresh({ 'apps/web/Dockerfile': 'FROM node:24-alpine\nCOPY ./pnpm-lock.yaml ./pnpm-workspace.yaml ./package.json ./nx.json ./\nCOPY ./apps ./apps\n' })).toBe('workspace');
    expect(info.join('\n')).toContain('as apps/web/Dockerfile copies pnpm-lock.yaml, a path from the workspace root');
    // The same names in its own folder: written for the folder.
    tree.write('apps/web/pnpm-lock.yaml', 'lockfileVersion: 9.0\n');
    expect(await fresh({ 'apps/web/Dockerfile': 'FROM node:24-alpine\nCOPY pnpm-lock.yaml package.json ./\n' })).toBeUndefined();
    tree.delete('apps/web/pnpm-lock.yaml');
    // --context given: taken as it is.
    tree.delete('apps/web/Dockerfile');
    expect(await fresh({}, 'project')).toBe('project');
  });

  describe('how the workspace builds its Dockerfiles today decides the context, Dockerfile by Dockerfile', () => {
    /** A fresh workspace: api and worker copy main.js (which says nothing: it is not there yet), web copies dist/apps/web (the workspace root's). */
    async function contextAfter(files: Record<string, string>, targets: Record<string, Record<string, unknown>> = {}): Promise<string | undefined> {
      tree = createTreeWithEmptyWorkspace();
      tree.write('package.json', JSON.stringify({ name: '@acme/source', private: true }));
      for (const app of ['api', 'web', 'worker']) addProjectConfiguration(tree, app, { root: `apps/${app}`, targets: (targets[app] ?? {}) as never });
      // They take the build args these tests' builds pass (one they do not declare is left out: see DOCKER_BUILDKIT below).
      const args = 'ARG NODE_ENV\nARG TIER\nARG FLAVOUR\n';
      tree.write('apps/api/Dockerfile', `FROM node:24-slim\n${args}COPY main.js /app/\n`);
      tree.write('apps/web/Dockerfile', `FROM node:24-slim\n${args}COPY dist/apps/web /app/\n`);
      tree.write('apps/worker/Dockerfile', `FROM node:24-slim\n${args}COPY main.js /app/\n`);
      for (const [path, text] of Object.entries(files)) tree.write(path, text);
      info.length = 0;
      warnings.length = 0;
      await initGenerator(tree, { skipFormat: true });
      return (hashdockEntry() as { options: { context?: string } }).options.context;
    }
    const fromRoot = (app: string, context = '..') => `  ${app}:\n    build:\n      context: ${context}\n      dockerfile: apps/${app}/Dockerfile\n`;

    it('a compose file (here in a subfolder: `..` is the root) that builds them from the workspace root', async () => {
      expect(await contextAfter({ 'docker/compose.yaml': `services:\n${fromRoot('api')}${fromRoot('web')}${fromRoot('worker')}` })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as docker/compose.yaml builds apps/api/Dockerfile (service api) from the workspace root; pass --context to choose another.');
      expect(warnings).toEqual([]);
    });

    it("a .dockerignore beside a Dockerfile built from another folder is named as not read (erxes' backend/core-api/.dockerignore)", async () => {
      const files = {
        'docker/compose.yaml': `services:\n${fromRoot('api')}${fromRoot('web')}  worker: { build: ../apps/worker }\n`,
        'apps/api/.dockerignore': 'dist\n',
        // web has its own Dockerfile.dockerignore, which BuildKit reads; worker builds from its folder.
        'apps/web/.dockerignore': 'dist\n',
        'apps/web/Dockerfile.dockerignore': 'node_modules\n',
        'apps/worker/.dockerignore': 'node_modules\n',
      };
      expect(await contextAfter(files)).toBe('workspace');
      expect(warnings).toEqual([
        '@hashdock/nx-plugin: not read by the builds of these images (Docker does not apply them): apps/api/.dockerignore (apps/api/Dockerfile is built from the workspace root: ' +
          'Docker reads .dockerignore (none) or apps/api/Dockerfile.dockerignore).',
      ]);
    });

    it("an ignore file named .dockerignore in another case (hyperdx's packages/api/.Dockerignore) is named: Linux never reads it", async () => {
      const files = { 'docker/compose.yaml': `services:\n${fromRoot('api')}${fromRoot('web')}  worker: { build: ../apps/worker }\n`, 'apps/worker/.Dockerignore': 'node_modules\n', '.DockerIgnore': 'dist\n' };
      expect(await contextAfter(files)).toBe('workspace');
      const reason = "(Docker reads .dockerignore in lower case: on Linux, CI's usual system, it never reads this one, while macOS and Windows do, so one commit builds other images there; rename it)";
      expect(warnings).toEqual([`@hashdock/nx-plugin: not read by the builds of these images (Docker does not apply them): .DockerIgnore ${reason}; apps/worker/.Dockerignore ${reason}.`]);
    });

    it('a compose service that extends one in another compose file (its context from that file\'s folder)', async () => {
      const common = 'services:\n  app:\n    build:\n      context: ..\n      args:\n        NODE_ENV: production\n';
      const extending = (app: string) => `  ${app}:\n    extends: { file: docker/common.yml, service: app }\n    build:\n      dockerfile: apps/${app}/Dockerfile\n`;
      expect(await contextAfter({ 'docker/common.yml': common, 'compose.yaml': `services:\n${extending('api')}${extending('web')}${extending('worker')}` })).toBe('workspace');
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ buildArgs: { NODE_ENV: 'production' } });
    });

    it('a compose file its Dockerfile contradicts is not followed, and said; on a tie, each project folder (the default)', async () => {
      // web copies dist/apps/web, which its own folder cannot give: that compose entry is stale.
      expect(await contextAfter({ 'docker-compose.yml': 'services:\n  api: { build: ./apps/api }\n  web: { build: apps/web }\n' })).toBeUndefined();
      expect(info.join('\n')).toContain('context "project", as docker-compose.yml builds apps/api/Dockerfile (service api) from apps/api; pass --context to choose another.');
      expect(warnings).toEqual([
        '@hashdock/nx-plugin: not followed (its Dockerfile says otherwise): docker-compose.yml builds apps/web/Dockerfile (service web) from apps/web, ' +
          'but it copies dist/apps/web, a path from the workspace root.',
      ]);
      // web keeps the context it was written for, in its own image target.
      expect(info).toContain('@hashdock/nx-plugin: apps/web/project.json: its "image" target builds apps/web/Dockerfile (apps/web/Dockerfile copies dist/apps/web, a path from the workspace root): {"context":"workspace"}');
      expect(readProjectConfiguration(tree, 'web').targets?.image).toEqual({ options: { context: 'workspace' } });
      expect(readProjectConfiguration(tree, 'api').targets?.image).toBeUndefined();
    });

    it('the most common context wins; the others are named with the option that builds them the same way', async () => {
      expect(await contextAfter({ 'docker-compose.yml': `services:\n${fromRoot('api', '.')}${fromRoot('web', '.')}  worker: { build: ./apps/worker }\n` })).toBe('workspace');
      expect(warnings).toEqual([]);
      expect(info).toContain('@hashdock/nx-plugin: apps/worker/project.json: its "image" target builds apps/worker/Dockerfile as docker-compose.yml builds apps/worker/Dockerfile (service worker) from apps/worker: {"context":"project"}');
      expect(readProjectConfiguration(tree, 'worker').targets?.image?.options).toEqual({ context: 'project' });
      // A project.json with comments (Nx reads it as JSONC) is read and written all the same.
      tree.write('apps/worker/project.json', `// the worker\n${tree.read('apps/worker/project.json', 'utf8')!.replace('"context": "project"', '"stage": "slim"')}`);
      updateNxJson(tree, { ...readNxJson(tree), plugins: [] });
      await initGenerator(tree, { skipFormat: true });
      expect(readProjectConfiguration(tree, 'worker').targets?.image?.options).toEqual({ stage: 'slim', context: 'project' });
      // A package.json project (a workspace package): its "nx" key, where Nx reads the project's own target options.
      tree.delete('apps/worker/project.json');
      tree.write('package.json', JSON.stringify({ name: '@acme/source', private: true, workspaces: ['apps/*'] }));
      tree.write('apps/worker/package.json', JSON.stringify({ name: 'worker', nx: { tags: ['scope:jobs'] } }));
      const again = async () => {
        updateNxJson(tree, { ...readNxJson(tree), plugins: [] });
        info.length = 0;
        warnings.length = 0;
        await initGenerator(tree, { skipFormat: true });
      };
      await again();
      expect(warnings).toEqual([]);
      expect(info).toContain('@hashdock/nx-plugin: apps/worker/package.json ("nx" key): its "image" target builds apps/worker/Dockerfile as docker-compose.yml builds apps/worker/Dockerfile (service worker) from apps/worker: {"context":"project"}');
      expect(JSON.parse(tree.read('apps/worker/package.json', 'utf8')!)).toEqual({ name: 'worker', nx: { tags: ['scope:jobs'], targets: { image: { options: { context: 'project' } } } } });
      // A script of that name would be the project's "image" target instead: what to set is said, nothing written.
      tree.write('package.json', JSON.stringify({ name: '@acme/source', private: true, workspaces: ['apps/*'] }));
      tree.write('apps/worker/package.json', JSON.stringify({ name: 'worker', scripts: { image: 'docker build -t worker .' } }));
      await again();
      expect(warnings).toEqual([
        '@hashdock/nx-plugin: to build as today, set: apps/worker/Dockerfile as apps/worker/package.json\'s script "image" runs docker build on apps/worker/Dockerfile from apps/worker: ' +
          '{"context":"project"} in the options of its "image" target.',
      ]);
      expect(JSON.parse(tree.read('apps/worker/package.json', 'utf8')!).nx).toBeUndefined();
      // One the workspace leaves out (makeplane/plane's apps/api, `!apps/api` in pnpm-workspace.yaml): Nx never reads its
      // package.json, so a project.json is made for the options, named as the project is.
      tree.write('package.json', JSON.stringify({ name: '@acme/source', private: true, workspaces: ['apps/*', '!apps/worker'] }));
      tree.write('apps/worker/package.json', JSON.stringify({ name: 'acme-worker' }));
      await again();
      expect(JSON.parse(tree.read('apps/worker/package.json', 'utf8')!)).toEqual({ name: 'acme-worker' });
      expect(readJson(tree, 'apps/worker/project.json')).toEqual({ name: 'acme-worker', targets: { image: { options: { context: 'project' } } } });
      expect(info).toContain(
        '@hashdock/nx-plugin: created apps/worker/project.json: Nx does not read its package.json (package.json "workspaces" leaves it out of the workspace packages), so the image target\'s options go there.',
      );
    });

    it('project targets: @nx-tools/nx-container:build (context "." unless set) and docker build commands, ahead of compose', async () => {
      const targets = {
        api: { container: { executor: '@nx-tools/nx-container:build', options: { engine: 'docker', metadata: { images: ['acme/api'] } } } },
        worker: { 'docker-build': { dependsOn: ['build'], command: 'docker build -f apps/worker/Dockerfile . -t worker' } },
      };
      expect(await contextAfter({ 'docker-compose.yml': `services:\n  api: { build: ./apps/api }\n` }, targets)).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as apps/api\'s target "container" (@nx-tools/nx-container:build) builds apps/api/Dockerfile from the workspace root;');
      expect(warnings).toEqual([]);
      // nx-container with its context set to the project folder, and a docker build run from it (cwd): the default.
      const fromFolders = {
        api: { container: { executor: '@nx-tools/nx-container:build', options: { context: '{projectRoot}' } } },
        worker: { image: { executor: 'nx:run-commands', options: { command: 'docker build -t worker .', cwd: 'apps/worker' } } },
      };
      expect(await contextAfter({}, fromFolders)).toBeUndefined();
      expect(info.join('\n')).toContain('context "project", as apps/api\'s target "container" (@nx-tools/nx-container:build) builds apps/api/Dockerfile from apps/api;');
      // web alone copies from the root; with two of three from their folders, it keeps the workspace root.
      expect(readProjectConfiguration(tree, 'web').targets?.image?.options).toEqual({ context: 'workspace' });
    });

    it('carries over the build args, stage, platforms and labels a build passes; never a credential or a value from the environment', async () => {
      const container = {
        executor: '@nx-tools/nx-container:build',
        options: { 'build-args': ['NODE_ENV=production', 'NPM_TOKEN=abc', 'VERSION=${VERSION}'], target: 'runtime', platforms: ['linux/amd64', 'linux/arm64'], labels: ['team=core'] },
      };
      // The project's image target already sets its platform: that stays.
      // DOCKER_BUILDKIT is the docker CLI's variable, not a build arg (makeplane/plane's compose files pass it so): no ARG takes it.
      const build = 'docker buildx build --platform linux/amd64,linux/arm64 --target=slim --build-arg DOCKER_BUILDKIT=1 --build-arg BUILDKIT_INLINE_CACHE=1 -f apps/worker/Dockerfile .';
      // web's container target names a stage its Dockerfile no longer has.
      const stale = { executor: '@nx-tools/nx-container:build', options: { target: 'gone' } };
      const targets = { api: { container, image: { options: { platform: 'linux/amd64' } } }, web: { container: stale }, worker: { container: { executor: 'nx:run-commands', options: { command: build } } } };
      // worker's Dockerfile RUNs: docker builds it, one build per platform and an index over them.
      const dockerfiles = { 'apps/api/Dockerfile': 'FROM node:24-slim AS runtime\nARG NODE_ENV\nCOPY main.js /app/\n', 'apps/worker/Dockerfile': 'FROM node:24-slim AS slim\nRUN echo hi\nCOPY main.js /app/\n' };
      expect(await contextAfter(dockerfiles, targets)).toBe('workspace');
      expect(readProjectConfiguration(tree, 'web').targets?.image).toBeUndefined();
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ platform: 'linux/amd64', buildArgs: { NODE_ENV: 'production' }, labels: { team: 'core' }, stage: 'runtime' });
      // BuildKit's own args need no ARG.
      expect(readProjectConfiguration(tree, 'worker').targets?.image?.options).toEqual({ stage: 'slim', platform: 'linux/amd64,linux/arm64', buildArgs: { BUILDKIT_INLINE_CACHE: '1' } });
      expect(info).toContain(
        '@hashdock/nx-plugin: apps/api/project.json: its "image" target builds apps/api/Dockerfile as apps/api\'s target "container" (@nx-tools/nx-container:build) builds apps/api/Dockerfile from the workspace root: ' +
          '{"buildArgs":{"NODE_ENV":"production"},"labels":{"team":"core"},"stage":"runtime"}',
      );
      expect(warnings).toEqual([
        '@hashdock/nx-plugin: not carried over: apps/api/Dockerfile: build arg NPM_TOKEN (its name says it is a credential: pass it as a secret, "secrets": { "<id>": "<ENV_VARIABLE>" }); ' +
          'apps/api/Dockerfile: build arg VERSION (its value comes from the environment: set HASHDOCK_BUILD_ARG_VERSION); ' +
          'apps/web/Dockerfile: stage gone (the Dockerfile has no stage of that name); ' +
          'apps/worker/Dockerfile: build arg DOCKER_BUILDKIT (the Dockerfile declares no ARG DOCKER_BUILDKIT: it changes nothing in the image).',
      ]);
      // The credential's value is never copied or said (the user's own container target keeps it, untouched).
      expect(JSON.stringify([info, warnings, readProjectConfiguration(tree, 'api').targets?.image])).not.toContain('abc');
      expect(readProjectConfiguration(tree, 'api').targets?.container).toEqual(container);
    });

    it("carries an nx-container target's configurations into the image target's, each left-out setting named with its configuration", async () => {
      const container = {
        executor: '@nx-tools/nx-container:build',
        options: { 'build-args': ['GIT_SHA=unicorn'] },
        configurations: { production: { 'build-args': ['GIT_SHA=${GIT_SHA}'] }, slim: { target: 'slim', 'build-args': ['MODE=slim'] }, stale: { target: 'gone' } },
      };
      const targets = { api: { container, image: { configurations: { slim: { stage: 'runtime' } } } } };
      await contextAfter({ 'apps/api/Dockerfile': 'FROM node:24-slim AS runtime\nFROM runtime AS slim\nARG GIT_SHA\nARG MODE\nCOPY main.js /app/\n' }, targets);
      // slim's stage was already set in project.json: kept; production passes no fixed build arg; stale's stage is no stage.
      expect(readProjectConfiguration(tree, 'api').targets?.image).toEqual({
        options: { buildArgs: { GIT_SHA: 'unicorn' } },
        configurations: { slim: { stage: 'runtime', buildArgs: { MODE: 'slim' } }, production: { buildArgs: {} } },
      });
      expect(info).toContain(
        '@hashdock/nx-plugin: apps/api/project.json: its "image" target builds apps/api/Dockerfile as apps/api\'s target "container" (@nx-tools/nx-container:build) builds apps/api/Dockerfile from the workspace root: ' +
          '{"buildArgs":{"GIT_SHA":"unicorn"},"configurations":{"production":{"buildArgs":{}},"slim":{"buildArgs":{"MODE":"slim"}}}}',
      );
      expect(warnings).toEqual([
        '@hashdock/nx-plugin: not carried over: apps/api/Dockerfile: configuration "production": build arg GIT_SHA (a value of each commit or run, ${GIT_SHA}: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_GIT_SHA); ' +
          'apps/api/Dockerfile: configuration "stale": stage gone (the Dockerfile has no stage of that name).',
      ]);
    });

    it('a Dockerfile shared by several projects (told apart by build args): each declares a target naming it, and the project holding it takes none of their settings', async () => {
      const rust = (app: string) => ({ executor: '@nx-tools/nx-container:build', options: { file: 'manifests/dockers/rust.Dockerfile', context: '.', 'build-args': [`APP_NAME=${app}`] } });
      await contextAfter({ 'manifests/dockers/rust.Dockerfile': 'FROM rust:1\nARG APP_NAME\nCOPY apps/${APP_NAME} /src\n', 'manifests/project.json': JSON.stringify({ name: 'manifests' }) }, { api: { container: rust('api') }, worker: { container: rust('worker') } });
      // api and worker hold a Dockerfile of their own (their "image"): the shared one is "image-rust" beside it.
      for (const app of ['api', 'worker'])
        expect(readProjectConfiguration(tree, app).targets?.['image-rust']).toEqual({
          executor: '@hashdock/nx-plugin:image',
          options: { dockerfile: 'manifests/dockers/rust.Dockerfile', buildArgs: { APP_NAME: app } },
        });
      expect(info).toContain(
        '@hashdock/nx-plugin: apps/api/project.json: declares a "image-rust" target building manifests/dockers/rust.Dockerfile as apps/api\'s target "container" (@nx-tools/nx-container:build) builds manifests/dockers/rust.Dockerfile from the workspace root: ' +
          '{"executor":"@hashdock/nx-plugin:image","dockerfile":"manifests/dockers/rust.Dockerfile","buildArgs":{"APP_NAME":"api"}}',
      );
      // The project holding it (manifests) does not take api's build args as its own.
      expect(readProjectConfiguration(tree, 'manifests').targets?.image).toBeUndefined();
    });

    it('apps that hold no Dockerfile and build one no project holds: each declares its "image" with that Dockerfile, its context, build args and name', async () => {
      tree = createTreeWithEmptyWorkspace();
      tree.write('package.json', JSON.stringify({ name: '@acme/source', private: true, workspaces: ['apps/*'] }));
      const build = (app: string, image: string) => ({ command: `docker build -f docker/node-app.Dockerfile --build-arg APP_NAME=${app} -t ghcr.io/acme/${image} .` });
      addProjectConfiguration(tree, 'orders', { root: 'apps/orders', targets: { 'docker-build': build('orders', 'shop-orders') } as never });
      addProjectConfiguration(tree, 'billing', { root: 'apps/billing', targets: { 'docker-build': build('billing', 'billing'), 'docker-push': build('billing', 'billing') } as never });
      // A package.json project whose "image" is a script: said, with the whole target to declare.
      tree.write('apps/mailer/package.json', JSON.stringify({ name: 'mailer', scripts: { image: 'docker build -f ../../docker/node-app.Dockerfile --build-arg APP_NAME=mailer ../..' } }));
      tree.write('docker/node-app.Dockerfile', 'FROM node:24-slim\nARG APP_NAME\nCOPY apps/${APP_NAME}/dist /app\n');
      await initGenerator(tree, { skipFormat: true });
      // No project Dockerfile says anything: the default policy (project), so each names the workspace root.
      expect(readProjectConfiguration(tree, 'orders').targets?.image).toEqual({
        executor: '@hashdock/nx-plugin:image',
        options: { dockerfile: 'docker/node-app.Dockerfile', context: 'workspace', buildArgs: { APP_NAME: 'orders' }, name: 'shop-orders' },
      });
      expect(readProjectConfiguration(tree, 'billing').targets?.image?.options).toEqual({ dockerfile: 'docker/node-app.Dockerfile', context: 'workspace', buildArgs: { APP_NAME: 'billing' } });
      expect(hashdockEntry()).toMatchObject({ options: { registry: 'ghcr.io', namespace: 'acme' } });
      expect(warnings.join('\n')).toContain(
          'apps/mailer (docker/node-app.Dockerfile) as apps/mailer/package.json\'s script "image" runs docker build on docker/node-app.Dockerfile from the workspace root: ' +
          'a "image" target with "executor": "@hashdock/nx-plugin:image" and the options {"dockerfile":"docker/node-app.Dockerfile","context":"workspace","buildArgs":{"APP_NAME":"mailer"}}',
      );
      expect(warnings.join('\n')).not.toContain('these builds use');
      // docker/ is no project's: no image of its own, only the apps' (not named as a Dockerfile nothing builds).
      expect(warnings.join('\n')).not.toContain('no project owns');
    });

    it("root Dockerfiles, each building the app its RUN lines name (Dokploy's): each app declares them, a plain-named one as image", async () => {
      tree = createTreeWithEmptyWorkspace();
      tree.write('package.json', JSON.stringify({ name: 'dokploy-root', private: true, workspaces: ['apps/*', 'packages/*'] }));
      const packages: Record<string, object> = {
        'apps/api': { name: '@dokploy/api', dependencies: { '@dokploy/server': 'workspace:*' } },
        'apps/dokploy': { name: 'dokploy', dependencies: { '@dokploy/server': 'workspace:*' } },
        'apps/schedules': { name: '@dokploy/schedules', dependencies: { '@dokploy/server': 'workspace:*' } },
        'packages/server': { name: '@dokploy/server' },
      };
      for (const [root, json] of Object.entries(packages)) tree.write(`${root}/package.json`, JSON.stringify(json));
      const app = (filter: string) => `FROM node:24-slim AS build\nCOPY . /usr/src/app\nWORKDIR /usr/src/app\nRUN pnpm --filter=@dokploy/server build\nRUN pnpm --filter=${filter} run build\nRUN pnpm --filter=${filter} --prod deploy /prod/app\nFROM node:24-slim\nCOPY --from=build /prod/app /app\n`;
      tree.write('Dockerfile', app('./apps/dokploy'));
      tree.write('Dockerfile.cloud', app('./apps/dokploy'));
      tree.write('Dockerfile.server', app('./apps/api'));
      tree.write('Dockerfile.schedule', app('{./apps/schedules}'));
      // Names nothing it builds (a Go service no workspace package holds): said as before.
      tree.write('Dockerfile.monitoring', 'FROM golang:1.21 AS build\nCOPY . .\nRUN go build -o /main ./apps/monitoring\n');
      const step = (file: string, tag: string) => `      - uses: docker/build-push-action@v5\n        with:\n          context: .\n          file: ./${file}\n          push: true\n          tags: ${tag}\n`;
      tree.write(
        '.github/workflows/deploy.yml',
        `on: push\njobs:\n  images:\n    runs-on: ubuntu-latest\n    steps:\n${step('Dockerfile', 'dokploy/dokploy:latest')}${step('Dockerfile.cloud', 'siumauricio/cloud:main')}${step('Dockerfile.server', 'siumauricio/server:main')}${step('Dockerfile.schedule', 'siumauricio/schedule:main')}${step('Dockerfile.monitoring', 'dokploy/monitoring:main')}`,
      );
      info.length = 0;
      warnings.length = 0;
      await initGenerator(tree, { skipFormat: true });
      const targets = (root: string) => readJson(tree, `${root}/package.json`).nx?.targets;
      expect(targets('apps/api')).toEqual({ image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'Dockerfile.server', context: 'workspace', name: 'server' } } });
      expect(targets('apps/schedules')).toEqual({ image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'Dockerfile.schedule', context: 'workspace', name: 'schedule' } } });
      expect(targets('apps/dokploy')).toEqual({
        image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'Dockerfile', context: 'workspace' } },
        'image-cloud': { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'Dockerfile.cloud', context: 'workspace', name: 'cloud' } },
      });
      // The library they build first is no image of its own; the root's Dockerfile is apps/dokploy's, not the root's.
      expect(targets('packages/server')).toBeUndefined();
      expect(hashdockEntry()).toMatchObject({ exclude: ['Dockerfile'] });
      expect(warnings.join('\n')).toContain('Dockerfile.monitoring is built today, but no project owns it');
    });

    it('a root Dockerfile built for several apps by build args (compose services api and web, root scripts): each app declares its image, the root none', async () => {
      const root = 'FROM node:24-slim\nARG APP\nWORKDIR /app\nCOPY dist/apps/${APP} .\n';
      const service = (name: string, image = `acme/${name}`) => `  ${name}:\n    build:\n      context: .\n      args:\n        APP: ${name}\n    image: ${image}\n`;
      const fresh = async (files: Record<string, string>) => {
        tree = createTreeWithEmptyWorkspace();
        tree.write('package.json', JSON.stringify({ name: '@acme/shop', private: true, ...(files['package.json'] ? JSON.parse(files['package.json']) : {}) }));
        for (const app of ['api', 'web']) addProjectConfiguration(tree, app, { root: `apps/${app}` });
        tree.write('Dockerfile', root);
        for (const [path, text] of Object.entries(files)) if (path !== 'package.json') tree.write(path, text);
        info.length = 0;
        warnings.length = 0;
        await initGenerator(tree, { skipFormat: true });
      };
      await fresh({ 'docker-compose.yml': `services:\n${service('api')}${service('web', 'acme/shop-web:latest')}` });
      expect(readProjectConfiguration(tree, 'api').targets?.image).toEqual({ executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'Dockerfile', context: 'workspace', buildArgs: { APP: 'api' } } });
      expect(readProjectConfiguration(tree, 'web').targets?.image).toEqual({
        executor: '@hashdock/nx-plugin:image',
        options: { dockerfile: 'Dockerfile', context: 'workspace', buildArgs: { APP: 'web' }, name: 'shop-web' },
      });
      // The root project's own target would build it with APP unset: left out of inference, and said.
      expect(hashdockEntry()).toMatchObject({ exclude: ['Dockerfile'] });
      expect(info).toContain(
        '@hashdock/nx-plugin: left out of inference (the plugin\'s "exclude" in nx.json): Dockerfile (every build of it makes another project\'s image: apps/api, apps/web, each declaring its own target).',
      );
      expect(tree.read('package.json', 'utf8')).not.toContain('"image"');
      // The root's scripts, told apart by the repository each tags.
      await fresh({ 'package.json': JSON.stringify({ scripts: { 'image:api': 'docker build --build-arg APP=server -t ghcr.io/acme/api .', 'image:web': 'docker build --build-arg APP=client -t ghcr.io/acme/web:1 .' } }) });
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toMatchObject({ dockerfile: 'Dockerfile', buildArgs: { APP: 'server' } });
      expect(readProjectConfiguration(tree, 'web').targets?.image?.options).toMatchObject({ dockerfile: 'Dockerfile', buildArgs: { APP: 'client' } });
      // Not told apart (api names api; web names web and, by its tag, api; two names none): named, the first carried as the root project's image, nothing
      // left out; a credential's or a variable's value only by its name.
      await fresh({
        'docker-compose.yml': `services:\n${service('api').replace('APP: api', 'APP: api\n        NPM_TOKEN: s3cr3t')}${service('two').replace('APP: two', 'APP: ${APP_TWO}')}${service('web').replace('acme/web', 'acme/api')}`,
      });
      expect(readProjectConfiguration(tree, 'api').targets?.image).toBeUndefined();
      expect(hashdockEntry()).not.toHaveProperty('exclude');
      expect(warnings).toContain(
        '@hashdock/nx-plugin: built for several images, not told apart by project: Dockerfile, built 3 ways (docker-compose.yml builds Dockerfile (service api) from the workspace root: APP=api, NPM_TOKEN; ' +
          'docker-compose.yml builds Dockerfile (service two) from the workspace root: APP; docker-compose.yml builds Dockerfile (service web) from the workspace root: APP=web). Of those, only the first build is carried over (to the project holding the Dockerfile, if one does); ' +
          'in each project that builds it, declare a target with "executor": "@hashdock/nx-plugin:image" and its "dockerfile", "buildArgs" and "stage".',
      );
      expect(warnings.join('\n')).not.toContain('s3cr3t');
      // One Dockerfile built as several stages (hoppscotch's prod.Dockerfile: backend, app, sh_admin, aio), in CI and compose: a stage
      // whose build alone names a project is that project's; the others are said, not folded into the first.
      const stage = (name: string, target: string) => `  ${name}:\n    build:\n      context: .\n      dockerfile: prod.Dockerfile\n      target: ${target}\n`;
      await fresh({
        'prod.Dockerfile':
          'FROM node:24-slim AS base\nCOPY . /src\nFROM base AS backend\nRUN pnpm --filter=api deploy /dist\nFROM base AS fe_builder\nWORKDIR /src/apps/web\nRUN pnpm run build\n' +
          'FROM node:24-slim AS app\nCOPY --from=fe_builder /src/apps/web/dist /site\nFROM node:24-slim AS aio\nCOPY --from=backend /dist /api\nCOPY --from=fe_builder /src/apps/web/dist /site\n',
        'docker-compose.yml': `services:\n${stage('api', 'backend')}${stage('shop-app', 'app')}${stage('shop-aio', 'aio')}`,
      });
      expect(readProjectConfiguration(tree, 'api').targets?.image).toMatchObject({ options: { dockerfile: 'prod.Dockerfile', stage: 'backend' } });
      // A stage named for no project: the one whose folders the stages it reaches use (app: apps/web's); aio reaches both apps: named.
      expect(readProjectConfiguration(tree, 'web').targets?.image).toMatchObject({ options: { dockerfile: 'prod.Dockerfile', stage: 'app' } });
      expect(warnings).toContain(
        '@hashdock/nx-plugin: built for several images, not told apart by project: prod.Dockerfile, built 3 ways, of which these are no one project\'s ' +
          '(docker-compose.yml builds prod.Dockerfile (service shop-aio) from the workspace root: stage aio). Of those, only the first build is carried over (to the project holding the Dockerfile, if one does); ' +
          'in each project that builds it, declare a target with "executor": "@hashdock/nx-plugin:image" and its "dockerfile", "buildArgs" and "stage".',
      );
      // Variants of one image (an environment each, as ever-gauzy builds its api: demo and prod in CI, a compose service "api"), naming
      // one app at most: said nothing, as before.
      await fresh({ 'docker-compose.yml': `services:\n${service('demo').replace('APP: demo', 'ENV: demo')}${service('prod').replace('APP: prod', 'ENV: prod')}${service('api').replace('APP: api', 'ENV: dev')}` });
      expect(warnings.join('\n')).not.toContain('not told apart');
      expect(hashdockEntry()).not.toHaveProperty('exclude');
    });

    it('a project building another project\'s Dockerfile as it is (no build args of its own) declares nothing, and is said', async () => {
      await contextAfter({}, { web: { 'e2e-image': { command: 'docker build -f apps/api/Dockerfile -t api:e2e .' } } });
      expect(readProjectConfiguration(tree, 'web').targets?.image).toBeUndefined();
      expect(warnings.join('\n')).toContain(
        "these builds use another project's Dockerfile as it is: apps/web's target \"e2e-image\" runs docker build on apps/api/Dockerfile from the workspace root. " +
          'Hashdock builds each as the image of the project that holds it',
      );
    });

    it('the images keep where they are pushed today: the registry and namespace most builds tag, and each image\'s name', async () => {
      const targets = {
        api: {
          container: {
            executor: '@nx-tools/nx-container:build',
            options: { metadata: { images: ['fst-api'] } },
            configurations: { ci: { metadata: { images: ['ghcr.io/wgd3/fst-api'] } } },
          },
        },
        // Two builds of one Dockerfile: the first (local, `-t worker`) decides; CI's names where it goes.
        worker: {
          'docker-build': { command: 'docker build -f apps/worker/Dockerfile -t worker .' },
          container: { executor: '@nx-tools/nx-container:build', configurations: { ci: { metadata: { images: ['ghcr.io/wgd3/worker'] } } } },
        },
      };
      await contextAfter({}, targets);
      expect((hashdockEntry() as { options: Record<string, unknown> }).options).toMatchObject({ registry: 'ghcr.io', namespace: 'wgd3' });
      expect(info).toContain(
        '@hashdock/nx-plugin: registry ghcr.io and namespace wgd3, where the images go today (apps/api/Dockerfile is tagged ghcr.io/wgd3/fst-api today); pass --registry and --namespace to choose others.',
      );
      // api is fst-api today; worker is already called worker.
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ name: 'fst-api' });
      expect(readProjectConfiguration(tree, 'worker').targets?.image).toBeUndefined();
    });

    it("images named for Docker Hub (acme/api, no registry host) are said, with the options that push there, and not made the default", async () => {
      const tagged = (app: string, image: string) => ({ 'docker-build': { command: `docker build -f apps/${app}/Dockerfile . -t ${image}` } });
      await contextAfter({}, { api: tagged('api', 'erxes/erxes-next-api'), web: tagged('web', 'erxes/erxes-next-web'), worker: tagged('worker', 'worker:dev') });
      expect((hashdockEntry() as { options: Record<string, unknown> }).options).toMatchObject({ registry: 'localhost:5000' });
      expect(info).toContain(
        '@hashdock/nx-plugin: the images are named for Docker Hub today (apps/api/Dockerfile is tagged erxes/erxes-next-api today); to push there: nx g @hashdock/nx-plugin:init --registry docker.io --namespace erxes',
      );
      // Their names are kept all the same.
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ name: 'erxes-next-api' });
      // The command said: the registration is updated.
      await initGenerator(tree, { registry: 'docker.io', namespace: 'erxes', skipFormat: true });
      expect((hashdockEntry() as { options: Record<string, unknown> }).options).toMatchObject({ registry: 'docker.io', namespace: 'erxes' });
    });

    it('a name another image has or would have is not carried over (Hashdock refuses two images of one name)', async () => {
      const tagged = (app: string, image: string) => ({ 'docker-build': { command: `docker build -f apps/${app}/Dockerfile -t ${image} .` } });
      // api is tagged like the worker project's image; web and worker share one repository today.
      await contextAfter({}, { api: tagged('api', 'ghcr.io/acme/worker'), web: tagged('web', 'ghcr.io/acme/site'), worker: tagged('worker', 'ghcr.io/acme/site') });
      for (const app of ['api', 'web', 'worker']) expect(readProjectConfiguration(tree, app).targets?.image?.options?.name, app).toBeUndefined();
      expect(warnings.join('\n')).toContain(
        // One reason once, after every Dockerfile it holds for.
        'apps/api/Dockerfile: name worker (another image would have it too); apps/web/Dockerfile, apps/worker/Dockerfile: name site (another image would have it too)',
      );
    });

    it("@nx/docker's release name (a project's release.docker.repositoryName, what nx release pushes today) names the image", async () => {
      const run = async (plugins: string[]) => {
        tree = createTreeWithEmptyWorkspace();
        addProjectConfiguration(tree, 'api', { root: 'apps/api', release: { docker: { repositoryName: 'acme/shop-api' } } } as never);
        addProjectConfiguration(tree, 'web', { root: 'apps/web', release: { docker: { repositoryName: 'acme/web' } } } as never);
        for (const app of ['api', 'web']) tree.write(`apps/${app}/Dockerfile`, 'FROM node:24-slim\nCOPY main.js /app/\n');
        updateNxJson(tree, { ...readNxJson(tree), plugins });
        info.length = 0;
        await initGenerator(tree, { skipFormat: true });
      };
      // With @nx/docker registered (its inferred build from the project folder says the context) and without it (nothing does).
      for (const plugins of [['@nx/docker'], []]) {
        await run(plugins);
        expect(readProjectConfiguration(tree, 'api').targets?.image?.options, plugins.join()).toEqual({ name: 'shop-api' });
        // web's release name is Hashdock's own: nothing to write.
        expect(readProjectConfiguration(tree, 'web').targets?.image, plugins.join()).toBeUndefined();
        expect(info.join('\n')).toMatch(/apps\/api\/project\.json: its "image" target builds apps\/api\/Dockerfile .*its release\.docker\.repositoryName is "acme\/shop-api"\)?: \{"name":"shop-api"\}/);
      }
    });

    it("a release group's docker.repositoryName, and nx.json's release.docker.repositoryName, name a project's image as nx release resolves them", async () => {
      const run = async (release: Record<string, unknown>) => {
        tree = createTreeWithEmptyWorkspace();
        for (const app of ['api', 'web', 'worker']) {
          addProjectConfiguration(tree, app, { root: `apps/${app}`, tags: app === 'worker' ? ['scope:jobs'] : [] });
          tree.write(`apps/${app}/Dockerfile`, 'FROM node:24-slim\nCOPY main.js /app/\n');
        }
        updateNxJson(tree, { ...readNxJson(tree), release } as never);
        info.length = 0;
        warnings.length = 0;
        await initGenerator(tree, { skipFormat: true });
        return (app: string) => readProjectConfiguration(tree, app).targets?.image?.options;
      };
      // Groups: by name, and by tag; the root's name is every group's unless the group sets its own.
      let options = await run({
        docker: { repositoryName: 'acme/site' },
        groups: { backend: { projects: ['api'], docker: { repositoryName: 'acme/shop-api' } }, jobs: { projects: ['tag:scope:jobs'], docker: { repositoryName: 'acme/jobs' } }, web: { projects: 'apps/web*' } },
      });
      expect([options('api'), options('worker'), options('web')]).toEqual([{ name: 'shop-api' }, { name: 'jobs' }, { name: 'site' }]);
      expect(info.join('\n')).toContain('release group "backend"\'s docker.repositoryName is "acme/shop-api"');
      expect(info.join('\n')).toContain('nx.json\'s release.docker.repositoryName is "acme/site"');
      // No groups: the root's name for release.projects; a project outside them keeps Hashdock's name.
      options = await run({ projects: ['web'], docker: { repositoryName: 'acme/site' } });
      expect([options('api'), options('worker'), options('web')]).toEqual([undefined, undefined, { name: 'site' }]);
      // One name for a group of several images: none of them takes it (Hashdock refuses two images of one name), said.
      options = await run({ groups: { all: { projects: ['api', 'web', '!worker'], docker: { repositoryName: 'acme/one' } } } });
      expect([options('api'), options('worker'), options('web')]).toEqual([undefined, undefined, undefined]);
      expect(warnings.join('\n')).toContain('name one (another image would have it too)');
    });

    it('a script of the workspace root\'s package.json that runs docker build on a project\'s Dockerfile builds that project\'s image', async () => {
      const scripts = { 'image:api': 'docker build -f apps/api/Dockerfile -t ghcr.io/acme/shop-api --build-arg FLAVOUR=lean . && docker push ghcr.io/acme/shop-api' };
      expect(await contextAfter({ 'package.json': JSON.stringify({ name: '@acme/source', private: true, scripts }) })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as package.json\'s script "image:api" runs docker build on apps/api/Dockerfile from the workspace root;');
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ buildArgs: { FLAVOUR: 'lean' }, name: 'shop-api' });
      expect((hashdockEntry() as { options: Record<string, unknown> }).options).toMatchObject({ registry: 'ghcr.io', namespace: 'acme' });
      expect(warnings.join('\n')).not.toContain('as it is');
    });

    it('a GitHub Actions workflow that builds them (docker/build-push-action over a matrix): its context, build args, registry and names', async () => {
      const workflow = [
        'on: { push: { branches: [main] } }',
        'jobs:',
        '  images:',
        '    runs-on: ubuntu-latest',
        '    strategy:',
        '      matrix:',
        '        app: [api, web, worker]',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - name: Build and push',
        '        uses: docker/build-push-action@v6',
        '        with:',
        '          context: .',
        '          file: apps/${{ matrix.app }}/Dockerfile',
        '          push: true',
        '          tags: ghcr.io/acme/shop-${{ matrix.app }}:${{ github.sha }}',
        '          build-args: |',
        '            NODE_ENV=production',
        '            NPM_TOKEN=${{ secrets.NPM_TOKEN }}',
      ].join('\n');
      expect(await contextAfter({ '.github/workflows/release.yml': workflow })).toBe('workspace');
      expect(info.join('\n')).toContain(
        'context "workspace", as .github/workflows/release.yml (job images, step "Build and push") builds apps/api/Dockerfile from the workspace root (docker/build-push-action);',
      );
      expect((hashdockEntry() as { options: Record<string, unknown> }).options).toMatchObject({ registry: 'ghcr.io', namespace: 'acme' });
      for (const app of ['api', 'web', 'worker']) expect(readProjectConfiguration(tree, app).targets?.image?.options, app).toEqual({ buildArgs: { NODE_ENV: 'production' }, name: `shop-${app}` });
      expect(warnings.join('\n')).toContain('apps/api/Dockerfile, apps/web/Dockerfile, apps/worker/Dockerfile: build arg NPM_TOKEN (its name says it is a credential');
      expect(JSON.stringify([info, warnings])).not.toContain('secrets.NPM_TOKEN');
    });

    it('GitLab CI that builds them with kaniko from the checkout: its context and build args', async () => {
      const ci = [
        'images:',
        '  parallel:',
        '    matrix:',
        '      - APP: [api, web, worker]',
        '  script:',
        '    - /kaniko/executor --context $CI_PROJECT_DIR --dockerfile $CI_PROJECT_DIR/apps/$APP/Dockerfile --build-arg TIER=backend --destination $CI_REGISTRY_IMAGE/$APP:$CI_COMMIT_SHA',
      ].join('\n');
      expect(await contextAfter({ '.gitlab-ci.yml': ci })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as .gitlab-ci.yml (job images) builds apps/api/Dockerfile from the workspace root (kaniko);');
      for (const app of ['api', 'web', 'worker']) expect(readProjectConfiguration(tree, app).targets?.image?.options, app).toEqual({ buildArgs: { TIER: 'backend' } });
    });

    it('another CI file of shell steps (CircleCI here) that runs docker build from the checkout', async () => {
      const circle = 'version: 2.1\njobs:\n  images:\n    steps:\n      - checkout\n      - run: docker build -f apps/api/Dockerfile --build-arg TIER=backend .\n';
      expect(await contextAfter({ '.circleci/config.yml': circle })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as .circleci/config.yml runs docker build on apps/api/Dockerfile from the workspace root;');
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ buildArgs: { TIER: 'backend' } });
    });

    it('a Bake file (docker buildx bake): its targets\' context, Dockerfile from the context, args after inherits, and image', async () => {
      const bake = [
        'variable "TAG" { default = "dev" }',
        'group "default" { targets = ["api"] }',
        'target "common" {',
        '  context = "."',
        '  args = { TIER = "backend" }',
        '}',
        'target "api" {',
        '  inherits = ["common"]',
        '  dockerfile = "apps/api/Dockerfile"',
        '  tags = ["ghcr.io/acme/shop-api:${TAG}"]',
        '}',
      ].join('\n');
      expect(await contextAfter({ 'docker-bake.hcl': bake })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as docker-bake.hcl (bake target "api") builds apps/api/Dockerfile from the workspace root;');
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ buildArgs: { TIER: 'backend' }, name: 'shop-api' });
    });

    it('a Bake file elsewhere that CI runs (`docker buildx bake -f`, a Jenkinsfile, a CircleCI step): the targets it names', async () => {
      const bake = [
        'group "default" { targets = ["web"] }',
        'target "api" {',
        '  context = "."',
        '  dockerfile = "apps/api/Dockerfile"',
        '  args = { TIER = "backend" }',
        '}',
        'target "web" {',
        '  context = "apps/web"',
        '}',
      ].join('\n');
      const jenkinsfile = "pipeline {\n  stages {\n    stage('images') {\n      steps {\n        sh 'docker buildx bake -f deploy/images.hcl api --push'\n      }\n    }\n  }\n}\n";
      expect(await contextAfter({ 'deploy/images.hcl': bake, Jenkinsfile: jenkinsfile })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as Jenkinsfile builds apps/api/Dockerfile from the workspace root (docker buildx bake, target "api" of deploy/images.hcl);');
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ buildArgs: { TIER: 'backend' } });
      // A project target that runs it (nx:run-commands) is read the same way.
      expect(await contextAfter({ 'deploy/images.hcl': bake }, { api: { images: { executor: 'nx:run-commands', options: { command: 'docker buildx bake -f deploy/images.hcl api' } } } })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as apps/api\'s target "images" runs docker buildx bake, target "api" of deploy/images.hcl, which builds apps/api/Dockerfile from the workspace root;');
      const circle = 'version: 2.1\njobs:\n  images:\n    steps:\n      - checkout\n      - run: cd deploy && docker buildx bake -f images.hcl api\n';
      // From the folder it runs in, the file -f names; contexts still from where bake runs (here deploy/: "." is deploy, not the root).
      await contextAfter({ 'deploy/images.hcl': bake, '.circleci/config.yml': circle });
      expect(info.join('\n')).not.toContain('deploy/images.hcl');
      await contextAfter({ 'deploy/images.hcl': bake.replace('context = "."', 'context = ".."'), '.circleci/config.yml': circle });
      expect(info.join('\n')).toContain('as .circleci/config.yml runs docker buildx bake, target "api" of deploy/images.hcl, which builds apps/api/Dockerfile from the workspace root;');
    });

    it('a build of today that no workspace folder can make the same way (a context on stdin, a variable) is named, each once', async () => {
      const circle = [
        'version: 2.1',
        'jobs:',
        '  images:',
        '    steps:',
        '      - run: pnpm-context -- apps/api/Dockerfile | docker buildx build --build-arg APP=api - -t api',
        '      - run: docker build -f apps/web/Dockerfile $CONTEXT',
        '  again:',
        '    steps:',
        '      - run: docker build -f apps/web/Dockerfile $CONTEXT',
        '      - run: docker build -f apps/worker/Dockerfile .',
      ].join('\n');
      // api's main.js is there: a context piped in is not all it can build from (see the next test).
      expect(await contextAfter({ '.circleci/config.yml': circle, 'main.js': '' })).toBe('workspace');
      expect(hashdockEntry()).not.toHaveProperty('exclude');
      const said = warnings.filter((line) => line.includes('not followed (no build'));
      expect(said).toEqual([
        '@hashdock/nx-plugin: not followed (no build Hashdock can make the same way from a workspace folder): ' +
          '.circleci/config.yml: `docker buildx build --build-arg APP=api - -t api` (its context comes on stdin); ' +
          '.circleci/config.yml: `docker build -f apps/web/Dockerfile $CONTEXT` (its context is only known when it runs). ' +
          'Those Dockerfiles build from the context above; set a target\'s "context" where one needs another.',
      ]);
    });

    it("a Dockerfile built only from a context piped in, copying what no folder has (novu's pnpm-context), is left out of inference and said", async () => {
      const piped = (app: string) => JSON.stringify({ name: app, scripts: { 'docker:build': `pnpm --workspace-root pnpm-context -- apps/${app}/Dockerfile | docker buildx build --build-arg PACKAGE_PATH=apps/${app} - -t novu-${app}` } });
      const files = {
        'apps/api/package.json': piped('api'),
        'apps/api/Dockerfile': 'FROM node:20-alpine\nCOPY ./meta .\nCOPY ./deps .\nCOPY ./pkg .\n',
        // Built the same way, but what it copies is there (and a build output, not built yet, says nothing).
        'apps/worker/package.json': piped('worker'),
        'apps/worker/Dockerfile': 'FROM node:20-alpine\nCOPY package.json dist/ /app/\n',
        'apps/worker/src/main.ts': '',
        'apps/web/package.json': JSON.stringify({ name: 'web', scripts: { 'docker:build': 'docker build -f ./Dockerfile ../..' } }),
      };
      await contextAfter(files);
      expect(hashdockEntry()).toMatchObject({ exclude: ['apps/api/Dockerfile'] });
      expect(warnings.filter((line) => line.includes('left out of inference'))).toEqual([
        '@hashdock/nx-plugin: left out of inference (the plugin\'s "exclude" in nx.json): apps/api/Dockerfile (built only with its context on stdin, ' +
          'apps/api/package.json\'s script "docker:build": `docker buildx build --build-arg PACKAGE_PATH=apps/api - -t novu-api`; it copies meta, which no workspace folder has). ' +
          'To build one with Hashdock, have a target write that context to a folder, give the image target that "context" and that target in "dependsOn", and remove the Dockerfile from "exclude".',
      ]);
      // Said there, not again as not followed; the worker's build is.
      expect(warnings.filter((line) => line.includes('not followed (no build')).join('\n')).toMatch(/^[^\n]*apps\/worker\/package\.json's script "docker:build": `docker buildx build --build-arg PACKAGE_PATH=apps\/worker - -t novu-worker` \(its context comes on stdin\)\. /);
      expect(warnings.join('\n')).not.toContain('PACKAGE_PATH=apps/api - -t novu-api` (its context');
      // A second nx add keeps the entry's exclude.
      await initGenerator(tree, { skipFormat: true, registry: 'registry.acme.dev' });
      expect(hashdockEntry()).toMatchObject({ exclude: ['apps/api/Dockerfile'], options: { registry: 'registry.acme.dev' } });
    });

    it("a Dockerfile copying dist from its folder while the build writes dist/apps/<app> (Nx's generated node app, built as @nx/docker builds it): said at once", async () => {
      tree = createTreeWithEmptyWorkspace();
      tree.write('package.json', JSON.stringify({ name: '@acme/gen', private: true }));
      updateNxJson(tree, { ...readNxJson(tree), plugins: [{ plugin: '@nx/docker', options: { buildTarget: { name: 'docker:build' } } }] });
      const build = (outputPath: string) => ({ executor: '@nx/esbuild:esbuild', outputs: ['{options.outputPath}'], options: { outputPath, main: 'apps/api/src/main.ts' } });
      addProjectConfiguration(tree, 'api', { root: 'apps/api', targets: { build: build('dist/apps/api') } as never });
      tree.write('apps/api/Dockerfile', 'FROM docker.io/node:lts-alpine\nWORKDIR /app\nCOPY dist .\nCMD [ "node", "main.js" ]\n');
      // A TypeScript-references workspace writes apps/web/dist: fine as it is.
      addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: { build: build('apps/web/dist') } as never });
      tree.write('apps/web/Dockerfile', 'FROM docker.io/node:lts-alpine\nCOPY dist .\n');
      await initGenerator(tree, { skipFormat: true });
      expect(warnings.filter((line) => line.includes('cannot build as written'))).toEqual([
        '@hashdock/nx-plugin: these images cannot build as written: apps/api/Dockerfile copies dist from apps/api, but api:build writes dist/apps/api, outside it ' +
          '(build from the workspace root and copy that path, or have the build write apps/api/dist).',
      ]);
    });

    it('a Dockerfile copying its whole context: .nx and the manifests left out in its .dockerignore (created, or added to), what else changes (.git, .turbo) said', async () => {
      tree = createTreeWithEmptyWorkspace();
      tree.write('package.json', JSON.stringify({ name: '@acme/whole', private: true }));
      tree.write('.git/HEAD', 'ref: refs/heads/main\n');
      tree.write('.nx/workspace-data/project-graph.json', '{}');
      tree.write('Dockerfile', 'FROM node:24-slim\nWORKDIR /app\nCOPY . .\nRUN npx nx build api\n');
      addProjectConfiguration(tree, 'api', { root: 'apps/api' });
      tree.write('apps/api/Dockerfile', 'FROM node:24-slim\nCOPY dist /app\n');
      const again = async (ignore?: string) => {
        if (ignore !== undefined) tree.write('.dockerignore', ignore);
        updateNxJson(tree, { ...readNxJson(tree), plugins: [] });
        info.length = 0;
        warnings.length = 0;
        await initGenerator(tree, { skipFormat: true });
        return warnings.filter((line) => line.includes('copy their whole build context')).join('\n');
      };
      await initGenerator(tree, { skipFormat: true });
      // None: created with Nx's and Hashdock's own data only.
      expect(tree.read('.dockerignore', 'utf8')).toBe("# Nx's data and Hashdock's image manifests change on every run (added by nx add @hashdock/nx-plugin)\n.nx\ndist/images\n");
      expect(info.join('\n')).toContain('left out of the images that copy their whole context (they change on every run): .dockerignore (.nx, dist/images).');
      expect(warnings.filter((line) => line.includes('copy their whole build context'))).toEqual([
        "@hashdock/nx-plugin: these images copy their whole build context, git's and Nx's data included: Dockerfile (from the workspace root, with .git, which .dockerignore does not leave out). " +
          'Each would get a new content hash on every run, never found in the registry; add them to the .dockerignore there.',
      ]);
      // One that leaves out other things only (a turbo workspace's, written before Nx): added to, its lines kept.
      expect(await again('**/node_modules\n\n.turbo\n.nx/cache')).toContain('Dockerfile (from the workspace root, with .git, which .dockerignore does not leave out).');
      expect(tree.read('.dockerignore', 'utf8')).toBe("**/node_modules\n\n.turbo\n.nx/cache\n\n# Nx's data and Hashdock's image manifests change on every run (added by nx add @hashdock/nx-plugin)\n.nx\ndist/images\n");
      // Nothing to add: unchanged, nothing said.
      expect(await again('.git\n.nx\ndist\n')).toBe('');
      expect(tree.read('.dockerignore', 'utf8')).toBe('.git\n.nx\ndist\n');
      expect(info.join('\n')).not.toContain('left out of the images');
      // turbo's logs in a package's .turbo: a root `.turbo` line leaves them in, `**/.turbo` out.
      tree.write('.turbo/cache/a.tar.zst', 'x');
      tree.write('apps/api/.turbo/turbo-build.log', 'x');
      expect(await again('.git\n.nx\ndist\n.turbo\n')).toContain('Dockerfile (from the workspace root, with apps/api/.turbo, which .dockerignore does not leave out).');
      expect(await again('.git\n.nx\ndist\n**/.turbo\n')).toBe('');
    });

    it("a project's Dockerfile copying the whole workspace root: pruneContext is named for it, not for the root project's", async () => {
      tree = createTreeWithEmptyWorkspace();
      tree.write('package.json', JSON.stringify({ name: '@acme/whole', private: true }));
      tree.write('.dockerignore', '.git\n.nx\nnode_modules\n');
      tree.write('Dockerfile', 'FROM node:24-slim\nWORKDIR /app\nCOPY . .\nRUN npx nx build web\n');
      addProjectConfiguration(tree, 'api', { root: 'apps/api' });
      addProjectConfiguration(tree, 'web', { root: 'apps/web' });
      tree.write('apps/api/Dockerfile', 'FROM node:24-slim\nWORKDIR /ws\nCOPY . .\nRUN npx nx build api\n');
      tree.write('apps/web/Dockerfile', 'FROM node:24-slim\nCOPY dist /app\n');
      await initGenerator(tree, { skipFormat: true, context: 'workspace' });
      expect(info.filter((line) => line.includes('pruneContext'))).toEqual([
        '@hashdock/nx-plugin: these images copy the whole workspace root: apps/api/Dockerfile; an edit in any project makes each a new image. ' +
          'With "pruneContext": true on their image targets (or in targetDefaults), each is sent only its project, what it depends on in the project graph and the files no project owns.',
      ]);
    });

    it("a Jenkinsfile that builds them (the Docker Pipeline plugin's docker.build): its context and build args", async () => {
      const jenkinsfile = "pipeline {\n  stages {\n    stage('images') {\n      steps {\n        script {\n          docker.build(\"ghcr.io/acme/shop-api:${env.BUILD_ID}\", '-f apps/api/Dockerfile --build-arg TIER=backend .')\n        }\n      }\n    }\n  }\n}\n";
      expect(await contextAfter({ Jenkinsfile: jenkinsfile })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as Jenkinsfile builds apps/api/Dockerfile from the workspace root;');
      expect(readProjectConfiguration(tree, 'api').targets?.image?.options).toEqual({ buildArgs: { TIER: 'backend' }, name: 'shop-api' });
    });

    it('a package.json script of the project that runs docker build (from the project folder)', async () => {
      const script = { name: 'api', scripts: { 'docker:build': 'docker build -t acme/api -f Dockerfile ../..' } };
      expect(await contextAfter({ 'apps/api/package.json': JSON.stringify(script) })).toBe('workspace');
      expect(info.join('\n')).toContain('context "workspace", as apps/api/package.json\'s script "docker:build" runs docker build on apps/api/Dockerfile from the workspace root;');
    });
  });

  it('names the projects whose own target takes the inferred name with another executor, and how to pick another', async () => {
    addProjectConfiguration(tree, 'api', { root: 'apps/api', targets: { image: { executor: '@nx-tools/nx-container:build', options: {} } } });
    addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: { image: { command: 'docker build .' } } });
    addProjectConfiguration(tree, 'jobs', { root: 'apps/jobs', targets: { 'image-test': { executor: '@hashdock/nx-plugin:image', options: { stage: 'test' } } } });
    addProjectConfiguration(tree, 'worker', { root: 'apps/worker', targets: { image: { executor: '@hashdock/nx-plugin:image', options: {} } } });
    // Options only: merged into the inferred target, no clash.
    addProjectConfiguration(tree, 'shop', { root: 'apps/shop', targets: { image: { options: { name: 'storefront' } } } });
    // Its image targets run by one name (the form nx add's turbo wiring writes): Hashdock's own, no clash.
    addProjectConfiguration(tree, 'admin', { root: 'apps/admin', targets: { image: { executor: 'nx:noop', dependsOn: ['image-admin', 'image-worker'] } } });
    // A noop that runs anything else is someone else's.
    addProjectConfiguration(tree, 'docs', { root: 'apps/docs', targets: { image: { executor: 'nx:noop', dependsOn: ['build'] } } });
    await initGenerator(tree, { skipFormat: true });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('docs (nx:noop)');
    expect(warnings[0]).not.toContain('admin');
    expect(warnings[0]).toContain('these projects already have a "image" target of their own');
    expect(warnings[0]).toContain('api (@nx-tools/nx-container:build)');
    expect(warnings[0]).toContain('web (nx:run-commands)');
    expect(warnings[0]).not.toContain('worker');
    expect(warnings[0]).not.toContain('shop');
    expect(warnings[0]).not.toContain('jobs');
    expect(warnings[0]).toContain('nx g @hashdock/nx-plugin:init --targetName=container');

    // With another target name, nothing is in the way.
    warnings.length = 0;
    await initGenerator(tree, { targetName: 'container', skipFormat: true });
    expect(warnings).toEqual([]);
  });

  it('an image that copies what a CI step writes before the build (turbo prune in the workflow, typie\'s): named with the step', async () => {
    addProjectConfiguration(tree, 'api', { root: 'apps/api' });
    tree.write('apps/api/Dockerfile', 'FROM node:24-slim AS build\nCOPY out/json/ .\nRUN pnpm install --frozen-lockfile\nCOPY out/full/ .\nRUN pnpm exec turbo build --filter=@typie/api\n');
    tree.write(
      '.github/workflows/build.yml',
      'jobs:\n  build:\n    steps:\n      - uses: actions/checkout@v6\n      - name: Run turbo prune\n        run: pnpm dlx turbo prune @typie/api --docker\n' +
        '      - uses: docker/build-push-action@v7\n        with:\n          context: .\n          file: apps/api/Dockerfile\n          tags: ghcr.io/typie/api:latest\n',
    );
    await initGenerator(tree, { skipFormat: true });
    expect(warnings).toContain(
      '@hashdock/nx-plugin: these images copy what CI makes before building them: apps/api/Dockerfile copies out/json, out/full, which the checkout does not have: ' +
        '.github/workflows/build.yml (job build, step "Run turbo prune": `pnpm dlx turbo prune @typie/api --docker`) writes out/ before the build. ' +
        'Hashdock builds from the checkout: have a target write it first (its "outputs" naming it, the image target\'s "dependsOn" that target), ' +
        'or copy the sources themselves (with "pruneContext": true an image is sent only its project and what it depends on, as turbo prune does).',
    );
  });

  it("a Dockerfile in a tools' folder that CI builds and pushes (AFFiNE's .github/deployment/node/Dockerfile) is a shipped image: named with the target to declare", async () => {
    addProjectConfiguration(tree, 'server', { root: 'packages/backend/server' });
    tree.write('.github/deployment/node/Dockerfile', 'FROM node:20-bookworm-slim\nCOPY ./packages/backend/server /app\n');
    tree.write('.devcontainer/Dockerfile', 'FROM node:20\n');
    tree.write(
      '.github/workflows/build-images.yml',
      'jobs:\n  build:\n    steps:\n      - name: Build graphql Dockerfile\n        uses: docker/build-push-action@v6\n        with:\n          context: .\n          file: .github/deployment/node/Dockerfile\n          tags: ghcr.io/toeverything/affine-graphql:latest\n',
    );
    await initGenerator(tree, { skipFormat: true });
    const note = warnings.find((line) => line.includes('.github/deployment/node/Dockerfile is built today, but no project owns it'));
    expect(note).toContain('"image": {"executor":"@hashdock/nx-plugin:image","options":{"dockerfile":"{workspaceRoot}/.github/deployment/node/Dockerfile","context":"{workspaceRoot}","name":"affine-graphql"}}');
    expect(warnings.join('\n')).not.toContain('.devcontainer');
  });

  it('names the Dockerfiles no project owns (no target for them); one in the workspace root is the root project\'s', async () => {
    addProjectConfiguration(tree, 'api', { root: 'apps/api' });
    tree.write('apps/api/docker/Dockerfile', 'FROM scratch\n');
    tree.write('Dockerfile', 'FROM scratch\n');
    tree.write('Dockerfile.dev', 'FROM scratch\n');
    tree.write('.devcontainer/Dockerfile', 'FROM scratch\n');
    tree.write('.cursor/Dockerfile', 'FROM scratch\n');
    tree.write('.gitpod.dockerfile', 'FROM scratch\n');
    tree.write('.deploy/api/Dockerfile', 'FROM scratch\n');
    tree.write('deploy/worker/Dockerfile', 'FROM scratch\n');
    tree.write('examples/demo.Containerfile', 'FROM scratch\n');
    tree.write('examples/README.md', 'not a Dockerfile\n');
    // Installed packages and build output hold no project's Dockerfile.
    tree.write('node_modules/some-pkg/Dockerfile', 'FROM scratch\n');
    tree.write('dist/apps/api/Dockerfile', 'FROM scratch\n');
    await initGenerator(tree, { skipFormat: true });
    expect(warnings).toEqual([
      '@hashdock/nx-plugin: no project owns .deploy/api/Dockerfile, Dockerfile.dev, deploy/worker/Dockerfile, examples/demo.Containerfile, so they get no image target. ' +
        "To build one, add a project.json beside it or in a folder above it (a Dockerfile or Containerfile directly in the workspace root is the root project's), " +
          'or declare a target with the executor naming it ("dockerfile") in each project that builds it.',
    ]);
    // Owned once a project is there.
    warnings.length = 0;
    tree.write('deploy/worker/project.json', JSON.stringify({ name: 'worker' }));
    tree.delete('examples/demo.Containerfile');
    tree.delete('Dockerfile.dev');
    tree.delete('.deploy/api/Dockerfile');
    await initGenerator(tree, { targetName: 'container', skipFormat: true });
    expect(warnings).toEqual([]);
  });

  it("a build of the default Dockerfile where the folder has only a lowercase dockerfile is that file's, as docker reads it (map-lab's)", async () => {
    addProjectConfiguration(tree, 'web', { root: 'apps/web' });
    tree.write('apps/web/dockerfile', 'FROM node:24\nARG FLAVOUR\nCOPY . /app\n');
    tree.write('makefile', 'web:\n\tdocker build --build-arg FLAVOUR=lean -t acme/web apps/web\n');
    await initGenerator(tree, { skipFormat: true });
    expect(readProjectConfiguration(tree, 'web').targets?.image?.options).toEqual({ buildArgs: { FLAVOUR: 'lean' } });
    expect(info.join('\n')).toContain('makefile\'s target "web" runs docker build on apps/web/dockerfile from apps/web');
  });

  it("a project's Dockerfile that a Makefile in its folder builds with a named context: the context and the named context are carried into its options", async () => {
    addProjectConfiguration(tree, 'web', { root: 'apps/web' });
    tree.write('apps/web/Dockerfile', 'FROM node:24\nCOPY dist /app\nCOPY --from=shared src /shared\n');
    tree.write('apps/web/Makefile', 'image:\n\tdocker buildx build --build-context shared=../../libs/shared -t acme/web .\n');
    await initGenerator(tree, { skipFormat: true });
    expect(readProjectConfiguration(tree, 'web').targets?.image?.options).toEqual({ buildContexts: { shared: 'libs/shared' } });
    expect(info.join('\n')).toContain('apps/web/Makefile\'s target "image" runs docker build on apps/web/Dockerfile from apps/web');
  });

  it('a Dockerfile no project owns that a Makefile builds (hyperdx): the target that builds it so, named contexts and stage carried, one per way it is built', async () => {
    addProjectConfiguration(tree, 'app', { root: 'packages/app' });
    tree.write('docker/hyperdx/Dockerfile', 'FROM node:22 AS prod\nCOPY --from=app src /src\nFROM prod AS all-in-one\n');
    tree.write(
      'Makefile',
      [
        'IMAGE := hyperdx/hyperdx',
        '.PHONY: build-app build-local',
        'build-app:',
        '\tdocker build . -f ./docker/hyperdx/Dockerfile \\',
        '\t\t--build-context app=./packages/app \\',
        '\t\t--build-arg CODE_VERSION=${CODE_VERSION} \\',
        '\t\t-t ${IMAGE}:${VERSION} --target prod',
        'build-local:',
        '\t@docker build . -f ./docker/hyperdx/Dockerfile --build-context app=./packages/app --build-context base=docker-image://node:22 --target all-in-one',
        '',
      ].join('\n'),
    );
    await initGenerator(tree, { skipFormat: true });
    const target = (stage: string, contexts: Record<string, string> = {}) =>
      JSON.stringify({ executor: '@hashdock/nx-plugin:image', options: { dockerfile: '{workspaceRoot}/docker/hyperdx/Dockerfile', context: '{workspaceRoot}', buildContexts: { app: 'packages/app', ...contexts }, stage } });
    expect(warnings).toEqual([
      '@hashdock/nx-plugin: docker/hyperdx/Dockerfile is built today, but no project owns it. To build it with Hashdock, declare in the project it belongs to (project.json "targets", or package.json "nx"."targets") ' +
        'a target for each way it is built: ' +
        `Makefile's target "build-app" runs docker build on docker/hyperdx/Dockerfile from the workspace root: "image-prod": ${target('prod')} ` +
        '(not carried: build arg CODE_VERSION (its value comes from the environment: set HASHDOCK_BUILD_ARG_CODE_VERSION)); ' +
        `Makefile's target "build-local" runs docker build on docker/hyperdx/Dockerfile from the workspace root: "image-all-in-one": ${target('all-in-one', { base: 'docker-image://node:22' })}. ` +
        'Or make docker/hyperdx a project (a project.json there: {"name":"hyperdx","targets":{…}}) and declare them in it.',
    ]);
  });

  it("one Dockerfile no project owns built as several images: a target each, named by stage (hoppscotch's prod.Dockerfile), else numbered", async () => {
    tree.write('prod.Dockerfile', 'FROM node:22 AS base\nFROM base AS backend\nFROM base AS sh_admin\n');
    tree.write('docker/tool/Dockerfile', 'FROM node:22\nARG FLAVOUR\n');
    tree.write(
      'Makefile',
      [
        'backend:',
        '\tdocker build -f prod.Dockerfile --target backend -t acme/backend .',
        'admin:',
        '\tdocker build -f prod.Dockerfile --target sh_admin -t acme/admin .',
        'tools:',
        '\tdocker build -f docker/tool/Dockerfile --build-arg FLAVOUR=lean -t ghcr.io/acme/tool .',
        '\tdocker build -f docker/tool/Dockerfile --build-arg FLAVOUR=full .',
        // The same build pushed under another name (Docker Hub beside GHCR): one way, its first name.
        '\tdocker build -f docker/tool/Dockerfile --build-arg FLAVOUR=lean -t acme/tool-hub .',
        '',
      ].join('\n'),
    );
    await initGenerator(tree, { skipFormat: true });
    const notes = warnings.join('\n');
    // With the name each image has today.
    expect(notes).toContain('"image-backend": {"executor":"@hashdock/nx-plugin:image","options":{"dockerfile":"{workspaceRoot}/prod.Dockerfile","context":"{workspaceRoot}","stage":"backend","name":"backend"}}');
    expect(notes).toContain('"image-sh-admin": {"executor":"@hashdock/nx-plugin:image","options":{"dockerfile":"{workspaceRoot}/prod.Dockerfile","context":"{workspaceRoot}","stage":"sh_admin","name":"admin"}}');
    expect(notes).toContain('"image-1": {"executor":"@hashdock/nx-plugin:image","options":{"dockerfile":"{workspaceRoot}/docker/tool/Dockerfile","context":"{workspaceRoot}","buildArgs":{"FLAVOUR":"lean"},"name":"tool"}}');
    expect(notes).toContain('"image-2": {"executor":"@hashdock/nx-plugin:image","options":{"dockerfile":"{workspaceRoot}/docker/tool/Dockerfile","context":"{workspaceRoot}","buildArgs":{"FLAVOUR":"full"}}}');
    expect(notes).not.toContain('"image-3"');
  });

  it("teable's Bake file: the default group's image and the one CI names, neither in a project, each said with a target of its own name", async () => {
    tree.write('dockers/teable/Dockerfile', 'FROM node:20-bookworm\nCOPY . .\n');
    tree.write('dockers/teable/Dockerfile.db-migrate', 'FROM node:20-bookworm\nCOPY packages/db /db\n');
    tree.write(
      'docker-bake.hcl',
      'group "default" {\n  targets = ["teable"]\n}\ntarget "teable" {\n  context = "."\n  dockerfile = "dockers/teable/Dockerfile"\n}\n' +
        'target "teable-db-migrate" {\n  context = "."\n  dockerfile = "dockers/teable/Dockerfile.db-migrate"\n}\n',
    );
    await initGenerator(tree, { skipFormat: true });
    const target = (file: string) => JSON.stringify({ executor: '@hashdock/nx-plugin:image', options: { dockerfile: `{workspaceRoot}/dockers/teable/${file}`, context: '{workspaceRoot}' } });
    expect(warnings.join('\n')).toContain(`docker-bake.hcl (bake target "teable") builds dockers/teable/Dockerfile from the workspace root: "image": ${target('Dockerfile')}.`);
    expect(warnings.join('\n')).toContain(`docker-bake.hcl (bake target "teable-db-migrate") builds dockers/teable/Dockerfile.db-migrate from the workspace root: "image-db-migrate": ${target('Dockerfile.db-migrate')}.`);
  });

  it('the repository shipped as one image: the root package.json\'s docker build script is carried over into its "nx" key, and says nothing of the context', async () => {
    tree.write('package.json', JSON.stringify({ name: '@acme/shop', private: true, scripts: { 'docker:build': 'docker build --build-arg FLAVOUR=lean -t ghcr.io/acme/storefront .' } }));
    tree.write('Dockerfile', 'FROM node:24-slim\nARG FLAVOUR\nCOPY dist /app\n');
    await initGenerator(tree, { skipFormat: true });
    expect(JSON.parse(tree.read('package.json', 'utf8')!).nx).toEqual({ targets: { image: { options: { buildArgs: { FLAVOUR: 'lean' }, name: 'storefront' } } } });
    expect(hashdockEntry()).toMatchObject({ options: { registry: 'ghcr.io', namespace: 'acme' } });
    expect((hashdockEntry() as { options: Record<string, unknown> }).options.context).toBeUndefined();
    expect(info.join('\n')).not.toContain('context "');
    expect(info.join('\n')).toContain('package.json ("nx" key): its "image" target builds Dockerfile as package.json\'s script "docker:build" runs docker build on Dockerfile from the workspace root: {"buildArgs":{"FLAVOUR":"lean"},"name":"storefront"}');
  });

  it('says when a root Dockerfile cannot be the root project\'s because another project has the root package\'s name', async () => {
    tree.write('package.json', JSON.stringify({ name: 'triplo', private: true }));
    addProjectConfiguration(tree, 'triplo', { root: 'apps/triplo' });
    tree.write('Dockerfile', 'FROM node:24-slim\nCOPY dist/apps/api ./\n');
    await initGenerator(tree, { skipFormat: true });
    expect(warnings).toEqual([
      '@hashdock/nx-plugin: Dockerfile would make the workspace root a project named "triplo" (its package.json name), which apps/triplo already is; ' +
        'it gets no image target. To build it, add a project.json at the root with another "name".',
    ]);
  });

  describe('on GHCR, the namespace is the GitHub repository (owner first, as GHCR wants)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'hashdock-init-'));
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/source', private: true }));
      await writeFile(join(dir, 'nx.json'), '{}');
      await runCommand('git', ['init', '-q'], { cwd: dir });
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    const namespaceAfterInit = async (origin: string | undefined, schema: { registry?: string; namespace?: string }) => {
      if (origin) await runCommand('git', ['remote', 'add', 'origin', origin], { cwd: dir });
      const fsTree = new FsTree(dir, false);
      await initGenerator(fsTree, { ...schema, skipFormat: true });
      const entry = readNxJson(fsTree)?.plugins?.find((plugin) => typeof plugin === 'object' && plugin.plugin === '@hashdock/nx-plugin');
      return (entry as { options: { namespace: string } }).options.namespace;
    };

    it.each([
      ['an ssh origin', 'git@github.com:Acme/Shop.git'],
      ['an https origin', 'https://github.com/Acme/Shop'],
    ])('%s', async (_name, origin) => {
      expect(await namespaceAfterInit(origin, { registry: 'ghcr.io' })).toBe('acme/shop');
    });

    it('a namespace given wins', async () => {
      expect(await namespaceAfterInit('git@github.com:Acme/Shop.git', { registry: 'ghcr.io', namespace: 'platform' })).toBe('platform');
    });

    it('an origin elsewhere keeps the package scope', async () => {
      expect(await namespaceAfterInit('git@gitlab.com:acme/shop.git', { registry: 'ghcr.io' })).toBe('acme');
    });

    it('another registry keeps the package scope', async () => {
      expect(await namespaceAfterInit('git@github.com:Acme/Shop.git', { registry: 'harbor.acme.com' })).toBe('acme');
    });

    it("what Nx and Hashdock write on every run is added to .gitignore where git does not ignore it yet, once", async () => {
      // A turbo workspace given Nx by nx add (langfuse's): no .nx lines; its dist rule covers the manifests.
      await writeFile(join(dir, '.gitignore'), 'node_modules\n**/dist');
      const fsTree = new FsTree(dir, false);
      await initGenerator(fsTree, { skipFormat: true });
      expect(fsTree.read('.gitignore', 'utf8')).toBe("node_modules\n**/dist\n\n# Nx's cache and data, Hashdock's image manifests (added by nx add @hashdock/nx-plugin)\n/.nx/cache\n/.nx/workspace-data\n");
      expect(info.join('\n')).toContain('added to .gitignore (written on every run, not to be committed): .nx/cache, .nx/workspace-data.');
      for (const change of fsTree.listChanges()) if (change.type !== 'DELETE') await writeFile(join(dir, change.path), change.content!);
      // Registered afresh (a registered plugin with the same options is left as it is, before any of this).
      await writeFile(join(dir, 'nx.json'), '{}');
      const again = new FsTree(dir, false);
      await initGenerator(again, { skipFormat: true });
      expect(again.listChanges().map((change) => change.path)).not.toContain('.gitignore');
      // No .gitignore: made, the manifests too.
      await rm(join(dir, '.gitignore'));
      await writeFile(join(dir, 'nx.json'), '{}');
      const fresh = new FsTree(dir, false);
      await initGenerator(fresh, { skipFormat: true });
      expect(fresh.read('.gitignore', 'utf8')).toBe("# Nx's cache and data, Hashdock's image manifests (added by nx add @hashdock/nx-plugin)\n/.nx/cache\n/.nx/workspace-data\n/dist/images\n");
    });

    it('no git origin keeps the package scope', async () => {
      expect(await namespaceAfterInit(undefined, { registry: 'ghcr.io' })).toBe('acme');
    });

    it('a turbo workspace whose image is FROM a workspace image it does not depend on as a package: turbo builds the base first', async () => {
      // Laid out by hand or by biome (lukevella/rallly's), with a comment: its lines stay as they are.
      const turboJson = '{\n    // what turbo runs\n    "globalDependencies": [".env"],\n    "tasks": {\n        "build": { "dependsOn": ["^build"] }\n    }\n}\n';
      await writeFile(join(dir, 'turbo.json'), turboJson);
      for (const [app, dockerfile] of [
        ['base', 'FROM node:24-slim\n'],
        ['api', 'ARG APP_BASE=acme/base\nFROM ${APP_BASE}\nCOPY dist /app\n'],
        ['web', 'FROM node:24-slim\nCOPY dist /app\n'],
      ]) {
        await runCommand('mkdir', ['-p', join(dir, 'apps', app)]);
        await writeFile(join(dir, 'apps', app, 'package.json'), JSON.stringify({ name: `@acme/${app}` }));
        await writeFile(join(dir, 'apps', app, 'Dockerfile'), dockerfile);
      }
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/source', private: true, workspaces: ['apps/*'] }));
      // Only variants (documenso's apps/remix: Dockerfile.bun, Dockerfile.pnpm): no image target of the plain name.
      await runCommand('mkdir', ['-p', join(dir, 'apps/remix')]);
      await writeFile(join(dir, 'apps/remix/package.json'), JSON.stringify({ name: '@acme/remix' }));
      for (const variant of ['bun', 'pnpm']) await writeFile(join(dir, `apps/remix/Dockerfile.${variant}`), 'FROM node:24-slim\n');
      // Variants and a development one (Dockerfile.dev is for working on the app), and one of development images only.
      for (const [app, variants] of [['site', ['node', 'dev']], ['play', ['dev', 'local']]] as const) {
        await runCommand('mkdir', ['-p', join(dir, 'apps', app)]);
        await writeFile(join(dir, 'apps', app, 'package.json'), JSON.stringify({ name: `@acme/${app}` }));
        for (const variant of variants) await writeFile(join(dir, `apps/${app}/Dockerfile.${variant}`), 'FROM node:24-slim\n');
      }
      const fsTree = new FsTree(dir, false);
      await initGenerator(fsTree, { skipFormat: true });
      const tasks = readJson(fsTree, 'turbo.json').tasks;
      expect(Object.keys(tasks).sort()).toEqual(['@acme/api#image', 'build', 'image']);
      const written = fsTree.read('turbo.json', 'utf8')!;
      expect(written.startsWith('{\n    // what turbo runs\n    "globalDependencies": [".env"],\n    "tasks": {\n        "build": { "dependsOn": ["^build"] },\n        "image": {\n            "dependsOn": ["build", "^image"],\n')).toBe(true);
      expect(tasks['@acme/api#image']).toEqual({ ...tasks.image, dependsOn: ['build', '^image', '@acme/base#image'] });
      expect(info.join('\n')).toContain('@acme/api#image after the workspace images each is FROM');
      // The script's name is a target that runs the variants (as `hashdock image` does), not a third image.
      expect(readJson(fsTree, 'apps/remix/package.json').nx).toEqual({ targets: { image: { executor: 'nx:noop', dependsOn: ['image-bun', 'image-pnpm'] } } });
      expect(readJson(fsTree, 'apps/api/package.json').nx).toEqual({ targets: { image: { executor: '@hashdock/nx-plugin:image' } } });
      expect(readJson(fsTree, 'apps/site/package.json')).toMatchObject({ scripts: { image: 'hashdock image' }, nx: { targets: { image: { executor: 'nx:noop', dependsOn: ['image-node'] } } } });
      expect(readJson(fsTree, 'apps/play/package.json')).toEqual({ name: '@acme/play' });
      expect(warnings.join('\n')).toContain('apps/play (its images are development variants only, image-dev, image-local: "image" builds none of them; hashdock image --target <name> builds one)');
    });

    it('a turbo workspace whose Dockerfiles build their sources themselves: their images do not wait for the build, one that copies dist does', async () => {
      // langfuse/langfuse: web and worker run turbo prune, install and `turbo run build` inside; the sandbox copies its tsc output.
      await writeFile(join(dir, 'turbo.json'), JSON.stringify({ tasks: { build: { dependsOn: ['^build'], outputs: ['dist/**', '.next/**'] } } }));
      const inside = (app: string) => `FROM node:24-alpine AS pruner\nWORKDIR /app\nCOPY . .\nRUN turbo prune --scope=${app} --docker\nFROM pruner AS builder\nRUN pnpm install --frozen-lockfile\nRUN turbo run build --filter=${app}...\n`;
      for (const [app, dockerfile] of [
        ['web', inside('web')],
        ['worker', inside('worker')],
        ['sandbox', 'FROM node:24-alpine\nCOPY package.json ./\nRUN npm install --omit=dev\nCOPY dist ./dist\n'],
      ]) {
        await runCommand('mkdir', ['-p', join(dir, 'apps', app)]);
        await writeFile(join(dir, 'apps', app, 'package.json'), JSON.stringify({ name: `@acme/${app}`, scripts: { build: 'tsc' } }));
        await writeFile(join(dir, 'apps', app, 'Dockerfile'), dockerfile);
      }
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@acme/source', private: true, workspaces: ['apps/*'] }));
      const fsTree = new FsTree(dir, false);
      await initGenerator(fsTree, { skipFormat: true });
      const tasks = readJson(fsTree, 'turbo.json').tasks;
      // Most packages' images build inside: the task does not wait for the build; the sandbox's does.
      expect(tasks.image.dependsOn).toEqual(['^image']);
      expect(tasks['@acme/sandbox#image']).toEqual({ ...tasks.image, dependsOn: ['build', '^image'] });
      expect(Object.keys(tasks).sort()).toEqual(['@acme/sandbox#image', 'build', 'image']);
      expect(info.join('\n')).toContain(", @acme/sandbox#image after the package's build");
      expect(info.join('\n')).toContain(
        'these Dockerfiles build their sources themselves, so their images do not wait for the project\'s "build": apps/web/Dockerfile (RUN turbo run build --filter=web...); apps/worker/Dockerfile (RUN turbo run build --filter=worker...).',
      );
      // Nx's targets the same way (the plugin infers them from the same model).
      const targets = await discoverImageTargets(dir, normalizeHashdockOptions({}));
      expect(Object.fromEntries(targets.map((target) => [target.project, target.dependsOn]))).toEqual({ '@acme/web': [], '@acme/worker': [], '@acme/sandbox': ['build'] });
    });

    it("GitHub's publishing template (ghcr.io/${{ github.repository }} through env): registry, namespace and name from the origin", async () => {
      await runCommand('mkdir', ['-p', join(dir, '.github/workflows')]);
      await writeFile(
        join(dir, '.github/workflows/publish.yml'),
        'env:\n  REGISTRY: ghcr.io\n  IMAGE_NAME: ${{ github.repository }}\njobs:\n  push:\n    steps:\n      - uses: docker/metadata-action@v5\n        id: meta\n        with:\n          images: ${{ env.REGISTRY }}/${{ env.IMAGE_NAME }}\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          tags: ${{ steps.meta.outputs.tags }}\n',
      );
      await writeFile(join(dir, 'Dockerfile'), 'FROM node:24-slim\nCOPY dist /app\n');
      await writeFile(join(dir, 'project.json'), JSON.stringify({ name: 'source' }));
      await runCommand('git', ['remote', 'add', 'origin', 'https://github.com/Acme/Shop.git'], { cwd: dir });
      const fsTree = new FsTree(dir, false);
      await initGenerator(fsTree, { skipFormat: true });
      const entry = readNxJson(fsTree)?.plugins?.find((plugin) => typeof plugin === 'object' && plugin.plugin === '@hashdock/nx-plugin') as { options: Record<string, unknown> };
      expect(entry.options).toMatchObject({ registry: 'ghcr.io', namespace: 'acme' });
      expect(readProjectConfiguration(fsTree, 'source').targets?.image?.options).toEqual({ name: 'shop' });
    });

    it("GitLab CI pushing to $CI_REGISTRY_IMAGE: the gitlab.com origin says which registry and namespace, the job the names", async () => {
      await writeFile(join(dir, '.gitlab-ci.yml'), 'images:\n  script:\n    - docker build -f apps/api/Dockerfile -t $CI_REGISTRY_IMAGE/shop-api:$CI_COMMIT_SHA .\n');
      await runCommand('mkdir', ['-p', join(dir, 'apps/api')]);
      await writeFile(join(dir, 'apps/api/project.json'), JSON.stringify({ name: 'api' }));
      await writeFile(join(dir, 'apps/api/Dockerfile'), 'FROM node:24-slim\nCOPY apps/api/dist /app\n');
      await runCommand('git', ['remote', 'add', 'origin', 'git@gitlab.com:Acme/Platform/Shop.git'], { cwd: dir });
      const fsTree = new FsTree(dir, false);
      await initGenerator(fsTree, { skipFormat: true });
      const entry = readNxJson(fsTree)?.plugins?.find((plugin) => typeof plugin === 'object' && plugin.plugin === '@hashdock/nx-plugin') as { options: Record<string, unknown> };
      expect(entry.options).toMatchObject({ registry: 'registry.gitlab.com', namespace: 'acme/platform/shop', context: 'workspace' });
      expect(readProjectConfiguration(fsTree, 'api').targets?.image?.options).toEqual({ name: 'shop-api' });
    });
  });
});

import { inferredInputsBasis } from './inputs-basis';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverImageTargets, rootNameTakenBy } from './discover-images';
import { dockerfileVariant, isDockerfileName, withoutShadowed } from './dockerfile-names';
import { normalizeHashdockOptions } from './hashdock-config';
import { imageTargetInputs, imageTargetOptions, imageTargetOutputs, NxInput, ownsItsTree, ProjectTrees } from './image-target-inputs';
import { ImageTarget } from './image-targets';

describe('Dockerfile names', () => {
  it.each([
    ['Dockerfile', true],
    ['Dockerfile.prod', true],
    ['worker.Dockerfile', true],
    ['api.dockerfile', true],
    ['Dockerfile.dockerignore', false],
    ['worker.Dockerfile.dockerignore', false],
    ['Dockerfile.', false],
    ['Containerfile', true],
    ['Containerfile.prod', true],
    ['worker.Containerfile', true],
    ['api.containerfile', true],
    ['Containerfile.dockerignore', false],
    ['Containerfiles', false],
    ['Dockerfiles', false],
    ['README.md', false],
    // What docker reads where a folder has no Dockerfile (moby/moby#10858); no other name is read in lower case.
    ['dockerfile', true],
    ['containerfile', false],
  ])('%s is a Dockerfile: %s', (name, expected) => expect(isDockerfileName(name)).toBe(expected));

  it.each([
    ['apps/api', 'apps/api/Dockerfile', ''],
    ['apps/api', 'apps/api/Dockerfile.dev', 'dev'],
    ['apps/api', 'apps/api/worker.Dockerfile', 'worker'],
    ['apps/api', 'apps/api/docker/Dockerfile', 'docker'],
    ['apps/api', 'apps/api/deploy/Api_Job.Dockerfile', 'deploy-api-job'],
    ['.', 'Dockerfile.ci', 'ci'],
    ['apps/api', 'apps/api/Containerfile', ''],
    ['apps/api', 'apps/api/Containerfile.debug', 'debug'],
    ['apps/api', 'apps/api/deploy/worker.Containerfile', 'deploy-worker'],
    ['apps/api', 'apps/api/dockerfile', ''],
  ])('%s: %s is variant "%s"', (root, file, variant) => expect(dockerfileVariant(root, file)).toBe(variant));

  it('a lowercase dockerfile beside a Dockerfile is not read (docker reads the Dockerfile)', () => {
    expect(withoutShadowed(['apps/a/Dockerfile', 'apps/a/dockerfile', 'apps/b/dockerfile', 'dockerfile'])).toEqual(['apps/a/Dockerfile', 'apps/b/dockerfile', 'dockerfile']);
  });
});

describe('normalizeHashdockOptions', () => {
  it.each([
    [{ tags: 'latest' }, 'nx.json: plugin "@hashdock/nx-plugin" option "tags" must be an array of strings, got the string "latest"'],
    [{ buildArgs: { A: 1 } }, 'option "buildArgs" must be an object of strings'],
    [{ buildTarget: 'a:b:c' }, 'option "buildTarget" must be a string or false'],
    [{ registy: 'x' }, 'has no option "registy"'],
    [{ hashIgnoredSources: 'yes' }, 'option "hashIgnoredSources" must be true or false, got the string "yes"'],
    [{ labels: ['a=b'] }, 'option "labels" must be an object of strings, got an array'],
    [{ tags: ['{contentHash}', 'git-{gitsha}'] }, 'nx.json: plugin "@hashdock/nx-plugin" option "tags" uses {gitsha}; the placeholders are {contentHash}, {gitSha}, {version} and {branch}'],
    [{ mirrors: { 'docker.io': 'proxy' } }, 'nx.json: plugin "@hashdock/nx-plugin": the mirror of docker.io, "proxy", must start with a registry host'],
    [{ labels: { 'org.opencontainers.image.revision': '{gitSha}' } }, 'nx.json: plugin "@hashdock/nx-plugin": label org.opencontainers.image.revision has the template {gitSha}'],
  ])('refuses %j naming nx.json and the option', (options, message) => {
    expect(() => normalizeHashdockOptions(options as never)).toThrow(message);
  });

  it('maps the context policy and the build target', () => {
    expect(normalizeHashdockOptions({ context: 'workspace', buildTarget: 'build:production' })).toMatchObject({
      context: '{workspaceRoot}',
      buildTarget: { target: 'build', configuration: 'production', declared: true },
    });
    expect(normalizeHashdockOptions({ buildTarget: false }).buildTarget).toBeUndefined();
    expect(normalizeHashdockOptions(undefined)).toMatchObject({ context: '{projectRoot}', buildTarget: { target: 'build' }, targetName: 'image', hashIgnoredSources: false });
    expect(normalizeHashdockOptions({ hashIgnoredSources: true }).hashIgnoredSources).toBe(true);
    expect(normalizeHashdockOptions(undefined).pruneContext).toBe(false);
    expect(normalizeHashdockOptions({ pruneContext: true }).pruneContext).toBe(true);
    expect(() => normalizeHashdockOptions({ pruneContext: 'yes' } as never)).toThrow('nx.json: plugin "@hashdock/nx-plugin" option "pruneContext" must be true or false, got the string "yes"');
    expect(normalizeHashdockOptions(undefined).labels).toEqual({});
    expect(normalizeHashdockOptions({ mirrors: { 'docker.io': 'mirror.gcr.io' } }).mirrors).toEqual({ 'registry-1.docker.io': 'mirror.gcr.io' });
  });
});

describe('resolveImageTargets (the one model)', () => {
  let root = '';
  const write = async (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
  };
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-model-'));
    await write({
      'nx.json': '{}',
      'package.json': '{"name":"@acme/source","workspaces":["apps/*","images/*"]}',
      // JSONC as Nx reads it: a comment and trailing commas.
      'apps/api/project.json': '{\n  // the API\n  "name": "api",\n  "targets": { "build": {}, },\n}\n',
      'apps/api/Dockerfile': 'ARG BASE_IMAGE=acme/base\nFROM ${BASE_IMAGE}\nARG ROOT_IMAGE\nCOPY dist/ /app/\n',
      'apps/api/Dockerfile.dev': 'FROM node:24\n',
      'apps/api/docker/worker.Dockerfile': 'ARG BASE_IMAGE=acme/base\nFROM ${BASE_IMAGE}\n',
      'apps/api/Dockerfile.dockerignore': 'src\n',
      'apps/web/package.json': '{"name":"@acme/web","scripts":{"build":"tsc"}}',
      'apps/web/Dockerfile.prod': 'FROM node:24\nCOPY apps/web/dist /app\n',
      'apps/admin/project.json': '{"name":"admin","targets":{"image":{"options":{"context":"{workspaceRoot}","name":"backoffice"}}}}',
      'apps/admin/Dockerfile': 'FROM node:24\n',
      'images/base/project.json': '{"name":"base"}',
      'images/base/Dockerfile': 'ARG ROOT_IMAGE=node:24-slim\nFROM ${ROOT_IMAGE}\n',
      'docs/Dockerfile': 'FROM scratch\n',
      'node_modules/pkg/Dockerfile': 'FROM scratch\n',
    });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** File-set inputs as strings: COPY sources come as `{ fileset, includeIgnored: true }`, the rest as strings. */
  const filesets = (inputs: NxInput[]) => inputs.flatMap((input) => (typeof input === 'string' ? [input] : 'fileset' in input ? [input.fileset] : []));
  const summary = (targets: ImageTarget[]) =>
    targets.map((t) => ({ id: `${t.project}:${t.targetName}`, name: t.name, dockerfile: t.dockerfile, context: t.context, dependsOn: t.dependsOn }));

  it("a lowercase dockerfile is the project's image where its folder has no Dockerfile (docker reads it so), never beside one", async () => {
    await write({ 'apps/lower/project.json': '{"name":"lower"}', 'apps/lower/dockerfile': 'FROM node:24\n', 'apps/api/dockerfile': 'FROM scratch\n' });
    const targets = summary(await discoverImageTargets(root, normalizeHashdockOptions({})));
    expect(targets.find((t) => t.id === 'lower:image')).toEqual({ id: 'lower:image', name: 'lower', dockerfile: 'apps/lower/dockerfile', context: 'apps/lower', dependsOn: ['build'] });
    expect(targets.filter((t) => t.id.startsWith('api:')).map((t) => t.dockerfile)).toEqual(['apps/api/Dockerfile', 'apps/api/Dockerfile.dev', 'apps/api/docker/worker.Dockerfile']);
  });

  it('gives every Dockerfile of a project its own target, repository and manifest', async () => {
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', buildArgs: { ROOT_IMAGE: 'r:1', OTHER: 'x' } }));
    expect(summary(targets)).toEqual([
      { id: 'admin:image', name: 'backoffice', dockerfile: 'apps/admin/Dockerfile', context: '.', dependsOn: ['build'] },
      { id: 'api:image', name: 'api', dockerfile: 'apps/api/Dockerfile', context: 'apps/api', dependsOn: ['build', { projects: ['base'], target: 'image' }] },
      { id: 'api:image-dev', name: 'api-dev', dockerfile: 'apps/api/Dockerfile.dev', context: 'apps/api', dependsOn: ['build'] },
      { id: 'api:image-docker-worker', name: 'api-docker-worker', dockerfile: 'apps/api/docker/worker.Dockerfile', context: 'apps/api', dependsOn: ['build', { projects: ['base'], target: 'image' }] },
      { id: '@acme/web:image', name: 'web', dockerfile: 'apps/web/Dockerfile.prod', context: 'apps/web', dependsOn: ['build'] },
      { id: 'base:image', name: 'base', dockerfile: 'images/base/Dockerfile', context: 'images/base', dependsOn: ['build'] },
    ]);
    const api = targets.find((t) => t.targetName === 'image' && t.project === 'api')!;
    expect('pluginLabels' in api.inferred).toBe(false);
    const labels = { 'org.opencontainers.image.source': 'https://github.com/acme/source' };
    expect((await discoverImageTargets(root, normalizeHashdockOptions({ labels }))).find((t) => t.name === 'api')!.inferred.pluginLabels).toEqual(labels);
    // The plugin's pruneContext reaches every inferred target; a project's own option wins.
    expect('pruneContext' in api.inferred).toBe(false);
    await write({ 'apps/admin/project.json': '{"name":"admin","targets":{"image":{"options":{"context":"{workspaceRoot}","name":"backoffice","pruneContext":false}}}}' });
    const pruned = await discoverImageTargets(root, normalizeHashdockOptions({ pruneContext: true }));
    expect(pruned.find((t) => t.name === 'api')!.options.pruneContext).toBe(true);
    expect(pruned.find((t) => t.name === 'backoffice')!.options.pruneContext).toBe(false);
    // Only the build args the Dockerfile declares; the project's own options win over the inferred ones.
    expect(api.inferred).toMatchObject({ dockerfile: '{projectRoot}/Dockerfile', context: '{projectRoot}', name: 'api', pluginBuildArgs: { ROOT_IMAGE: 'r:1' } });
    expect('buildArgs' in api.inferred).toBe(false);
    expect(targets.find((t) => t.project === 'admin')!.inferred.context).toBe('{projectRoot}');
    expect(imageTargetOutputs(api)).toEqual(['{workspaceRoot}/dist/images/api.json']);
  });

  it('a Dockerfile directly in the workspace root builds the root project, named by package.json, without a root project.json', async () => {
    await write({
      Dockerfile: 'FROM node:24\nCOPY apps /src/apps\n',
      'Dockerfile.ci': 'FROM node:24\n',
      '.gitpod.dockerfile': 'FROM node:24\n',
      '.devcontainer/Dockerfile': 'FROM node:24\n',
      '.deploy/api/Dockerfile': 'FROM node:24\n',
    });
    const ids = (targets: ImageTarget[]) => targets.filter((t) => t.projectRoot === '.').map((t) => `${t.project}:${t.targetName}:${t.name}:${t.dockerfile}`);
    // Only Dockerfile (or Containerfile) itself: Dockerfile.ci, docs/ and .deploy/ are no project's; tools' own (.devcontainer, .gitpod) never the root's.
    expect(ids(await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' })))).toEqual(['@acme/source:image:source:Dockerfile']);
    // With a root project.json, every Dockerfile in folders no other project owns is the root project's (a dot-folder's too,
    // as ever-gauzy keeps its images in .deploy/), tools' own still not.
    await write({ 'project.json': '{"name":"monorepo"}' });
    expect(ids(await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' })))).toEqual([
      'monorepo:image-deploy-api:monorepo-deploy-api:.deploy/api/Dockerfile',
      'monorepo:image:monorepo:Dockerfile',
      'monorepo:image-ci:monorepo-ci:Dockerfile.ci',
      'monorepo:image-docs:monorepo-docs:docs/Dockerfile',
    ]);
  });

  it("targets the root package.json declares build the Dockerfiles they name (teable's images in dockers/teable/, no root project.json), each its own repository", async () => {
    const declared = (file: string) => ({ executor: '@hashdock/nx-plugin:image', options: { dockerfile: `{workspaceRoot}/dockers/teable/${file}`, context: '{workspaceRoot}' } });
    await write({
      'dockers/teable/Dockerfile': 'FROM node:24\nCOPY . .\n',
      'dockers/teable/Dockerfile.db-migrate': 'FROM node:24\nCOPY packages /p\n',
      'package.json': JSON.stringify({ name: '@acme/source', private: true, nx: { targets: { image: declared('Dockerfile'), 'image-db-migrate': declared('Dockerfile.db-migrate') } } }),
    });
    const targets = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }))).filter((t) => t.projectRoot === '.');
    expect(targets.map((t) => [t.project, t.targetName, t.name, t.dockerfile, t.context, t.options.namespace])).toEqual([
      ['@acme/source', 'image', 'source', 'dockers/teable/Dockerfile', '.', 'acme'],
      ['@acme/source', 'image-db-migrate', 'source-db-migrate', 'dockers/teable/Dockerfile.db-migrate', '.', 'acme'],
    ]);
  });

  it('gives a root Dockerfile no target when the root package\'s name is another project\'s (Nx refuses two projects of one name)', async () => {
    await write({ Dockerfile: 'FROM node:24\n', 'package.json': '{"name":"api","workspaces":["apps/*","images/*"]}' });
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }));
    expect(targets.filter((t) => t.projectRoot === '.')).toEqual([]);
    expect(targets.find((t) => t.project === 'api')).toBeDefined();
    expect(rootNameTakenBy(root, 'api', ['apps/api/project.json', 'apps/web/package.json', 'package.json'])).toBe('apps/api');
    expect(rootNameTakenBy(root, 'monorepo', ['apps/api/project.json'])).toBeUndefined();
  });

  it('leaves out what the plugin entry\'s exclude names and keeps only what its include names, as Nx gives the plugin files', async () => {
    const entry = (filter: Record<string, unknown>) => JSON.stringify({ plugins: [{ plugin: '@hashdock/nx-plugin', options: { namespace: 'acme' }, ...filter }] });
    const ids = async () => (await discoverImageTargets(root)).map((t) => `${t.project}:${t.targetName}`);
    await write({ 'nx.json': entry({ exclude: ['apps/api/Dockerfile.dev', 'images/**'] }) });
    expect(await ids()).toEqual(['admin:image', 'api:image', 'api:image-docker-worker', '@acme/web:image']);
    await write({ 'nx.json': entry({ include: ['apps/api/**'], exclude: ['**/docker/**'] }) });
    expect(await ids()).toEqual(['api:image', 'api:image-dev']);
    // Every Dockerfile excluded: Nx still runs the plugin (with no files), and a target a project declares is found
    // (a root Dockerfile two apps build, left out as nx add leaves it: the apps' declared targets still build it).
    await write({ 'nx.json': entry({ exclude: ['**/*ockerfile*'] }), 'apps/admin/project.json': '{"name":"admin","targets":{"image":{"executor":"@hashdock/nx-plugin:image","options":{"dockerfile":"apps/api/Dockerfile.dev"}}}}' });
    expect(await ids()).toEqual(['admin:image']);
    await write({ 'apps/admin/project.json': '{"name":"admin","targets":{"image":{"options":{"context":"{workspaceRoot}","name":"backoffice"}}}}' });
    await write({ 'nx.json': entry({ exclude: 'apps/api/**' }) });
    await expect(discoverImageTargets(root)).rejects.toThrow(`${join(root, 'nx.json')}: the "exclude" of plugin "@hashdock/nx-plugin" must be an array of globs, got the string "apps/api/**"`);
  });

  it('builds from the workspace root when the policy says so, and derives inputs from what Docker sends', async () => {
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', context: 'workspace', buildTarget: 'build:production', tags: ['{contentHash}'] }));
    const web = targets.find((t) => t.name === 'web')!;
    expect(web).toMatchObject({ context: '.', dependsOn: ['build'], defaultConfiguration: 'production' });
    const inputs = await imageTargetInputs(root, web);
    // Only what COPY reads from the root context; the external base's digest at run time.
    expect(inputs.slice(0, 11)).toEqual([
      '{workspaceRoot}/apps/web/dist',
      '{workspaceRoot}/apps/web/dist/**/*',
      '{projectRoot}/Dockerfile.prod',
      '{projectRoot}/Dockerfile.prod.dockerignore',
      '{workspaceRoot}/.dockerignore',
      { dependentTasksOutputFiles: '**/*', transitive: true },
      { env: 'HASHDOCK_REGISTRY' },
      { env: 'HASHDOCK_NAMESPACE' },
      { env: 'HASHDOCK_REUSE_NAMESPACES' },
      { env: 'HASHDOCK_BUILDER' },
      { env: 'SOURCE_DATE_EPOCH' },
    ]);
    expect(inputs.slice(11)).toEqual([{ runtime: expect.stringMatching(/^node "[^"]*cli\/main\.js" base-digest node:24$/) }]);
    // With a mirror, the base's digest is read where the build reads the base.
    const mirrored = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', context: 'workspace', mirrors: { 'docker.io': 'mirror.gcr.io' } }))).find((t) => t.name === 'web')!;
    expect(mirrored.inferred.mirrors).toEqual({ 'registry-1.docker.io': 'mirror.gcr.io' });
    expect((await imageTargetInputs(root, mirrored)).at(-1)).toEqual({ runtime: expect.stringMatching(/ base-digest node:24 --mirror registry-1\.docker\.io=mirror\.gcr\.io$/) });
    // hashIgnoredSources: the COPY sources are hashed from disk, gitignored files included (Nx 23.3+).
    expect((await imageTargetInputs(root, web, undefined, { hashIgnoredSources: true })).slice(0, 3)).toEqual([
      { fileset: '{workspaceRoot}/apps/web/dist', includeIgnored: true },
      { fileset: '{workspaceRoot}/apps/web/dist/**/*', includeIgnored: true },
      '{projectRoot}/Dockerfile.prod',
    ]);
    // BuildKit's <Dockerfile>.dockerignore replaces the context's .dockerignore.
    const api = targets.find((t) => t.name === 'api')!;
    expect(filesets(await imageTargetInputs(root, api)).slice(0, 4)).toEqual(['{workspaceRoot}/dist', '{workspaceRoot}/dist/**/*', '!{workspaceRoot}/src', '!{workspaceRoot}/src/**']);
    expect(await imageTargetInputs(root, api)).toContainEqual({ env: 'HASHDOCK_BUILD_ARG_ROOT_IMAGE' });
  });

  it('gives Nx the platform in the options: the host platform by default, so another architecture is another hash without a runtime input', async () => {
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', tags: ['{contentHash}'] }));
    const api = targets.find((t) => t.name === 'api')!;
    expect(api.inferred.platform).toBeUndefined();
    expect(imageTargetOptions(api, 'x64').platform).toBe('linux/amd64');
    expect(imageTargetOptions(api, 'arm64').platform).toBe('linux/arm64');
    expect(imageTargetOptions(api, 'x64')).toEqual({ ...api.inferred, platform: 'linux/amd64' });
    expect((await imageTargetInputs(root, api)).filter((input) => typeof input === 'object' && 'runtime' in input && !input.runtime.includes('base-digest'))).toEqual([]);
    // A configured platform is kept as it is, on any host.
    const pinned = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', platform: 'linux/amd64,linux/arm64' }))).find((t) => t.name === 'api')!;
    expect(imageTargetOptions(pinned, 'arm64').platform).toBe('linux/amd64,linux/arm64');
  });

  it('names filesets from the project root only where Nx files everything under it to that project', async () => {
    await write({ '.dockerignore': '**/*.map\napps/web/dist/tmp\ndocs\n' });
    const own = ['package.json', 'apps/web/package.json', 'apps/api/project.json', 'images/base/project.json'];
    const rooted = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', context: 'workspace' }));
    const web = rooted.find((t) => t.name === 'web')!;
    // From the workspace root: the sources under the project are the project's; root exclusions follow where exact.
    expect(filesets(await imageTargetInputs(root, web, own)).filter((input) => !input.includes('Dockerfile'))).toEqual([
      '{projectRoot}/dist',
      '{projectRoot}/dist/**/*',
      '!{workspaceRoot}/**/*.map',
      '!{workspaceRoot}/**/*.map/**',
      '!{projectRoot}/**/*.map',
      '!{projectRoot}/**/*.map/**',
      '!{workspaceRoot}/apps/web/dist/tmp',
      '!{workspaceRoot}/apps/web/dist/tmp/**',
      '!{projectRoot}/dist/tmp',
      '!{projectRoot}/dist/tmp/**',
      '!{workspaceRoot}/docs',
      '!{workspaceRoot}/docs/**',
      '{workspaceRoot}/.dockerignore',
    ]);
    // A COPY of the whole project folder (as novu's images copy theirs): that folder's files only. Nx warns of a
    // bare {projectRoot} fileset ("does not start with {workspaceRoot}/"; it will become an error).
    await write({ '.dockerignore': '', 'apps/web/Dockerfile.prod': 'FROM node:24\nCOPY apps/web ./apps/web\nCOPY package.json .\n' });
    const whole = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', context: 'workspace' }))).find((t) => t.name === 'web')!;
    expect(filesets(await imageTargetInputs(root, whole, own)).slice(0, 3)).toEqual(['{projectRoot}/**/*', '{workspaceRoot}/package.json', '{workspaceRoot}/package.json/**/*']);
    expect(filesets(await imageTargetInputs(root, whole)).slice(0, 2)).toEqual(['{workspaceRoot}/apps/web', '{workspaceRoot}/apps/web/**/*']);
    await write({ '.dockerignore': '**/*.map\napps/web/dist/tmp\ndocs\n', 'apps/web/Dockerfile.prod': 'FROM node:24\nCOPY apps/web/dist /app\n' });
    // A project nested below (its files are its own in Nx's map), or no list at all: from the workspace root.
    for (const files of [[...own, 'apps/web/e2e/project.json'], undefined]) {
      expect(filesets(await imageTargetInputs(root, web, files)).slice(0, 2)).toEqual(['{workspaceRoot}/apps/web/dist', '{workspaceRoot}/apps/web/dist/**/*']);
    }
    // The project's own context (the default policy), with Dockerfile.dockerignore's `src`.
    const api = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }))).find((t) => t.name === 'api')!;
    expect(filesets(await imageTargetInputs(root, api, own)).slice(0, 4)).toEqual(['{projectRoot}/dist', '{projectRoot}/dist/**/*', '!{projectRoot}/src', '!{projectRoot}/src/**']);
    expect(filesets(await imageTargetInputs(root, api, [...own, 'apps/api/tools/seed/package.json'])).slice(0, 4)).toEqual([
      '{workspaceRoot}/apps/api/dist',
      '{workspaceRoot}/apps/api/dist/**/*',
      '!{workspaceRoot}/apps/api/src',
      '!{workspaceRoot}/apps/api/src/**',
    ]);
    // The Dockerfile sits in the project root: always the project's own file.
    expect(await imageTargetInputs(root, api)).toContain('{projectRoot}/Dockerfile');
    // The root project: every other project is nested in it.
    expect(ownsItsTree('.', ['project.json'])).toBe(false);
    expect(ownsItsTree('apps/web', ['apps/web/package.json', 'apps/webapp/project.json'])).toBe(true);
    // Read once for every image (as inference does): the same answers as a scan of the files per image.
    const files = ['apps/web/package.json', 'apps/webapp/project.json', 'libs/a/b/c/project.json', 'libs/a/b/d/project.json', 'libs/a/project.json', 'package.json'];
    const trees = new ProjectTrees(files);
    const scan = (root: string) => root !== '.' && !files.some((file) => file.startsWith(`${root}/`) && file.slice(root.length + 1).includes('/'));
    for (const root of ['.', 'apps', 'apps/web', 'apps/webapp', 'libs', 'libs/a', 'libs/a/b', 'libs/a/b/c', 'libs/a/b/d', 'tools'])
      expect(ownsItsTree(root, trees), root).toBe(scan(root));
    expect(['libs/a', 'libs/a/b', 'libs/a/b/c'].map((root) => ownsItsTree(root, trees))).toEqual([false, false, true]);
  });

  it('a Dockerfile that names its own image does not build on itself, and its FROM is not external', async () => {
    await write({ 'images/base/Dockerfile': 'ARG PREVIOUS=acme/base\nFROM ${PREVIOUS} AS previous\nFROM node:24-slim\nCOPY --from=previous /x /x\n' });
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }));
    const base = targets.find((t) => t.name === 'base')!;
    expect(base.bases).toEqual([]);
    expect(base.dependsOn).toEqual(['build']);
    expect(base.externalBases.map((from) => from.reference)).toEqual(['node:24-slim']);
    // Another image's FROM of it still makes it a base.
    expect(targets.find((t) => t.name === 'api')!.bases).toEqual([{ project: 'base', targetName: 'image', name: 'base' }]);
  });

  it('an image FROM a workspace base hashes what the base\'s ONBUILD triggers read of its own context', async () => {
    await write({
      'images/base/Dockerfile': 'ARG ROOT_IMAGE=node:24-slim\nFROM ${ROOT_IMAGE}\nWORKDIR /app\nONBUILD COPY package.json ./\nONBUILD RUN npm ci\nONBUILD COPY src/ ./src/\n',
    });
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }));
    const api = targets.find((t) => t.name === 'api')!;
    expect(api.inheritedTriggers).toEqual(new Map([[2, { image: 'base', triggers: ['COPY package.json ./', 'RUN npm ci', 'COPY src/ ./src/'] }]]));
    expect(filesets(await imageTargetInputs(root, api)).filter((input) => !input.includes('Dockerfile') && !input.includes('dockerignore') && !input.startsWith('!'))).toEqual([
      '{workspaceRoot}/apps/api/package.json',
      '{workspaceRoot}/apps/api/package.json/**/*',
      ...['src', 'dist'].flatMap((dir) => [`{workspaceRoot}/apps/api/${dir}`, `{workspaceRoot}/apps/api/${dir}/**/*`]),
    ]);
    // The base's own build runs none of them: it reads nothing of its context.
    const base = targets.find((t) => t.name === 'base')!;
    expect(base.inheritedTriggers).toBeUndefined();
    expect(filesets(await imageTargetInputs(root, base)).filter((input) => !input.includes('Dockerfile') && !input.includes('dockerignore') && !input.startsWith('!'))).toEqual([]);
    // A base whose trigger copies everything: the whole context of the image FROM it.
    await write({ 'images/base/Dockerfile': 'ARG ROOT_IMAGE=node:24-slim\nFROM ${ROOT_IMAGE}\nONBUILD COPY . /app\n' });
    const whole = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }))).find((t) => t.name === 'api')!;
    expect(filesets(await imageTargetInputs(root, whole))[0]).toBe('{workspaceRoot}/apps/api/**/*');
  });

  it('a Dockerfile that is a symlink: where it leads is an input too (Nx hashes the link, docker reads the target)', async () => {
    await write({ 'docker/node.Dockerfile': 'FROM node:24\nCOPY dist/ /app/\n' });
    await rm(join(root, 'apps/web/Dockerfile.prod'));
    await symlink('../../docker/node.Dockerfile', join(root, 'apps/web/Dockerfile'));
    const web = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }))).find((t) => t.projectRoot === 'apps/web')!;
    expect(web.dockerfileTarget).toBe('docker/node.Dockerfile');
    expect(web.dockerfileText).toContain('COPY dist/ /app/');
    const inputs = filesets(await imageTargetInputs(root, web));
    expect(inputs).toContain('{projectRoot}/Dockerfile');
    expect(inputs).toContain('{workspaceRoot}/docker/node.Dockerfile');
    // A Dockerfile that is no link has nothing more.
    expect((await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }))).find((t) => t.project === 'api')!.dockerfileTarget).toBeUndefined();
  });

  it('a COPY source through a symlink: the link and where it leads are inputs, and the link is told as a workspace path', async () => {
    await write({ 'apps/web/config/prod.json': '{}' });
    await rm(join(root, 'apps/web/Dockerfile.prod'));
    await writeFile(join(root, 'apps/web/Dockerfile'), 'FROM node:24\nCOPY settings.json /app/\n');
    await symlink('config/prod.json', join(root, 'apps/web/settings.json'));
    const web = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }))).find((t) => t.projectRoot === 'apps/web')!;
    const reads = { paths: new Map<string, string | null>(), dirs: new Map<string, string[]>() };
    const inputs = filesets(await imageTargetInputs(root, web, undefined, { reads }));
    expect(inputs).toEqual(expect.arrayContaining(['{workspaceRoot}/apps/web/settings.json', '{workspaceRoot}/apps/web/config/prod.json']));
    expect(Object.fromEntries(reads.paths)).toEqual({ 'apps/web/settings.json': 'config/prod.json', 'apps/web/config': null, 'apps/web/config/prod.json': null });
  });

  it('follows the stage a project builds: its bases, COPY sources and build args only', async () => {
    await write({
      'apps/admin/project.json': '{"name":"admin","targets":{"image":{"options":{"stage":"Runtime"}}}}',
      'apps/admin/Dockerfile':
        'ARG BASE_IMAGE=acme/base\nARG ROOT_IMAGE\nFROM node:24 AS build\nARG BUILD_FLAVOUR\nCOPY src/ src/\n' +
        'FROM ${BASE_IMAGE} AS runtime\nCOPY dist/ /app/\nFROM runtime AS debug\nCOPY --from=build /src /src\nCOPY tools/ /tools/\n',
    });
    const admin = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', buildArgs: { ROOT_IMAGE: 'r:1', BUILD_FLAVOUR: 'x' } }))).find((t) => t.project === 'admin')!;
    expect(admin.options.stage).toBe('Runtime');
    expect(admin.bases).toEqual([{ project: 'base', targetName: 'image', name: 'base' }]);
    // node:24 is only the build stage's base, which runtime never reaches.
    expect(admin.externalBases).toEqual([]);
    expect(admin.inferred.pluginBuildArgs).toEqual({ ROOT_IMAGE: 'r:1' });
    expect(filesets(await imageTargetInputs(root, admin)).filter((input) => !input.includes('Dockerfile') && !input.includes('dockerignore'))).toEqual(['{workspaceRoot}/apps/admin/dist', '{workspaceRoot}/apps/admin/dist/**/*']);
    // The stage that reaches the others: every base and source. A stage the file lacks: all of it (the build fails, naming it).
    for (const stage of ['debug', 'prod']) {
      await write({ 'apps/admin/project.json': `{"name":"admin","targets":{"image":{"options":{"stage":"${stage}"}}}}` });
      const other = (await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }))).find((t) => t.project === 'admin')!;
      expect(other.externalBases.map((from) => from.reference)).toEqual(['node:24']);
      expect(filesets(await imageTargetInputs(root, other)).filter((input) => !input.includes('Dockerfile') && !input.includes('dockerignore') && !input.startsWith('!'))).toEqual([
        ...['src', 'dist', 'tools'].flatMap((dir) => [`{workspaceRoot}/apps/admin/${dir}`, `{workspaceRoot}/apps/admin/${dir}/**/*`]),
      ]);
    }
  });

  it('named build contexts: what the Dockerfile reads of each is an input, each one\'s .dockerignore too, and a name is not an image', async () => {
    await write({
      'apps/admin/project.json': JSON.stringify({ name: 'admin', targets: { image: { options: { context: '{workspaceRoot}', buildContexts: { api: 'apps/api', tools: '{projectRoot}/tools', node: 'docker-image://node:22-slim' } } } } }),
      'apps/admin/Dockerfile': 'FROM node:24\nCOPY package.json /app/\nCOPY --from=api src /app/api/src\nRUN --mount=from=tools,source=bin,target=/t /t/setup\nCOPY --from=api /x /x\nCOPY --from=node /usr/local/bin/node /node\n',
      '.dockerignore': 'node_modules\n',
    });
    const admin = (await discoverImageTargets(root, normalizeHashdockOptions({}))).find((t) => t.project === 'admin')!;
    expect(admin.namedContexts).toEqual({ api: 'apps/api', tools: 'apps/admin/tools', node: 'docker-image://node:22-slim' });
    // COPY --from=api is the directory, never an image to resolve.
    expect(admin.externalBases.map((from) => from.reference)).toEqual(['node:24']);
    const inputs = filesets(await imageTargetInputs(root, admin));
    expect(inputs.filter((input) => !/ockerfile/.test(input))).toEqual([
      '{workspaceRoot}/package.json',
      '{workspaceRoot}/package.json/**/*',
      '{workspaceRoot}/apps/api/src',
      '{workspaceRoot}/apps/api/src/**/*',
      '{workspaceRoot}/apps/api/x',
      '{workspaceRoot}/apps/api/x/**/*',
      '{workspaceRoot}/apps/admin/tools/bin',
      '{workspaceRoot}/apps/admin/tools/bin/**/*',
      // Nx would apply the root .dockerignore's exclusions to the named contexts' files too: none is applied.
      '{workspaceRoot}/.dockerignore',
      '{workspaceRoot}/apps/api/.dockerignore',
      '{workspaceRoot}/apps/admin/tools/.dockerignore',
    ]);
    expect(inferredInputsBasis(admin).buildContexts).toEqual({ api: 'apps/api', tools: 'apps/admin/tools', node: 'docker-image://node:22-slim' });
    // The image one is read by digest, as a FROM is: its digest now is a runtime input.
    expect((await imageTargetInputs(root, admin)).at(-1)).toEqual({ runtime: expect.stringMatching(/ base-digest node:22-slim( --platform \S+)?$/) });
  });

  it('reads a stage with the build args the target runs with: the project\'s own added to and over the plugin\'s', async () => {
    await write({ 'apps/admin/Dockerfile': 'ARG BASE=node:24\nFROM node:24 AS deps\nCOPY package.json .\nFROM ${BASE} AS runtime\nCOPY dist /app\n' });
    const copied = async (own: Record<string, unknown>, plugin: Record<string, string>) => {
      await write({ 'apps/admin/project.json': JSON.stringify({ name: 'admin', targets: { image: { options: { stage: 'runtime', ...own } } } }) });
      const admin = (await discoverImageTargets(root, normalizeHashdockOptions({ buildArgs: plugin }))).find((t) => t.project === 'admin')!;
      return filesets(await imageTargetInputs(root, admin)).filter((input) => !/ockerfile|dockerignore/.test(input) && !input.endsWith('**/*'));
    };
    expect(await copied({}, { BASE: 'deps' })).toEqual(['{workspaceRoot}/apps/admin/package.json', '{workspaceRoot}/apps/admin/dist']);
    expect(await copied({ buildArgs: { BASE: 'deps' } }, { BASE: 'node:22' })).toEqual(['{workspaceRoot}/apps/admin/package.json', '{workspaceRoot}/apps/admin/dist']);
    // The plugin's BASE still reaches a target with build args of its own (Nx alone would drop the plugin's object).
    expect(await copied({ buildArgs: { OTHER: 'x' } }, { BASE: 'deps' })).toEqual(['{workspaceRoot}/apps/admin/package.json', '{workspaceRoot}/apps/admin/dist']);
    expect(await copied({ buildArgs: { BASE: 'node:22' } }, { BASE: 'deps' })).toEqual(['{workspaceRoot}/apps/admin/dist']);
  });

  it('finds Containerfiles as it finds Dockerfiles, and names a project that has both for one image', async () => {
    await write({ 'apps/pod/project.json': '{"name":"pod"}', 'apps/pod/Containerfile': 'FROM node:24\n', 'apps/pod/worker.Containerfile': 'FROM node:24\n' });
    const pod = (await discoverImageTargets(root, normalizeHashdockOptions({}))).filter((t) => t.project === 'pod');
    expect(pod.map((t) => [t.targetName, t.name, t.dockerfile])).toEqual([
      ['image', 'pod', 'apps/pod/Containerfile'],
      ['image-worker', 'pod-worker', 'apps/pod/worker.Containerfile'],
    ]);
    await write({ 'apps/pod/Dockerfile': 'FROM node:24\n' });
    await expect(discoverImageTargets(root, normalizeHashdockOptions({}))).rejects.toThrow('Project "pod": apps/pod/Containerfile and apps/pod/Dockerfile both name the image variant "(main)"');
  });

  it('a {branch} tag makes the branch an input: CI\'s variables, and git\'s checked-out branch', async () => {
    const web = (await discoverImageTargets(root, normalizeHashdockOptions({ tags: ['{contentHash}', '{branch}'] }))).find((t) => t.name === 'web')!;
    const inputs = await imageTargetInputs(root, web);
    expect(inputs).toContainEqual({ env: 'GITHUB_HEAD_REF' });
    expect(inputs).toContainEqual({ env: 'HASHDOCK_BRANCH' });
    expect(inputs).toContainEqual({ runtime: 'git rev-parse --abbrev-ref HEAD' });
    const plain = (await discoverImageTargets(root, normalizeHashdockOptions({ tags: ['{contentHash}'] }))).find((t) => t.name === 'web')!;
    expect(await imageTargetInputs(root, plain)).not.toContainEqual({ runtime: 'git rev-parse --abbrev-ref HEAD' });
  });

  it('a project that holds no Dockerfile builds the one its declared target names: apps sharing one Dockerfile, told apart by a build arg', async () => {
    const declared = (app: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ name: app, targets: { image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'docker/rust.Dockerfile', context: '{workspaceRoot}', buildArgs: { APP_NAME: app }, ...extra } } } });
    await write({
      'docker/rust.Dockerfile': 'ARG BASE_IMAGE=acme/base\nFROM ${BASE_IMAGE}\nARG APP_NAME\nCOPY dist/apps/${APP_NAME} /app\n',
      'apps/orders/project.json': declared('orders'),
      'apps/billing/project.json': declared('billing', { name: 'invoices' }),
      // Declares another executor's "image" target: no image of Hashdock's.
      'apps/cli/project.json': '{"name":"cli","targets":{"image":{"executor":"nx:run-commands","options":{"command":"true"}}}}',
      'apps/ops/project.json': '{"name":"ops","targets":{"image-tools":{"executor":"@hashdock/nx-plugin:image"}}}',
    });
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme' }));
    const shared = targets.filter((t) => ['orders', 'billing', 'cli', 'ops'].includes(t.project));
    expect(shared.map((t) => ({ id: `${t.project}:${t.targetName}`, name: t.name, source: t.source, dockerfile: t.dockerfile, context: t.context, bases: t.bases }))).toEqual([
      { id: 'billing:image', name: 'invoices', source: 'docker/rust.Dockerfile', dockerfile: 'docker/rust.Dockerfile', context: '.', bases: [{ project: 'base', targetName: 'image', name: 'base' }] },
      { id: 'ops:image-tools', name: 'ops-tools', source: 'apps/ops/Dockerfile', dockerfile: 'apps/ops/Dockerfile', context: 'apps/ops', bases: [] },
      { id: 'orders:image', name: 'orders', source: 'docker/rust.Dockerfile', dockerfile: 'docker/rust.Dockerfile', context: '.', bases: [{ project: 'base', targetName: 'image', name: 'base' }] },
    ]);
    const orders = shared.find((t) => t.project === 'orders')!;
    expect(orders.inferred.dockerfile).toBe('{workspaceRoot}/docker/rust.Dockerfile');
    // Each reads what its own build arg makes COPY read, and the shared Dockerfile.
    expect(filesets(await imageTargetInputs(root, orders)).filter((input) => !input.includes('dockerignore'))).toEqual([
      '{workspaceRoot}/dist/apps/orders',
      '{workspaceRoot}/dist/apps/orders/**/*',
      '{workspaceRoot}/docker/rust.Dockerfile',
    ]);
    // No Dockerfile to build (none named, none in the project): the target is there, and its Dockerfile is missing.
    expect(shared.find((t) => t.project === 'ops')!.dockerfileText).toBeUndefined();
    // A root Dockerfile projects build as theirs is not the repository as one image (no root project.json).
    await write({ Dockerfile: 'FROM node:24\nARG APP_NAME\nCOPY apps/${APP_NAME}/dist /app\n' });
    const rootImages = async () => (await discoverImageTargets(root, normalizeHashdockOptions({}))).filter((t) => t.dockerfile === 'Dockerfile').map((t) => `${t.project}:${t.targetName}`);
    expect(await rootImages()).toEqual(['@acme/source:image']);
    await write({ 'apps/search/project.json': JSON.stringify({ name: 'search', targets: { image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: '{workspaceRoot}/Dockerfile', buildArgs: { APP_NAME: 'search' } } } } }) });
    expect(await rootImages()).toEqual(['search:image']);
  });

  it('an image whose Dockerfile builds its sources itself does not wait for the build target, unless the options name one', async () => {
    // Langfuse's web: turbo prune, install, `turbo run build` inside; the host's `next build` would be minutes for nothing sent.
    await write({ 'apps/site/project.json': '{"name":"site"}', 'apps/site/Dockerfile': 'FROM node:24\nCOPY . .\nRUN pnpm install && pnpm turbo run build --filter=site...\n' });
    const site = async (options: Record<string, unknown>) => (await discoverImageTargets(root, normalizeHashdockOptions(options))).find((t) => t.project === 'site')!;
    expect(await site({})).toMatchObject({ dependsOn: [], buildRun: 'pnpm turbo run build --filter=site...' });
    expect((await site({ buildTarget: 'build' })).dependsOn).toEqual(['build']);
    expect(await site({ buildTarget: 'build:production' })).toMatchObject({ dependsOn: ['build'], defaultConfiguration: 'production' });
    // One that copies what the host built waits for it.
    expect((await discoverImageTargets(root, normalizeHashdockOptions({}))).find((t) => t.name === 'api')!.dependsOn).toContain('build');
  });

  it('drops the build dependency when buildTarget is false', async () => {
    const targets = await discoverImageTargets(root, normalizeHashdockOptions({ namespace: 'acme', buildTarget: false }));
    expect(targets.find((t) => t.name === 'api')!.dependsOn).toEqual([{ projects: ['base'], target: 'image' }]);
  });

  it('refuses two targets that would share a repository, and names a broken project.json', async () => {
    await write({ 'apps/other/project.json': '{"name":"other","targets":{"image":{"options":{"name":"api"}}}}', 'apps/other/Dockerfile': 'FROM x\n' });
    await expect(discoverImageTargets(root, normalizeHashdockOptions({}))).rejects.toThrow(
      'Two image targets would publish the same image "api": api:image and other:image',
    );
    await write({ 'apps/other/project.json': '{"name": "other",,}' });
    await expect(discoverImageTargets(root, normalizeHashdockOptions({}))).rejects.toThrow(/apps\/other\/project.json: invalid JSON \(PropertyNameExpected at line 1, column 18\)/);
  });
});

import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostPlatform } from '@hashdock/core';
import { createNodesV2 } from './plugin';

describe('hashdock plugin', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-plugin-'));
    const files: Record<string, string> = {
      'apps/base/Dockerfile': 'ARG ROOT_IMAGE=node:24-slim\nFROM ${ROOT_IMAGE}\n',
      'apps/base/project.json': '{"name":"base"}',
      'apps/api/Dockerfile': 'ARG BASE_IMAGE=acme/base\nFROM ${BASE_IMAGE}\nCOPY dist/ /app/\n',
      'apps/api/Dockerfile.debug': 'ARG BASE_IMAGE=acme/base\nFROM ${BASE_IMAGE}\nCOPY dist/ /app/\n',
      'apps/api/.dockerignore': 'src\n*.md\n',
      'apps/api/project.json': '{"name":"api","targets":{"build":{},"image":{"options":{"context":"{workspaceRoot}"}}}}',
      'docs/Dockerfile': 'FROM scratch\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const run = (options: Record<string, unknown>) =>
    createNodesV2[1](['apps/base/Dockerfile', 'apps/api/Dockerfile', 'apps/api/Dockerfile.debug', 'docs/Dockerfile'], options, { workspaceRoot: root, nxJsonConfiguration: {} });

  it('renders one described, cached target per Dockerfile, inputs following the project.json context override', async () => {
    const results = Object.fromEntries(await run({ namespace: 'acme', buildArgs: { ROOT_IMAGE: 'local/root:1' } }));
    expect(Object.keys(results)).toEqual(['apps/base/Dockerfile', 'apps/api/Dockerfile', 'apps/api/Dockerfile.debug', 'docs/Dockerfile']);
    expect(results['docs/Dockerfile']).toEqual({});
    const api = results['apps/api/Dockerfile'].projects!['apps/api'];
    expect(api.name).toBe('api');
    expect(api.targets!.image).toMatchObject({
      executor: '@hashdock/nx-plugin:image',
      cache: true,
      dependsOn: ['build', { projects: ['base'], target: 'image' }],
      outputs: ['{workspaceRoot}/dist/images/api.json'],
      // The inferred options; Nx merges the project's own ({ context }) over them.
      options: { context: '{projectRoot}', dockerfile: '{projectRoot}/Dockerfile', name: 'api', namespace: 'acme', platform: hostPlatform() },
    });
    // What the inputs were inferred from: the options as they run (the project's own context over the inferred one).
    expect(api.targets!.image.metadata?.hashdockInputsFrom).toEqual({ context: '.', dockerfile: 'apps/api/Dockerfile', buildArgs: { BASE_IMAGE: null } });
    expect(api.targets!.image.metadata?.description).toBe(
      "Build acme/api from apps/api/Dockerfile (context .), tag it by content hash and push it, or reuse the registry's copy",
    );
    // The workspace root is the context and COPY reads dist/ from it (apps/api/.dockerignore no longer applies).
    expect(api.targets!.image.inputs).toEqual([
      '{workspaceRoot}/dist',
      '{workspaceRoot}/dist/**/*',
      '{projectRoot}/Dockerfile',
      '{projectRoot}/Dockerfile.dockerignore',
      '{workspaceRoot}/.dockerignore',
      { dependentTasksOutputFiles: '**/*', transitive: true },
      { env: 'HASHDOCK_REGISTRY' },
      { env: 'HASHDOCK_NAMESPACE' },
      { env: 'HASHDOCK_REUSE_NAMESPACES' },
      { env: 'HASHDOCK_BUILDER' },
      { env: 'SOURCE_DATE_EPOCH' },
      { env: 'HASHDOCK_BUILD_ARG_BASE_IMAGE' },
      { runtime: 'git rev-parse --short=12 HEAD' },
    ]);
    const debug = results['apps/api/Dockerfile.debug'].projects!['apps/api'].targets!['image-debug'];
    expect(debug).toMatchObject({ options: { name: 'api-debug', dockerfile: '{projectRoot}/Dockerfile.debug' } });
    expect(debug.inputs!.slice(0, 6)).toEqual(['{projectRoot}/dist', '{projectRoot}/dist/**/*', '!{projectRoot}/src', '!{projectRoot}/src/**', '!{projectRoot}/*.md', '!{projectRoot}/*.md/**']);
    const base = results['apps/base/Dockerfile'].projects!['apps/base'].targets!.image;
    expect(base.dependsOn).toEqual(['build']);
    expect(base.options.pluginBuildArgs).toEqual({ ROOT_IMAGE: 'local/root:1' });
    // No COPY: no context file is an input; the external base's digest is, looked up at hash time.
    expect(base.inputs![0]).toBe('{projectRoot}/Dockerfile');
    expect(base.inputs).toContainEqual({ runtime: expect.stringMatching(/ base-digest local\/root:1 --arg ROOT_IMAGE$/) });
  });

  it('selects the build configuration through the image target, and declares no git input when no tag uses it', async () => {
    const results = Object.fromEntries(await run({ buildTarget: 'build:production', tags: ['{contentHash}', 'latest'] }));
    const base = results['apps/base/Dockerfile'].projects!['apps/base'].targets!.image;
    expect(base).toMatchObject({ defaultConfiguration: 'production', configurations: { production: {}, ci: { push: true }, local: { push: false } } });
    expect(base.inputs).not.toContainEqual({ runtime: 'git rev-parse --short=12 HEAD' });
  });

  it('gives a target the project declares with the image executor the same inference: another stage of the same Dockerfile', async () => {
    await writeFile(join(root, 'apps/base/Dockerfile'), 'ARG ROOT_IMAGE=node:24-slim\nFROM ${ROOT_IMAGE} AS runtime\nCOPY dist/ /app/\nFROM runtime AS debug\nCOPY tools/ /tools/\n');
    await writeFile(
      join(root, 'apps/base/project.json'),
      JSON.stringify({ name: 'base', targets: { image: { options: { stage: 'runtime' } }, 'image-debug': { executor: '@hashdock/nx-plugin:image', options: { stage: 'debug' } } } }),
    );
    const results = Object.fromEntries(await run({ namespace: 'acme' }));
    const targets = results['apps/base/Dockerfile'].projects!['apps/base'].targets!;
    expect(Object.keys(targets)).toEqual(['image', 'image-debug']);
    expect(targets['image-debug']).toMatchObject({
      executor: '@hashdock/nx-plugin:image',
      cache: true,
      dependsOn: ['build'],
      outputs: ['{workspaceRoot}/dist/images/base-debug.json'],
      options: { dockerfile: '{projectRoot}/Dockerfile', name: 'base-debug' },
    });
    const copied = (inputs: unknown[]) => inputs.filter((input) => typeof input === 'string' && !input.includes('ockerfile') && !input.includes('dockerignore'));
    expect(copied(targets.image.inputs!)).toEqual(['{projectRoot}/dist', '{projectRoot}/dist/**/*']);
    expect(copied(targets['image-debug'].inputs!)).toEqual(['{projectRoot}/dist', '{projectRoot}/dist/**/*', '{projectRoot}/tools', '{projectRoot}/tools/**/*']);
  });

  it('a project whose Dockerfiles are all variants gets an image target that runs them (nx affected -t image finds it); one with a plain Dockerfile does not', async () => {
    await mkdir(join(root, 'apps/remix'), { recursive: true });
    await writeFile(join(root, 'apps/remix/project.json'), '{"name":"remix"}');
    for (const variant of ['bun', 'pnpm']) await writeFile(join(root, `apps/remix/Dockerfile.${variant}`), 'FROM node:24-slim\n');
    const results = Object.fromEntries(
      await createNodesV2[1](['apps/api/Dockerfile', 'apps/api/Dockerfile.debug', 'apps/remix/Dockerfile.bun', 'apps/remix/Dockerfile.pnpm'], { namespace: 'acme' }, { workspaceRoot: root, nxJsonConfiguration: {} }),
    );
    const remix = results['apps/remix/Dockerfile.bun'].projects!['apps/remix'].targets!;
    expect(Object.keys(remix).sort()).toEqual(['image', 'image-bun']);
    expect(remix.image).toMatchObject({ executor: 'nx:noop', dependsOn: ['image-bun', 'image-pnpm'] });
    expect(Object.keys(results['apps/remix/Dockerfile.pnpm'].projects!['apps/remix'].targets!)).toEqual(['image-pnpm']);
    // makeplane/plane's apps/web: Dockerfile.web (named after the project: its main image) and Dockerfile.dev; a project
    // of variants with a development one; one of development images only, which gets no image target.
    for (const [project, variants] of [['web', ['web', 'dev']], ['shop', ['bun', 'dev']], ['play', ['dev', 'local']]] as const) {
      await mkdir(join(root, `apps/${project}`), { recursive: true });
      await writeFile(join(root, `apps/${project}/project.json`), `{"name":"${project}"}`);
      for (const variant of variants) await writeFile(join(root, `apps/${project}/Dockerfile.${variant}`), 'FROM node:24-slim\n');
    }
    const files = ['web', 'shop', 'play'].flatMap((project) => ['web', 'bun', 'dev', 'local'].map((variant) => `apps/${project}/Dockerfile.${variant}`)).filter((file) => existsSync(join(root, file)));
    const more = Object.fromEntries(await createNodesV2[1](files, { namespace: 'acme' }, { workspaceRoot: root, nxJsonConfiguration: {} }));
    const targetsOf = (file: string) => more[file].projects![file.split('/').slice(0, 2).join('/')].targets!;
    expect(targetsOf('apps/web/Dockerfile.web').image).toMatchObject({ executor: '@hashdock/nx-plugin:image', options: { name: 'web' } });
    expect(Object.keys(targetsOf('apps/web/Dockerfile.dev'))).toEqual(['image-dev']);
    expect(targetsOf('apps/shop/Dockerfile.bun').image).toMatchObject({ executor: 'nx:noop', dependsOn: ['image-bun'] });
    expect(targetsOf('apps/shop/Dockerfile.bun').image.metadata?.description).toContain('image-dev (development) by its own name only');
    expect(Object.keys(targetsOf('apps/play/Dockerfile.dev'))).toEqual(['image-dev']);
    expect(Object.keys(targetsOf('apps/play/Dockerfile.local'))).toEqual(['image-local']);
    // api has its plain Dockerfile's image: nothing added.
    expect(results['apps/api/Dockerfile'].projects!['apps/api'].targets!.image.executor).toBe('@hashdock/nx-plugin:image');
    expect(Object.keys(results['apps/api/Dockerfile.debug'].projects!['apps/api'].targets!)).toEqual(['image-debug']);
  });

  it('fails with one message naming nx.json and the option', async () => {
    await expect(run({ tags: 'latest' })).rejects.toThrow('nx.json: plugin "@hashdock/nx-plugin" option "tags" must be an array of strings, got the string "latest"');
  });

  it('gives each image the workspace bases it builds FROM as graph edges (nx affected follows a base), never itself', async () => {
    await mkdir(join(root, 'deploy'), { recursive: true });
    // A Dockerfile outside the project that builds it (a declared target), FROM the base.
    await writeFile(join(root, 'deploy/web.Dockerfile'), 'FROM acme/base\nCOPY . /srv/\n');
    await mkdir(join(root, 'apps/web'), { recursive: true });
    await writeFile(join(root, 'apps/web/project.json'), '{"name":"web","targets":{"image":{"executor":"@hashdock/nx-plugin:image","options":{"dockerfile":"deploy/web.Dockerfile"}}}}');
    const results = Object.fromEntries(
      await createNodesV2[1](['apps/base/Dockerfile', 'apps/api/Dockerfile', 'apps/api/Dockerfile.debug'], { namespace: 'acme' }, { workspaceRoot: root, nxJsonConfiguration: {} }),
    );
    // Two Dockerfiles of api FROM base: one edge per entry Nx merges (it concatenates them).
    expect(results['apps/api/Dockerfile'].projects!['apps/api'].implicitDependencies).toEqual(['base']);
    expect(results['apps/api/Dockerfile.debug'].projects!['apps/api'].implicitDependencies).toEqual(['base']);
    expect(results['apps/base/Dockerfile'].projects!['apps/base'].implicitDependencies).toBeUndefined();
    expect(results['deploy/web.Dockerfile'].projects!['apps/web'].implicitDependencies).toEqual(['base']);
  });
});

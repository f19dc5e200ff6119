import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from './support/environment';
import { OutsideWorkspace } from './support/outside-workspace';
import { publishHashdock } from './support/published-packages';
import { REPO_ROOT } from './support/sandbox-workspace';

const environment = await checkEnvironment();

const app = (name: string, from = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}') => ({
  [`apps/${name}/package.json`]: JSON.stringify({ name: `@shop/${name}`, version: '0.0.0', private: true, scripts: { build: 'node build.mjs' }, dependencies: { '@shop/greet': 'workspace:*' } }),
  [`apps/${name}/build.mjs`]: "import { cpSync } from 'node:fs';\ncpSync('src', 'dist', { recursive: true });\n",
  [`apps/${name}/src/main.js`]: `const { greet } = require('@shop/greet');\nconsole.log(greet('${name}'));\n`,
  // Built from the workspace root by CI (below); the base comes through a build arg, as the bake file passes NODE_VERSION.
  [`apps/${name}/Dockerfile`]: `${from}\nWORKDIR /app\nCOPY libs/greet /app/node_modules/@shop/greet\n` + `COPY apps/${name}/dist/ /app/\nCMD ["node", "/app/main.js"]\n`,
});

/**
 * A pnpm + turbo workspace with no Nx and no nx.json, its images named by docker/metadata-action in CI: what nx add
 * makes of it (nx.json, the CI names, turbo wired), then turbo building and pushing the images, and Nx finding the
 * same ones in the registry.
 */
describe.skipIf(!environment.available)('a turbo workspace adopting Hashdock with nx add', () => {
  let workspace: OutsideWorkspace;
  let version = '';
  const bin = () => ({ PATH: `${join(workspace.root, '.bin')}:${join(REPO_ROOT, 'node_modules/node/bin')}:${process.env.PATH}` });

  beforeAll(async () => {
    version = await publishHashdock();
    workspace = await OutsideWorkspace.create(`e2e-turbo-adopt-${Date.now().toString(36)}`, {
      'package.json': JSON.stringify({ name: 'shop', private: true, packageManager: 'pnpm@10.34.9', devDependencies: { turbo: '2.11.11', nx: '24.0.7' } }, null, 2),
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - libs/*\n',
      'turbo.json': JSON.stringify({ $schema: 'https://turborepo.com/schema.json', tasks: { build: { dependsOn: ['^build'], outputs: ['dist/**'] } } }, null, 2),
      '.gitignore': 'node_modules\ndist\n.nx\n.turbo\n',
      'libs/greet/package.json': JSON.stringify({ name: '@shop/greet', version: '0.0.0', main: 'index.js' }),
      'libs/greet/index.js': "exports.greet = (name) => 'hello ' + name;\n",
      // api is FROM the workspace's base image, which it does not depend on as a package: only its image does.
      'apps/base/package.json': JSON.stringify({ name: '@shop/base', version: '0.0.0', private: true }),
      'apps/base/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nENV SHOP_BASE=1\n',
      ...app('api', 'ARG APP_BASE=acme/base\nFROM ${APP_BASE}'),
      ...app('web'),
      '.github/workflows/release.yml': [
        'on: { push: { branches: [main] } }',
        'jobs:',
        '  images:',
        '    runs-on: ubuntu-latest',
        '    strategy:',
        '      matrix:',
        '        app: [api, web]',
        '    steps:',
        '      - uses: actions/checkout@v4',
        '      - uses: docker/metadata-action@v5',
        '        id: meta',
        '        with:',
        '          images: ghcr.io/acme/shop-${{ matrix.app }}',
        '          tags: type=sha',
        '      - uses: docker/build-push-action@v6',
        '        with:',
        '          context: .',
        '          file: apps/${{ matrix.app }}/Dockerfile',
        '          push: true',
        '          tags: ${{ steps.meta.outputs.tags }}',
        '',
      ].join('\n'),
    });
    await writeFile(join(workspace.root, '.pnpm'), `#!/bin/sh\nexec node ${join(REPO_ROOT, 'node_modules/pnpm/bin/pnpm.cjs')} "$@"\n`, { mode: 0o755 });
    await workspace.ok('sh', ['-c', 'mkdir -p .bin && mv .pnpm .bin/pnpm']);
    await workspace.ok(join(workspace.root, '.bin/pnpm'), ['install'], bin());
    await workspace.commit('initial');
  });
  afterAll(() => workspace?.remove());

  it('nx add creates nx.json with the CI names, registry and context, and wires turbo: scripts, the task, @hashdock/core', async () => {
    const added = await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['add', `@hashdock/nx-plugin@${version}`], bin());
    expect(added).toContain('@hashdock/nx-plugin: registered in nx.json');
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    expect(nxJson.plugins).toEqual([{ plugin: '@hashdock/nx-plugin', options: { registry: 'ghcr.io', namespace: 'acme', context: 'workspace' } }]);
    const read = async (path: string) => JSON.parse(await readFile(join(workspace.root, path), 'utf8'));
    for (const name of ['api', 'web']) {
      const manifest = await read(`apps/${name}/package.json`);
      expect(manifest.scripts).toEqual({ build: 'node build.mjs', image: 'hashdock image' });
      expect(manifest.nx.targets.image).toEqual({ executor: '@hashdock/nx-plugin:image', options: { name: `shop-${name}` } });
    }
    const tasks = (await read('turbo.json')).tasks;
    expect(tasks.image).toMatchObject({ dependsOn: ['build', '^image'], cache: false, env: ['HASHDOCK_*', 'SOURCE_DATE_EPOCH'] });
    expect(tasks['@shop/api#image'].dependsOn).toEqual(['build', '^image', '@shop/base#image']);
    expect((await read('package.json')).devDependencies['@hashdock/core']).toBe(version);
    expect(added).toContain('turbo run image');
    await workspace.ok(join(workspace.root, '.bin/pnpm'), ['install'], bin());
    await workspace.commit('nx add @hashdock/nx-plugin');
    // Nx runs Hashdock's executor for the target, not the script turbo runs (a script is a target of its name to Nx).
    const shown = JSON.parse(await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['show', 'project', '@shop/api', '--json'], bin()));
    expect(shown.targets.image).toMatchObject({ executor: '@hashdock/nx-plugin:image', options: { name: 'shop-api', dockerfile: 'apps/api/Dockerfile' } });
  });

  it('turbo run image builds the base first, then the images FROM it, and pushes them; nx run-many -t image then finds the same images in the registry and builds none', async () => {
    // Here, not GHCR: the registry and the base through variables turbo lets through (HASHDOCK_*).
    const here = { ...bin(), HASHDOCK_REGISTRY: 'localhost:5000', HASHDOCK_BUILD_ARG_BASE_IMAGE: await localRootImage(), TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' };
    const turbo = await workspace.run(join(workspace.root, 'node_modules/.bin/turbo'), ['run', 'image'], here);
    expect(turbo.exitCode, turbo.output).toBe(0);
    expect(turbo.output).toMatch(/Tasks:\s+5 successful, 5 total/);
    expect(await workspace.takeBuilds()).toEqual(['base', 'shop-api', 'shop-web']);
    // Base first: api is built on the base this run pushed.
    const base = await workspace.manifest('base');
    expect((await workspace.manifest('shop-api')).baseImages).toEqual({ base: base.contentHash });
    const fromTurbo = Object.fromEntries(await Promise.all(['shop-api', 'shop-web'].map(async (image) => [image, await workspace.manifest(image)] as const)));
    for (const manifest of Object.values(fromTurbo)) {
      expect(manifest.digest).toMatch(/^sha256:/);
      expect(manifest.repository).toBe(`localhost:5000/${workspace.namespace}/${manifest.image}`);
    }

    const nx = await workspace.nx(['run-many', '-t', 'image'], here);
    expect(nx.exitCode, nx.output).toBe(0);
    expect(nx.output).not.toContain('> hashdock image');
    expect(await workspace.takeBuilds()).toEqual([]);
    for (const image of ['shop-api', 'shop-web']) {
      const fromNx = await workspace.manifest(image);
      expect(fromNx.status).toBe('exists');
      expect({ ...fromNx, status: fromTurbo[image].status, builder: fromTurbo[image].builder }).toEqual(fromTurbo[image]);
    }

    // One platform of several, as Nx's --platform gives it, and Nx's spelling of --dry-run: the CLI turbo runs takes them too.
    const arm = await workspace.run('sh', ['-c', 'cd apps/web && ../../node_modules/.bin/hashdock image --dryRun --platform linux/arm64'], here);
    expect(arm.exitCode, arm.output).toBe(0);
    expect(arm.output).toMatch(/hashdock: plan @shop\/web: base \S+ → \S+ \(linux\/arm64\)/);
  });
});

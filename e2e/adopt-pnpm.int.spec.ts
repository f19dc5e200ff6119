import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from './support/environment';
import { OutsideWorkspace } from './support/outside-workspace';
import { publishHashdock } from './support/published-packages';
import { REPO_ROOT } from './support/sandbox-workspace';

const environment = await checkEnvironment();

/** The layout most real Nx repos have: Dockerfiles in apps/<app>/, built from the workspace root, no .dockerignore. */
const app = (name: string, extra: Record<string, unknown> = {}) => ({
  [`apps/${name}/package.json`]: JSON.stringify({
    name: `@acme/${name}`,
    version: '0.0.0',
    private: true,
    scripts: { build: 'node build.mjs' },
    dependencies: { '@acme/greet': 'workspace:*' },
    nx: { targets: { build: { outputs: ['{projectRoot}/dist'] } } },
    ...extra,
  }),
  [`apps/${name}/build.mjs`]: "import { cpSync } from 'node:fs';\ncpSync('src', 'dist', { recursive: true });\n",
  [`apps/${name}/src/main.js`]: `const { greet } = require('@acme/greet');\nconsole.log(greet('${name}'));\n`,
  [`apps/${name}/Dockerfile`]: 'ARG BASE_IMAGE=node:24-slim\nFROM ${BASE_IMAGE}\nWORKDIR /app\n' + `COPY libs/greet /app/node_modules/@acme/greet\nCOPY apps/${name}/dist/ /app/\nCMD ["node", "/app/main.js"]\n`,
});

describe.skipIf(!environment.available)('a pnpm workspace building every image from the workspace root', () => {
  let workspace: OutsideWorkspace;

  beforeAll(async () => {
    const version = await publishHashdock();
    workspace = await OutsideWorkspace.create(`e2e-pnpm-${Date.now().toString(36)}`, {
      'package.json': JSON.stringify({ name: '@acme/mono', private: true, devDependencies: { nx: '24.0.7', '@hashdock/nx-plugin': version } }, null, 2),
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - libs/*\n',
      'nx.json': JSON.stringify(
        {
          plugins: [
            {
              plugin: '@hashdock/nx-plugin',
              // A trailing comma and a comment: nx.json is JSONC for Nx, so for Hashdock too.
              options: { registry: 'localhost:5000', namespace: 'acme', context: 'workspace', tags: ['{contentHash}', 'latest'], buildArgs: { BASE_IMAGE: await localRootImage() } },
            },
          ],
        },
        null,
        2,
      ).replace(/\n}$/, ',\n  // images: nx run-many -t image\n}'),
      'libs/greet/package.json': JSON.stringify({ name: '@acme/greet', version: '0.0.0', main: 'index.js' }),
      'libs/greet/index.js': "exports.greet = (name) => 'hello ' + name;\n",
      ...app('api'),
      // The debug image ships the whole project folder too (its sources), as novu's Dockerfiles copy theirs.
      'apps/api/Dockerfile.debug':
        'ARG BASE_IMAGE=node:24-slim\nFROM ${BASE_IMAGE}\nWORKDIR /app\nENV DEBUG=1\nCOPY libs/greet /app/node_modules/@acme/greet\nCOPY apps/api/dist/ /app/\nCOPY apps/api /src/api\nCMD ["node", "/app/main.js"]\n',
      ...app('web'),
      // One app keeps its own folder as the context (a per-project override in package.json's nx key).
      'apps/worker/package.json': JSON.stringify({ name: '@acme/worker', private: true, nx: { targets: { image: { options: { context: '{projectRoot}' } } } } }),
      'apps/worker/src/main.js': "console.log('worker');\n",
      'apps/worker/Dockerfile': 'ARG BASE_IMAGE=node:24-slim\nFROM ${BASE_IMAGE}\nCOPY src/ /app/\nCMD ["node", "/app/main.js"]\n',
    });
    // pnpm from this repo's dev dependencies, the only thing taken from it.
    await writeFile(join(workspace.root, '.pnpm'), `#!/bin/sh\nexec node ${join(REPO_ROOT, 'node_modules/pnpm/bin/pnpm.cjs')} "$@"\n`, { mode: 0o755 });
    await workspace.ok('sh', ['-c', 'mkdir -p .bin && mv .pnpm .bin/pnpm']);
    await workspace.ok(join(workspace.root, '.bin/pnpm'), ['install', `--registry=${process.env.npm_config_registry ?? ''}`.replace(/=$/, '=http://127.0.0.1:4873/')]);
    await workspace.commit('initial');
  });
  afterAll(() => workspace?.remove());

  const nx = (args: string[]) => workspace.nx(args, { PATH: `${join(workspace.root, '.bin')}:${join(REPO_ROOT, 'node_modules/node/bin')}:${process.env.PATH}` });

  it('plans, builds and pushes every image, one per Dockerfile', async () => {
    const plan = await nx(['run', '@acme/api:image', '--dryRun']);
    expect(plan.exitCode, plan.output).toBe(0);
    expect(plan.output).toMatch(/hashdock: plan @acme\/api: build localhost:5000\/\S+\/api:[0-9a-f]{16}/);
    expect(await workspace.takeBuilds()).toEqual([]);

    const run = await nx(['run-many', '-t', 'image', 'image-debug']);
    expect(run.exitCode, run.output).toBe(0);
    // No input Nx warns of (a bare {projectRoot} fileset: "apps/api does not start with {workspaceRoot}/").
    expect(run.output).not.toMatch(/does not start with/);
    expect(await workspace.takeBuilds()).toEqual(['api', 'api-debug', 'web', 'worker']);
    for (const image of ['api', 'api-debug', 'web', 'worker']) expect((await workspace.manifest(image)).digest).toMatch(/^sha256:/);
    expect(await workspace.manifest('api-debug')).toMatchObject({ project: '@acme/api', image: 'api-debug', repository: `localhost:5000/${workspace.namespace}/api-debug` });
  });

  it('rebuilds exactly the images whose context changed after an edit outside the project folders (no Nx replay)', async () => {
    const before = Object.fromEntries(await Promise.all(['api', 'api-debug', 'web', 'worker'].map(async (i) => [i, (await workspace.manifest(i)).contentHash])));
    const again = await nx(['run-many', '-t', 'image', 'image-debug']);
    expect(again.exitCode, again.output).toBe(0);
    expect(await workspace.takeBuilds()).toEqual([]);

    await workspace.write({ 'libs/greet/index.js': "exports.greet = (name) => 'hi ' + name;\n" });
    const run = await nx(['run-many', '-t', 'image', 'image-debug']);
    expect(run.exitCode, run.output).toBe(0);
    // Docker sends libs/greet to the root-context images only; the worker's context is its own folder.
    expect(await workspace.takeBuilds()).toEqual(['api', 'api-debug', 'web']);
    for (const image of ['api', 'api-debug', 'web']) expect((await workspace.manifest(image)).contentHash).not.toBe(before[image]);
    expect((await workspace.manifest('worker')).contentHash).toBe(before.worker);
  });

  it('ships the runtime stage of a multi-stage Dockerfile, and its test stage as a second declared target, each rebuilt only by what its stage reads', async () => {
    await workspace.write({
      'apps/jobs/package.json': JSON.stringify({
        name: '@acme/jobs',
        private: true,
        scripts: { build: 'node build.mjs' },
        nx: {
          targets: {
            build: { outputs: ['{projectRoot}/dist'] },
            image: { options: { stage: 'runtime' } },
            // Declared with the executor alone: Hashdock infers the rest (Dockerfile, inputs, outputs, name jobs-test).
            'image-test': { executor: '@hashdock/nx-plugin:image', options: { stage: 'test' } },
          },
        },
      }),
      'apps/jobs/build.mjs': "import { cpSync } from 'node:fs';\ncpSync('src', 'dist', { recursive: true });\n",
      'apps/jobs/src/main.js': "console.log('jobs');\n",
      'apps/jobs/test/check.js': "require('node:assert').ok(require('node:fs').existsSync('/app/main.js'));\n",
      'apps/jobs/Dockerfile':
        'ARG BASE_IMAGE=node:24-slim\nFROM ${BASE_IMAGE} AS runtime\nWORKDIR /app\nCOPY apps/jobs/dist/ /app/\nCMD ["node", "/app/main.js"]\n\n' +
        'FROM runtime AS test\nCOPY apps/jobs/test/ /app/test/\nRUN ["node", "/app/test/check.js"]\n',
    });
    await workspace.commit('jobs: runtime and test stages');
    const run = await nx(['run-many', '-t', 'image', 'image-test', '--projects=@acme/jobs']);
    expect(run.exitCode, run.output).toBe(0);
    const runtime = await workspace.manifest('jobs');
    const test = await workspace.manifest('jobs-test');
    expect(runtime).toMatchObject({ stage: 'runtime', repository: `localhost:5000/${workspace.namespace}/jobs` });
    expect(test).toMatchObject({ stage: 'test', repository: `localhost:5000/${workspace.namespace}/jobs-test` });
    for (const manifest of [runtime, test]) expect(manifest.digest).toMatch(/^sha256:/);
    expect(await workspace.takeBuilds()).toEqual(['jobs', 'jobs-test']);

    await workspace.write({ 'apps/jobs/test/check.js': "require('node:assert').ok(require('node:fs').existsSync('/app/main.js'), 'no main.js');\n" });
    const again = await nx(['run-many', '-t', 'image', 'image-test', '--projects=@acme/jobs']);
    expect(again.exitCode, again.output).toBe(0);
    // Only the test stage reads test/: the runtime image is replayed by Nx, not rebuilt.
    expect(await workspace.takeBuilds()).toEqual(['jobs-test']);
    expect(again.output.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/nx run @acme\/jobs:image.*(local cache|existing outputs match the cache)/);
    expect((await workspace.manifest('jobs')).digest).toBe(runtime.digest);
    expect((await workspace.manifest('jobs-test')).contentHash).not.toBe(test.contentHash);
  });

  it('the generated GitHub workflow speaks pnpm: its install and its nx affected line run here as written', async () => {
    const path = { PATH: `${join(workspace.root, '.bin')}:${join(REPO_ROOT, 'node_modules/node/bin')}:${process.env.PATH}` };
    expect(await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['g', '@hashdock/nx-plugin:github-workflow'], path)).toContain('Added .github/workflows/images.yml');
    const steps = (parse(await readFile(join(workspace.root, '.github/workflows/images.yml'), 'utf8')) as { jobs: { images: { steps: { name?: string; uses?: string; run?: string }[] } } }).jobs.images.steps;
    expect(steps.map((step) => step.uses).filter(Boolean)).toContain('pnpm/action-setup@v4');
    const script = (name: string) => steps.find((step) => step.name === name)?.run ?? '';
    expect(script('Install')).toBe('pnpm install --frozen-lockfile');
    await workspace.ok('bash', ['-e', '-c', script('Install')], path);
    // The workflow (and the edits of the tests before) in a commit of their own: the root-context images read them.
    await workspace.commit('images workflow');
    await workspace.write({ 'apps/worker/src/main.js': "console.log('worker, changed');\n" });
    await workspace.commit('worker: a change for the workflow');
    const githubEnv = join(workspace.root, '.github-env');
    await workspace.ok('bash', ['-e', '-c', script('Image namespace')], { GITHUB_REPOSITORY: `Acme/${workspace.namespace}`, GITHUB_EVENT_NAME: 'push', PR_NUMBER: '', GITHUB_ENV: githubEnv });
    expect(await readFile(githubEnv, 'utf8')).toBe(`HASHDOCK_NAMESPACE=acme/${workspace.namespace.toLowerCase()}\n`);
    await rm(githubEnv);
    const build = script('Build and push the images that changed');
    expect(build).toBe('pnpm exec nx affected -t image --base="$NX_BASE" --head="$NX_HEAD"');
    const run = await workspace.run('bash', ['-e', '-c', build], { ...path, HASHDOCK_NAMESPACE: `acme/${workspace.namespace.toLowerCase()}`, HASHDOCK_REGISTRY: 'localhost:5000', NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD' });
    expect(run.exitCode, run.output).toBe(0);
    expect(await workspace.takeBuilds()).toEqual(['worker']);
    expect(await workspace.manifest('worker')).toMatchObject({ status: 'built', pushed: true, repository: `localhost:5000/acme/${workspace.namespace.toLowerCase()}/worker` });
  });

  it('a Dockerfile in the workspace root (the repository shipped as one image) is the root project\'s image, with no root project.json', async () => {
    await workspace.write({ Dockerfile: 'ARG BASE_IMAGE=node:24-slim\nFROM ${BASE_IMAGE}\nARG EDITION=community\nENV EDITION=${EDITION}\nWORKDIR /srv\nCOPY apps/api/dist/ api/\nCOPY apps/web/dist/ web/\nCMD ["node", "api/main.js"]\n' });
    // Its own options in the root package.json's "nx" key (where nx add carries a root build script's over): Nx reads them there.
    const rootPackage = JSON.parse(await readFile(join(workspace.root, 'package.json'), 'utf8'));
    await workspace.write({ 'package.json': JSON.stringify({ ...rootPackage, nx: { targets: { image: { options: { buildArgs: { EDITION: 'enterprise' } } } } } }, null, 2) });
    await workspace.commit('the repository as one image');
    const projects = await nx(['show', 'projects', '--json']);
    expect(projects.exitCode, projects.output).toBe(0);
    expect(JSON.parse(projects.output.slice(projects.output.indexOf('[')))).toContain('@acme/mono');
    const run = await nx(['run', '@acme/mono:image']);
    expect(run.exitCode, run.output).toBe(0);
    expect(await workspace.takeBuilds()).toEqual(['mono']);
    expect(await workspace.manifest('mono')).toMatchObject({ project: '@acme/mono', status: 'built', pushed: true, repository: `localhost:5000/${workspace.namespace}/mono` });
    const edition = await workspace.ok('docker', ['run', '--rm', '--entrypoint', 'node', (await workspace.manifest('mono')).ref!, '-p', 'process.env.EDITION']);
    expect(edition.trim()).toBe('enterprise');
    // What it reads is what its COPY lines name: a change to the worker replays it from the Nx cache.
    await workspace.write({ 'apps/worker/src/main.js': "console.log('worker, again');\n" });
    const again = await nx(['run', '@acme/mono:image']);
    expect(again.exitCode, again.output).toBe(0);
    expect(again.output).toMatch(/\[(local cache|existing outputs match the cache, left as is)\]/);
    expect(await workspace.takeBuilds()).toEqual([]);
    expect((await workspace.manifest('mono')).status).toBe('built');
  });
  it('one Dockerfile several apps build, told apart by a build arg: each app declares its image target naming it, and is rebuilt only by what it copies', async () => {
    const declaring = (name: string) => ({
      [`apps/${name}/package.json`]: JSON.stringify({
        name: `@acme/${name}`,
        private: true,
        scripts: { build: 'node build.mjs' },
        nx: {
          targets: {
            build: { outputs: ['{projectRoot}/dist'] },
            // Its own build arg; the plugin's (BASE_IMAGE, the local root image) still reaches the Dockerfile.
            image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'docker/node-app.Dockerfile', buildArgs: { APP_NAME: name } } },
          },
        },
      }),
      [`apps/${name}/build.mjs`]: "import { cpSync } from 'node:fs';\ncpSync('src', 'dist', { recursive: true });\n",
      [`apps/${name}/src/main.js`]: `console.log('this is ${name}');\n`,
    });
    await workspace.write({
      // In a folder no project owns: no image of its own, only the apps' that name it.
      'docker/node-app.Dockerfile': 'ARG BASE_IMAGE=node:24-slim\nFROM ${BASE_IMAGE}\nARG APP_NAME\nWORKDIR /app\nCOPY apps/${APP_NAME}/dist/ /app/\nCMD ["node", "/app/main.js"]\n',
      ...declaring('orders'),
      ...declaring('billing'),
    });
    await workspace.commit('orders and billing: one Dockerfile');
    const shown = await nx(['show', 'project', '@acme/orders', '--json']);
    expect(shown.exitCode, shown.output).toBe(0);
    const target = (JSON.parse(shown.output.slice(shown.output.indexOf('{'))) as { targets: Record<string, { inputs: unknown[]; outputs: string[] }> }).targets.image;
    // What its COPY reads with its APP_NAME (its own dist) and the shared Dockerfile; nothing of billing's.
    expect(target.inputs.slice(0, 3)).toEqual(['{projectRoot}/dist', '{projectRoot}/dist/**/*', '{workspaceRoot}/docker/node-app.Dockerfile']);
    expect(JSON.stringify(target.inputs)).not.toContain('billing');
    expect(target.outputs).toEqual(['{workspaceRoot}/dist/images/orders.json']);

    const run = await nx(['run-many', '-t', 'image', '--projects=@acme/orders,@acme/billing']);
    expect(run.exitCode, run.output).toBe(0);
    expect(await workspace.takeBuilds()).toEqual(['billing', 'orders']);
    for (const name of ['orders', 'billing']) {
      const manifest = await workspace.manifest(name);
      expect(manifest).toMatchObject({ project: `@acme/${name}`, status: 'built', pushed: true, repository: `localhost:5000/${workspace.namespace}/${name}` });
      expect(await workspace.ok('docker', ['run', '--rm', manifest.ref!])).toContain(`this is ${name}`);
    }
    const billing = await workspace.manifest('billing');
    // Without Nx (turbo, scripts), the same model finds it: the same tag for the same bytes.
    // pnpm links a dependency's dependencies only beside it: the CLI of the core the plugin installed.
    const core = createRequire(createRequire(join(workspace.root, 'package.json')).resolve('@hashdock/nx-plugin/package.json')).resolve('@hashdock/core/package.json');
    const plan = await workspace.ok('sh', ['-c', `cd apps/billing && node ${join(core, '../dist/cli/main.js')} image --dry-run`], { PATH: `${join(REPO_ROOT, 'node_modules/node/bin')}:${process.env.PATH}` });
    expect(plan).toContain(`${workspace.namespace}/billing:${billing.contentHash}`);
    await workspace.write({ 'apps/orders/src/main.js': "console.log('this is orders, changed');\n" });
    const again = await nx(['run-many', '-t', 'image', '--projects=@acme/orders,@acme/billing']);
    expect(again.exitCode, again.output).toBe(0);
    expect(await workspace.takeBuilds()).toEqual(['orders']);
    expect(again.output.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/nx run @acme\/billing:image.*(local cache|existing outputs match the cache)/);
    expect((await workspace.manifest('billing')).digest).toBe(billing.digest);
  });
});

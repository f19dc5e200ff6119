import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage, skopeoDigest } from '../../../../e2e/support/environment';
import { processesWith, waitUntil } from '../../../../e2e/support/processes';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { isCommandError } from '../process/command-error';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { hasTag } from '../registry/tag-exists';
import { buildImage } from './build-image';
import { localInputsFile } from './local-inputs-record';
import { knownBlobsFile, readKnownBlobs, writeKnownBlobs } from './known-blobs';
import { ImageBuildOptions } from './image-options';

const environment = await checkEnvironment({ skopeo: true });

describe.skipIf(!environment.available)('buildImage against the real engine and registry', () => {
  let workspace = '';
  let options: ImageBuildOptions;
  const namespace = `core-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'hashdock-core-int-'));
    await mkdir(join(workspace, 'app'));
    await writeFile(join(workspace, 'app', 'Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nARG SLEEP=0\nARG NONCE=\nRUN ["node", "-e", "setTimeout(() => {}, Number(process.env.SLEEP) * 1000)"]\nCOPY hello.txt /hello.txt\n');
    await writeFile(join(workspace, 'app', 'hello.txt'), `hello ${namespace}\n`);
    options = imageBuildOptions('app', join(workspace, 'app'), `localhost:5000/${namespace}/app`, {
      workspaceRoot: workspace,
      tagTemplates: ['{contentHash}', 'latest'],
      buildArgs: { ROOT_IMAGE: await localRootImage() },
      manifestDir: join(workspace, 'dist/images'),
    });
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it('leaves no manifest when the build is killed', async () => {
    // A nonce no earlier run used, so the slow RUN cannot come from BuildKit's cache.
    const nonce = `${namespace}-${Date.now()}`;
    const controller = new AbortController();
    const build = buildImage({ ...options, buildArgs: { ...options.buildArgs, SLEEP: '60', NONCE: nonce } }, { ...deps, signal: controller.signal }).catch((e) => e);
    // Abort only once docker is really building (its argv carries the nonce), not on a timer.
    await waitUntil('docker build running', 30_000, async () => (await processesWith(`NONCE=${nonce}`)).length > 0);
    controller.abort();
    const error = await build;
    // The whole tree stops (the docker CLI and its buildx plugin), not only the process we started.
    await waitUntil('every docker process of the build gone', 10_000, async () => (await processesWith(`NONCE=${nonce}`)).length === 0);
    expect(isCommandError(error), String(error?.stack ?? JSON.stringify(error))).toBe(true);
    expect(error.message).toMatch(/docker (buildx )?build/);
    expect(await readdir(join(workspace, 'dist/images')).catch(() => [])).toEqual([]);
  });

  it('--no-push builds locally and records no digest', async () => {
    const result = await buildImage({ ...options, push: false }, deps);
    expect(result.manifest).toMatchObject({ status: 'built', pushed: false, digest: null, ref: null });
    expect(await deps.docker.imageExists(`${options.repository}:${result.manifest.contentHash}`)).toBe(true);
    expect(await hasTag(deps.registry, options.repository, result.manifest.contentHash)).toBeUndefined();
  });

  it('mounts BuildKit secrets for RUN and keeps them out of history, layers and messages', async () => {
    const secret = `s3cr3t-${namespace}`;
    const dir = join(workspace, 'secret-app');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'Dockerfile'),
      'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\n' +
        'RUN --mount=type=secret,id=api_token ["node", "-e", "const t = require(\'fs\').readFileSync(\'/run/secrets/api_token\', \'utf8\'); if (!t.startsWith(\'s3cr3t-\')) process.exit(3); require(\'fs\').writeFileSync(\'/used\', String(t.length))"]\n',
    );
    const secretOptions = { ...options, project: 'secret-app', imageName: 'secret-app', contextDir: dir, dockerfile: join(dir, 'Dockerfile'), repository: `localhost:5000/${namespace}/secret-app`, secrets: { api_token: 'HASHDOCK_TEST_API_TOKEN' } };
    const missing = await buildImage(secretOptions, deps).catch((e) => e);
    expect(missing.message).toBe('Secret "api_token" reads the environment variable HASHDOCK_TEST_API_TOKEN, which is not set');
    process.env.HASHDOCK_TEST_API_TOKEN = secret;
    const logs: string[] = [];
    try {
      const result = await buildImage(secretOptions, { ...deps, log: (line) => logs.push(line) });
      expect(result.manifest.status).toBe('built');
      const ref = result.manifest.ref!;
      const { stdout: history } = await runCommand('/usr/bin/docker', ['history', '--no-trunc', ref]);
      const { stdout: inspect } = await runCommand('/usr/bin/docker', ['image', 'inspect', ref]);
      const saved = join(workspace, 'secret-app.tar');
      await runCommand('/usr/bin/docker', ['save', '--output', saved, ref]);
      const bytes = await readFile(saved);
      for (const text of [history, inspect, logs.join('\n'), JSON.stringify(result)]) expect(text).not.toContain(secret);
      expect(bytes.includes(Buffer.from(secret))).toBe(false);
      expect(history).toContain('/run/secrets/api_token');
    } finally {
      delete process.env.HASHDOCK_TEST_API_TOKEN;
    }
  });

  it('mounts secret files (an .npmrc) for RUN, unhashed, and keeps them out of history, layers and messages', async () => {
    const secret = `//registry.example/:_authToken=file-${namespace}`;
    const dir = join(workspace, 'secret-file-app');
    await mkdir(dir, { recursive: true });
    await writeFile(join(workspace, 'npmrc'), `${secret}\n`);
    await writeFile(
      join(dir, 'Dockerfile'),
      'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\n' +
        'RUN --mount=type=secret,id=npmrc ["node", "-e", "const t = require(\'fs\').readFileSync(\'/run/secrets/npmrc\', \'utf8\'); if (!t.includes(\'_authToken=file-\')) process.exit(3); require(\'fs\').writeFileSync(\'/used\', String(t.length))"]\n',
    );
    const fileOptions = { ...options, project: 'secret-file-app', imageName: 'secret-file-app', contextDir: dir, dockerfile: join(dir, 'Dockerfile'), repository: `localhost:5000/${namespace}/secret-file-app` };
    const missing = await buildImage({ ...fileOptions, secretFiles: { npmrc: join(workspace, 'no-such-npmrc') } }, deps).catch((e) => e);
    expect(missing.message).toBe(`Secret file "npmrc" is ${join(workspace, 'no-such-npmrc')}, which does not exist`);
    const logs: string[] = [];
    const result = await buildImage({ ...fileOptions, secretFiles: { npmrc: join(workspace, 'npmrc') } }, { ...deps, log: (line) => logs.push(line) });
    expect(result.manifest.status).toBe('built');
    expect(result.hash.canonical).not.toContain('npmrc');
    const ref = result.manifest.ref!;
    const { stdout: history } = await runCommand('/usr/bin/docker', ['history', '--no-trunc', ref]);
    const saved = join(workspace, 'secret-file-app.tar');
    await runCommand('/usr/bin/docker', ['save', '--output', saved, ref]);
    for (const text of [history, logs.join('\n'), JSON.stringify(result)]) expect(text).not.toContain(`file-${namespace}`);
    expect((await readFile(saved)).includes(Buffer.from(`file-${namespace}`))).toBe(false);
  });

  it('pushes every tag to one digest, then finds it without building', async () => {
    const built = await buildImage(options, deps);
    expect(built.manifest.status).toBe('built');
    for (const tag of built.manifest.tags) expect(await skopeoDigest(`${options.repository}:${tag}`)).toBe(built.manifest.digest);
    const again = await buildImage(options, { ...deps, docker: new DockerDriver({ binary: '/bin/false' }) });
    expect(again.manifest).toEqual({ ...built.manifest, builder: undefined, status: 'exists' });
    // Where the time went, phase by phase: a build has every phase, a found image stops at the lookup.
    expect(Object.keys(built.phases)).toEqual(['process', 'setup', 'bases', 'hash', 'lookup', 'build', 'publish']);
    expect(Object.keys(again.phases)).toEqual(['process', 'setup', 'bases', 'hash', 'lookup']);
    const { process: age, ...spent } = built.phases;
    expect(age).toBeGreaterThan(0);
    expect(Object.values(spent).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(built.seconds + 0.002);
    expect(built.phases.build).toBeGreaterThan(0);
  });

  it('hashes a quoted COPY source as BuildKit reads it (the path inside the quotes): an edit there is a new image that has it', async () => {
    const dir = join(workspace, 'quoted');
    await mkdir(join(dir, 'dist'), { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nCOPY "dist/" \'extra.txt\' /app/\nCMD ["node", "-e", "console.log(require(\'fs\').readFileSync(\'/app/a.txt\', \'utf8\').trim())"]\n');
    await writeFile(join(dir, 'dist/a.txt'), 'first\n');
    await writeFile(join(dir, 'extra.txt'), 'extra\n');
    await writeFile(join(dir, 'unread.txt'), 'not copied\n');
    const quoted = { ...options, contextDir: dir, dockerfile: join(dir, 'Dockerfile'), repository: `localhost:5000/${namespace}/quoted`, builder: 'docker' as const };
    const first = await buildImage(quoted, deps);
    await writeFile(join(dir, 'unread.txt'), 'still not copied\n');
    expect((await buildImage({ ...quoted, dryRun: true }, deps)).manifest.contentHash).toBe(first.manifest.contentHash);
    await writeFile(join(dir, 'dist/a.txt'), 'second\n');
    const second = await buildImage(quoted, deps);
    expect(second.manifest.contentHash).not.toBe(first.manifest.contentHash);
    const { stdout } = await runCommand('/usr/bin/docker', ['run', '--rm', second.manifest.ref!]);
    expect(stdout.trim()).toBe('second');
  });

  it('hashes what a RUN bind mount of the context reads (its source), not the whole context', async () => {
    const dir = join(workspace, 'mounted');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'Dockerfile'),
      'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nRUN --mount=type=bind,source=package.json,target=/mnt/package.json ["node", "-e", "require(\'fs\').writeFileSync(\'/name\', require(\'/mnt/package.json\').name)"]\n' +
        'CMD ["node", "-e", "console.log(require(\'fs\').readFileSync(\'/name\', \'utf8\'))"]\n',
    );
    await writeFile(join(dir, 'package.json'), '{"name":"first"}');
    await writeFile(join(dir, 'unread.txt'), 'not mounted\n');
    const mounted = { ...options, contextDir: dir, dockerfile: join(dir, 'Dockerfile'), repository: `localhost:5000/${namespace}/mounted` };
    const first = await buildImage(mounted, deps);
    expect(first.manifest.context).toBe('COPY/ADD sources: package.json');
    await writeFile(join(dir, 'unread.txt'), 'still not mounted\n');
    expect((await buildImage({ ...mounted, dryRun: true }, deps)).manifest.contentHash).toBe(first.manifest.contentHash);
    await writeFile(join(dir, 'package.json'), '{"name":"second"}');
    const second = await buildImage(mounted, deps);
    expect(second.manifest.contentHash).not.toBe(first.manifest.contentHash);
    expect((await runCommand('/usr/bin/docker', ['run', '--rm', second.manifest.ref!])).stdout.trim()).toBe('second');
  });

  it('says why an image is rebuilt: from this checkout’s copy of the previous record, or from the registry when it has none', async () => {
    const dir = join(workspace, 'why');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nCOPY a.txt /a.txt\n');
    const why = imageBuildOptions('why', dir, `localhost:5000/${namespace}/why`, { workspaceRoot: dir, buildArgs: options.buildArgs, manifestDir: join(dir, 'images') });
    const traced = () => {
      const urls: string[] = [];
      return { urls, registry: new RegistryClient({ fetch: (url, init) => (urls.push(`${init?.method ?? 'GET'} ${String(url)}`), fetch(url, init)) }) };
    };
    await writeFile(join(dir, 'a.txt'), 'one\n');
    const first = await buildImage(why, deps);
    expect(first.reasons).toBeUndefined();

    await writeFile(join(dir, 'a.txt'), 'two\n');
    const local = traced();
    const second = await buildImage(why, { ...deps, registry: local.registry });
    expect(second.manifest.status).toBe('built');
    expect(second.reasons).toEqual({ previousHash: first.manifest.contentHash, changes: [{ input: 'file:a.txt', change: 'changed' }] });
    // Read here, not from the registry.
    expect(local.urls.filter((url) => url.startsWith('GET ') && url.includes('.inputs'))).toEqual([]);

    // A fresh checkout of the same state: no local copy, so the registry's record answers.
    await rm(localInputsFile(dir, why.repository));
    await writeFile(join(dir, 'a.txt'), 'three\n');
    const remote = traced();
    const third = await buildImage(why, { ...deps, registry: remote.registry });
    expect(third.reasons).toEqual({ previousHash: second.manifest.contentHash, changes: [{ input: 'file:a.txt', change: 'changed' }] });
    expect(remote.urls.filter((url) => url.startsWith('GET ') && url.includes(`${second.manifest.contentHash}.inputs`))).toHaveLength(1);
  });

  it('mounts the base layers once per repository; a stale hint of this checkout is corrected by the registry', async () => {
    const dir = join(workspace, 'mounts');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nCOPY a.txt /a.txt\n');
    const at = (repository: string) => imageBuildOptions('mounts', dir, repository, { workspaceRoot: dir, buildArgs: options.buildArgs, manifestDir: join(dir, 'images') });
    const traced = () => {
      const urls: string[] = [];
      return { urls, registry: new RegistryClient({ fetch: async (url, init) => { const response = await fetch(url, init); urls.push(`${init?.method ?? 'GET'} ${response.status} ${String(url)}`); return response; } }) };
    };
    const mounts = (urls: string[]) => urls.filter((url) => url.startsWith('POST') && url.includes('mount='));
    const repository = `localhost:5000/${namespace}/mounts`;
    await writeFile(join(dir, 'a.txt'), 'one\n');
    const first = traced();
    await buildImage(at(repository), { ...deps, registry: first.registry });
    expect(mounts(first.urls).length).toBeGreaterThan(0);

    await writeFile(join(dir, 'a.txt'), 'two\n');
    const second = traced();
    const built = await buildImage(at(repository), { ...deps, registry: second.registry });
    expect(built.manifest.status).toBe('built');
    expect(mounts(second.urls)).toEqual([]);

    // The same hint for a repository that has none of the layers (as after a registry clean-up): refused, then brought.
    const other = `localhost:5000/${namespace}/mounts-elsewhere`;
    await writeKnownBlobs(knownBlobsFile(dir, other), other, [...(await readKnownBlobs(knownBlobsFile(dir, repository), repository))]);
    const third = traced();
    const elsewhere = await buildImage(at(other), { ...deps, registry: third.registry });
    expect(elsewhere.manifest.status).toBe('built');
    expect(third.urls.some((url) => url.startsWith('PUT 400') && url.includes('.candidate-'))).toBe(true);
    expect(mounts(third.urls).length).toBeGreaterThan(0);
    expect(await skopeoDigest(`${other}:${elsewhere.manifest.contentHash}`)).toBe(elsewhere.manifest.digest);
    const layers = (JSON.parse((await runCommand('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${other}:${elsewhere.manifest.contentHash}`])).stdout) as { layers: { digest: string }[] }).layers;
    for (const layer of layers) expect((await deps.registry.request(other, { method: 'HEAD', path: `blobs/${layer.digest}`, expect: [200, 404] })).status).toBe(200);
  });

  it('the exists path stores an inputs record that an interrupted push left missing', async () => {
    const built = await buildImage(options, deps);
    const record = await hasTag(deps.registry, options.repository, `${built.manifest.contentHash}.inputs`);
    expect(record).toBeDefined();
    // What a push interrupted between the image and its record leaves: the image, no record.
    await deps.registry.request(options.repository, { method: 'DELETE', path: `manifests/${record}`, expect: [202] });
    expect(await hasTag(deps.registry, options.repository, `${built.manifest.contentHash}.inputs`)).toBeUndefined();
    const lines: string[] = [];
    const again = await buildImage(options, { ...deps, log: (line) => lines.push(line) });
    expect(again.manifest.status).toBe('exists');
    expect(lines.join('\n')).toContain('stored the missing inputs record');
    expect(await hasTag(deps.registry, options.repository, `${built.manifest.contentHash}.inputs`)).toBeDefined();
  });

  it('refuses to build on a base whose manifest the registry contradicts (edited content hash)', async () => {
    const base = await buildImage(options, deps);
    const dir = join(workspace, 'svc');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), `ARG BASE_IMAGE=${namespace}/app\nFROM \${BASE_IMAGE}\nCOPY a.txt /a.txt\n`);
    await writeFile(join(dir, 'a.txt'), 'a');
    const svc = { ...options, project: 'svc', imageName: 'svc', contextDir: dir, dockerfile: join(dir, 'Dockerfile'), repository: `localhost:5000/${namespace}/svc`, buildArgs: {}, workspaceImages: { [`${namespace}/app`]: 'app' } };
    const manifestFile = join(workspace, 'dist/images/app.json');
    const good = await readFile(manifestFile, 'utf8');
    await writeFile(manifestFile, good.replaceAll(base.manifest.contentHash, 'ffffffffffffffff'));
    const calls: string[] = [];
    const docker = Object.assign(Object.create(deps.docker), { build: async () => void calls.push('build') });
    await expect(buildImage(svc, { ...deps, docker })).rejects.toThrow(
      new RegExp(`app\\.json: records localhost:5000/${namespace}/app:ffffffffffffffff at ${base.manifest.digest}, but the registry's tag does not exist`),
    );
    expect(calls).toEqual([]);
    await writeFile(manifestFile, good);
    expect((await buildImage(svc, deps)).manifest.baseImages).toEqual({ app: base.manifest.contentHash });
  });

  it('a pull request reuses what the release namespace has: nothing built or pushed to its scratch namespace', async () => {
    const released = await buildImage(options, deps);
    const scratch = { ...options, repository: `localhost:5000/${namespace}/scratch/pr-7/app`, reuseRepositories: [options.repository], manifestDir: join(workspace, 'dist/pr') };
    const lines: string[] = [];
    const result = await buildImage(scratch, { ...deps, docker: new DockerDriver({ binary: '/bin/false' }), log: (line) => lines.push(line) });
    expect(result.manifest).toMatchObject({ status: 'exists', repository: options.repository, digest: released.manifest.digest, ref: released.manifest.ref, tags: [released.manifest.contentHash] });
    expect(lines.join('\n')).toContain(`${options.repository}:${released.manifest.contentHash} already exists; reusing it`);
    expect(await hasTag(deps.registry, scratch.repository, released.manifest.contentHash)).toBeUndefined();
  });
});

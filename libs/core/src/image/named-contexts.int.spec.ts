import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { headManifest } from '../registry/manifest-by-digest';
import { buildImage } from './build-image';
import { ImageBuildOptions } from './image-options';

const environment = await checkEnvironment();

// hyperdx's layout: the Dockerfile's folder is the context, the app's sources come in by name.
const DOCKERFILE = `ARG ROOT_IMAGE
FROM \${ROOT_IMAGE}
COPY app.txt /app.txt
COPY --from=api src /api/src
`;

/** The files under /api/src in an image, with their contents, read by running it. */
async function apiFiles(ref: string): Promise<Record<string, string>> {
  const script = "const fs = require('fs'); console.log(JSON.stringify(Object.fromEntries(fs.readdirSync('/api/src').sort().map((f) => [f, fs.readFileSync('/api/src/' + f, 'utf8')]))))";
  return JSON.parse((await runCommand('/usr/bin/docker', ['run', '--rm', ref, 'node', '-e', script])).stdout.trim());
}

describe.skipIf(!environment.available)('named build contexts (--build-context) against the real engine and registry', () => {
  let root = '';
  let options: ImageBuildOptions;
  const namespace = `named-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
  const noDocker = { ...deps, docker: new DockerDriver({ binary: '/bin/false' }) };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-named-int-'));
    await mkdir(join(root, 'docker/svc'), { recursive: true });
    await mkdir(join(root, 'packages/api/src'), { recursive: true });
    await writeFile(join(root, 'docker/svc/Dockerfile'), DOCKERFILE);
    await writeFile(join(root, 'docker/svc/app.txt'), `app ${namespace}\n`);
    await writeFile(join(root, 'packages/api/src/main.js'), 'main one\n');
    await writeFile(join(root, 'packages/api/README.md'), 'docs\n');
    // The named context's own ignore file: BuildKit reads it there, and so must the hash.
    await writeFile(join(root, 'packages/api/.dockerignore'), '**/*.test.js\n');
    options = imageBuildOptions('svc', join(root, 'docker/svc'), `localhost:5000/${namespace}/svc`, {
      workspaceRoot: root,
      manifestDir: join(root, 'dist/images'),
      buildContexts: { api: join(root, 'packages/api') },
      buildArgs: { ROOT_IMAGE: await localRootImage() },
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('docker gets the directory by name, and the hash covers what is copied from it', async () => {
    const built = await buildImage(options, deps);
    expect(built.manifest).toMatchObject({
      status: 'built',
      builder: { name: 'docker', reason: 'named build contexts (api) are passed to docker buildx --build-context' },
      context: 'COPY/ADD sources: app.txt',
      namedContexts: { api: { dir: 'packages/api', reads: 'COPY/ADD sources: src' } },
    });
    expect(built.hash.canonical).toContain(`in "api" f0644 `);
    expect(await apiFiles(built.manifest.ref!)).toEqual({ 'main.js': 'main one\n' });
  });

  it('what it does not copy, and what its .dockerignore leaves out (docker leaves it out too), is the same image', async () => {
    const first = await buildImage({ ...options, dryRun: true }, noDocker);
    await writeFile(join(root, 'packages/api/README.md'), 'more docs\n');
    await writeFile(join(root, 'packages/api/src/main.test.js'), 'a test\n');
    const again = await buildImage(options, noDocker);
    expect(again.manifest).toMatchObject({ status: 'exists', contentHash: first.manifest.contentHash });
    // Docker agrees: an edit that forces a build shows what it sent of the named context.
    await writeFile(join(root, 'packages/api/src/main.js'), 'main two\n');
    const changed = await buildImage(options, deps);
    expect(changed.manifest.status).toBe('built');
    expect(changed.manifest.contentHash).not.toBe(first.manifest.contentHash);
    expect(changed.reasons?.changes).toEqual([{ input: 'context:api:src/main.js', change: 'changed' }]);
    expect(await apiFiles(changed.manifest.ref!)).toEqual({ 'main.js': 'main two\n' });
  });

  it('an image named context (docker-image://) is read by digest like a FROM: hashed, pinned in the build, and a new push under its tag is a new image', async () => {
    const tools = `localhost:5000/${namespace}/tools:1`;
    const pushTools = async (text: string) => {
      const dir = join(root, 'tools-image');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY tool.txt /tool.txt\n');
      await writeFile(join(dir, 'tool.txt'), text);
      await runCommand('/usr/bin/docker', ['build', '-q', '-t', tools, dir]);
      await runCommand('/usr/bin/docker', ['push', '-q', tools]);
      return (await headManifest(deps.registry, `localhost:5000/${namespace}/tools`, '1'))!.digest!;
    };
    await writeFile(join(root, 'docker/svc/Dockerfile'), `${DOCKERFILE}COPY --from=tools /tool.txt /tool.txt\n`);
    const withTools = { ...options, imageName: 'svc-tools', repository: `localhost:5000/${namespace}/svc-tools`, buildContexts: { ...options.buildContexts, tools: `docker-image://${tools}` } };
    const first = await pushTools('tool one\n');
    // Docker through a shim that records its arguments: the build must name the digest, not the tag.
    const shim = join(root, 'docker-shim');
    await writeFile(shim, `#!/bin/sh\necho "$*" >> ${join(root, 'docker-calls.log')}\nexec /usr/bin/docker "$@"\n`, { mode: 0o755 });
    const built = await buildImage(withTools, { ...deps, docker: new DockerDriver({ binary: shim }) });
    const calls = await readFile(join(root, 'docker-calls.log'), 'utf8');
    expect(calls).toContain(`--build-context tools=docker-image://localhost:5000/${namespace}/tools@${first} `);
    expect(calls).toContain(`--build-context api=${join(root, 'packages/api')} `);
    // Loaded into docker's image store whatever the current builder (a docker-container one keeps results in its cache).
    expect(calls).toMatch(/^buildx build --file \S+ --progress plain --load /m);
    expect(built.manifest).toMatchObject({ status: 'built', namedContexts: { api: { dir: 'packages/api' }, tools: { image: tools, digest: first } } });
    expect(built.hash.canonical).toContain(`base "context:tools" ${first}`);
    const read = async (ref: string) => (await runCommand('/usr/bin/docker', ['run', '--rm', ref, 'node', '-e', "process.stdout.write(require('fs').readFileSync('/tool.txt', 'utf8'))"])).stdout;
    expect(await read(built.manifest.ref!)).toBe('tool one');
    // Nothing new under the tag: the same image, no docker.
    expect((await buildImage(withTools, noDocker)).manifest).toMatchObject({ status: 'exists', contentHash: built.manifest.contentHash });
    // Another image pushed under the same tag: a new hash, and the build uses exactly it.
    const second = await pushTools('tool two\n');
    const rebuilt = await buildImage(withTools, deps);
    expect(rebuilt.manifest).toMatchObject({ status: 'built', namedContexts: { tools: { image: tools, digest: second } } });
    expect(rebuilt.manifest.contentHash).not.toBe(built.manifest.contentHash);
    expect(await read(rebuilt.manifest.ref!)).toBe('tool two');
    await writeFile(join(root, 'docker/svc/Dockerfile'), DOCKERFILE);
  });

  it('a named context that is not there, or outside the workspace, is refused before anything runs, naming it, and no manifest is written', async () => {
    const manifest = join(root, 'dist/images/gone.json');
    const gone = { ...options, imageName: 'gone', buildContexts: { api: join(root, 'packages/gone') } };
    await expect(buildImage(gone, noDocker)).rejects.toThrow(`Named build context api ${join(root, 'packages/gone')} does not exist`);
    await expect(buildImage({ ...gone, buildContexts: { api: tmpdir() } }, noDocker)).rejects.toThrow(`Named build context api ${tmpdir()} is outside the workspace ${root}`);
    expect(existsSync(manifest)).toBe(false);
  });
});

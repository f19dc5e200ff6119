import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage, skopeoDigest } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { normalizeMirrors } from '../registry/mirrors';
import { buildImage } from './build-image';
import { getManifest, putManifest, sha256Digest } from '../registry/manifest-io';
import { OCI_INDEX } from '../registry/media-types';
import { externalFroms, resolveBaseDigest } from './external-bases';
import { baseDigestRuntimeInput } from '../workspace/image-target-inputs';
import { REPO_ROOT } from '../../../../e2e/support/sandbox-workspace';
import { hostPlatform, ImageBuildOptions } from './image-options';

const environment = await checkEnvironment({ skopeo: true });

describe.skipIf(!environment.available)('external bases are pinned by digest (real engine and registry)', () => {
  let workspace = '';
  const namespace = `pin-${Date.now().toString(36)}`;
  const upstream = `localhost:5000/${namespace}/upstream:1`;
  const lines: string[] = [];
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: (line: string) => lines.push(line) };
  const options = (name: string, extra: Partial<ImageBuildOptions> = {}): ImageBuildOptions =>
    imageBuildOptions(name, join(workspace, name), `localhost:5000/${namespace}/${name}`, { workspaceRoot: workspace, manifestDir: join(workspace, 'dist/images'), ...extra });

  /** Push a new image under the same upstream tag: what an upstream security rebuild does. */
  async function pushUpstream(version: string): Promise<string> {
    const dir = join(workspace, `upstream-${version}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'Dockerfile'), `ARG ROOT_IMAGE\nFROM \${ROOT_IMAGE}\nCOPY v.txt /v.txt\n`);
    await writeFile(join(dir, 'v.txt'), version);
    await runCommand('/usr/bin/docker', ['build', '--build-arg', `ROOT_IMAGE=${await localRootImage()}`, '--tag', upstream, dir], { env: { DOCKER_BUILDKIT: '1' } });
    await runCommand('/usr/bin/docker', ['push', upstream]);
    return skopeoDigest(upstream.replace('localhost', '127.0.0.1'));
  }

  async function fileInImage(reference: string): Promise<string> {
    const { stdout } = await runCommand('/usr/bin/docker', ['run', '--rm', reference, 'node', '-e', "process.stdout.write(require('fs').readFileSync('/v.txt','utf8'))"]);
    return stdout;
  }

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'hashdock-pin-'));
    // One service names the base on its FROM line, the other through a build arg.
    await mkdir(join(workspace, 'literal'));
    await writeFile(join(workspace, 'literal', 'Dockerfile'), `FROM ${upstream}\nCOPY app.txt /app.txt\n`);
    await writeFile(join(workspace, 'literal', 'app.txt'), 'literal');
    await mkdir(join(workspace, 'byarg'));
    await writeFile(join(workspace, 'byarg', 'Dockerfile'), 'ARG UPSTREAM=none\nFROM ${UPSTREAM}\nCOPY app.txt /app.txt\n');
    await writeFile(join(workspace, 'byarg', 'app.txt'), 'byarg');
  }, 120_000);
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it('a base re-pushed under the same tag changes the hash and the next run rebuilds on it; an unchanged base does not', async () => {
    const first = await pushUpstream('v1');
    const runs = [options('literal'), options('byarg', { buildArgs: { UPSTREAM: upstream } })];
    const before = [];
    for (const run of runs) {
      const result = await buildImage(run, deps);
      expect(result.manifest.status).toBe('built');
      expect(result.manifest.externalBases).toEqual({ [upstream]: { digest: first, platform: hostPlatform() } });
      expect(result.hash.canonical).toContain(first);
      expect(await fileInImage(result.manifest.ref!)).toBe('v1');
      before.push(result.manifest.contentHash);
    }
    // Nothing changed upstream: same hash, nothing built.
    for (const [index, run] of runs.entries()) {
      const again = await buildImage(run, deps);
      expect(again.manifest).toMatchObject({ status: 'exists', contentHash: before[index] });
    }
    const second = await pushUpstream('v2');
    expect(second).not.toBe(first);
    for (const [index, run] of runs.entries()) {
      const rebuilt = await buildImage(run, deps);
      expect(rebuilt.manifest.status).toBe('built');
      expect(rebuilt.manifest.contentHash).not.toBe(before[index]);
      expect(rebuilt.manifest.externalBases?.[upstream].digest).toBe(second);
      // The build used exactly that digest, not whatever the daemon had cached under the tag.
      expect(await fileInImage(rebuilt.manifest.ref!)).toBe('v2');
    }
  }, 300_000);

  it('--dryRun reports the resolved digest; the Dockerfile on disk is untouched', async () => {
    lines.length = 0;
    await buildImage(options('literal', { dryRun: true }), deps);
    expect(lines.join('\n')).toMatch(new RegExp(`base ${upstream} → localhost:5000/${namespace}/upstream@sha256:[0-9a-f]{64} \\(${hostPlatform()}\\)`));
    expect(lines.join('\n')).toContain('hashes COPY/ADD sources: app.txt');
  });

  it('a multi-platform index resolves to the child for the target platform; both digests are known', async () => {
    const registry = new RegistryClient();
    const repository = `localhost:5000/${namespace}/upstream`;
    const amd = await getManifest(registry, repository, '1');
    const other = await pushUpstream('arm-stand-in');
    const arm = await getManifest(registry, repository, other);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: amd.mediaType, digest: amd.digest, size: amd.bytes.byteLength, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: arm.mediaType, digest: arm.digest, size: arm.bytes.byteLength, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    });
    const bytes = new Uint8Array(Buffer.from(index));
    await putManifest(registry, repository, 'multi', { bytes, mediaType: OCI_INDEX, digest: sha256Digest(bytes) });
    expect(await resolveBaseDigest(registry, `${repository}:multi`, 'linux/amd64')).toEqual({ digest: amd.digest, index: sha256Digest(bytes), repository });
    expect(await resolveBaseDigest(registry, `${repository}:multi`, 'linux/arm64')).toEqual({ digest: arm.digest, index: sha256Digest(bytes), repository });
    await expect(resolveBaseDigest(registry, `${repository}:multi`, 'linux/s390x')).rejects.toThrow(/has no image for linux\/s390x \(it has linux\/amd64, linux\/arm64\/v8\)/);
    // Pinned by digest, as careful Dockerfiles write bases: an index is descended the same way; an image is itself.
    expect(await resolveBaseDigest(registry, `${repository}@${sha256Digest(bytes)}`, 'linux/arm64')).toEqual({ digest: arm.digest, index: sha256Digest(bytes), repository });
    expect(await resolveBaseDigest(registry, `${repository}:multi@${sha256Digest(bytes)}`, 'linux/amd64')).toEqual({ digest: amd.digest, index: sha256Digest(bytes), repository });
    expect(await resolveBaseDigest(registry, `${repository}@${amd.digest}`, 'linux/arm64')).toEqual({ digest: amd.digest, repository });
    await expect(resolveBaseDigest(registry, `${repository}@sha256:${'0'.repeat(64)}`, 'linux/amd64')).rejects.toThrow(`${repository}@sha256:${'0'.repeat(64)} is not in its registry`);
  });

  it('an image COPY --from reads is pinned and hashed like a base: re-pushed under its tag, the next run rebuilds with the new files', async () => {
    // Literal: the BuildKit of Debian's docker.io does not expand build args in --from (newer frontends do; an arg is then pinned as a FROM's is).
    await mkdir(join(workspace, 'copied'));
    await writeFile(join(workspace, 'copied', 'Dockerfile'), `ARG ROOT_IMAGE\nFROM \${ROOT_IMAGE}\nCOPY --from=${upstream} /v.txt /v.txt\nCOPY app.txt /app.txt\n`);
    await writeFile(join(workspace, 'copied', 'app.txt'), 'copied');
    const run = options('copied', { buildArgs: { ROOT_IMAGE: await localRootImage() } });
    const first = await pushUpstream('copy-v1');
    const result = await buildImage(run, deps);
    expect(result.manifest.status).toBe('built');
    expect(result.manifest.externalBases?.[upstream]?.digest).toBe(first);
    expect(await fileInImage(result.manifest.ref!)).toBe('copy-v1');
    expect((await buildImage(run, deps)).manifest).toMatchObject({ status: 'exists', contentHash: result.manifest.contentHash });
    const second = await pushUpstream('copy-v2');
    const rebuilt = await buildImage(run, deps);
    expect(rebuilt.manifest.status).toBe('built');
    expect(rebuilt.manifest.contentHash).not.toBe(result.manifest.contentHash);
    expect(rebuilt.manifest.externalBases?.[upstream]?.digest).toBe(second);
    // Built from exactly that digest, not what the daemon had under the tag.
    expect(await fileInImage(rebuilt.manifest.ref!)).toBe('copy-v2');
  }, 300_000);

  it('the runtime input for a FROM built from an ARG, run by a shell as Nx runs it, asks for the image a HASHDOCK_BUILD_ARG_ override names, and sees it re-pushed', async () => {
    const [from] = externalFroms('Dockerfile', `ARG TAG=0\nFROM localhost:5000/${namespace}/upstream:\${TAG}\n`, {}, {});
    const command = baseDigestRuntimeInput(REPO_ROOT, from, hostPlatform(), {}, join(REPO_ROOT, 'libs/core/dist/cli/main.js'));
    expect(command).toContain(' --expand ');
    const run = async () => (await runCommand('/bin/sh', ['-c', command], { cwd: REPO_ROOT, env: { HASHDOCK_BUILD_ARG_TAG: '1' } })).stdout.trim();
    const before = await run();
    expect(before).toBe(`localhost:5000/${namespace}/upstream:1 ${hostPlatform()} ${await skopeoDigest(upstream.replace('localhost', '127.0.0.1'))}`);
    await pushUpstream('runtime-input');
    expect(await run()).not.toBe(before);
    // Without the override it asks for the default's tag, which is not there.
    await expect(runCommand('/bin/sh', ['-c', command], { cwd: REPO_ROOT })).rejects.toThrow(/upstream:0 is not in its registry/);
  });

  it('an unreachable base registry is an error naming the base and the Dockerfile line', async () => {
    await mkdir(join(workspace, 'unreachable'));
    await writeFile(join(workspace, 'unreachable', 'Dockerfile'), 'FROM scratch AS s\nFROM 127.0.0.1:5999/nowhere/base:1\n');
    await expect(buildImage(options('unreachable', { dryRun: true }), { ...deps, registry: new RegistryClient({ retry: { retries: 0 } }) })).rejects.toThrow(
      /unreachable\/Dockerfile:2: base image 127\.0\.0\.1:5999\/nowhere\/base:1: could not be resolved to a digest for linux\/\w+: .*127\.0\.0\.1:5999/,
    );
  });

  it('COPY --from a bare name no registry has (a named build context, as buildx --build-context passes one): the error says how to declare it', async () => {
    await mkdir(join(workspace, 'named-context'));
    await writeFile(join(workspace, 'named-context', 'Dockerfile'), 'FROM scratch\nCOPY --from=shared-libs /dist /app/libs\n');
    // Docker Hub read through the local registry (a mirror), which has no library/shared-libs.
    const mirrors = normalizeMirrors({ 'docker.io': 'localhost:5000' }, 'test');
    await expect(buildImage(options('named-context', { dryRun: true, mirrors }), deps)).rejects.toThrow(
      /named-context\/Dockerfile:2: base image shared-libs: could not be resolved to a digest .*\(if "shared-libs" is meant as a named build context, docker buildx --build-context shared-libs=<dir>: set it in the image target, "buildContexts": \{ "shared-libs": "<dir>" \}\)/,
    );
    // Nx's hashing runs the same lookup (the runtime input): one line saying the same, no stack.
    const [from] = externalFroms('Dockerfile', 'FROM scratch\nCOPY --from=shared-libs /dist /app/libs\n', {}, {});
    const command = baseDigestRuntimeInput(REPO_ROOT, from, hostPlatform(), mirrors, join(REPO_ROOT, 'libs/core/dist/cli/main.js'));
    const failed = await runCommand('/bin/sh', ['-c', command], { cwd: REPO_ROOT }).then(() => undefined, (error: Error) => error.message);
    expect(failed).toContain('is meant as a named build context');
    expect(failed).not.toMatch(/\n\s+at /);
  });

  it('a COPY source missing from the context is an error naming the Dockerfile line, before docker runs', async () => {
    await mkdir(join(workspace, 'missing'));
    await writeFile(join(workspace, 'missing', 'Dockerfile'), `FROM ${upstream}\nCOPY app.txt /app.txt\nCOPY dist/ /app/\n`);
    await writeFile(join(workspace, 'missing', 'app.txt'), 'x');
    const calls: string[] = [];
    const docker = Object.assign(Object.create(deps.docker), { build: async () => void calls.push('build') });
    await expect(buildImage(options('missing'), { ...deps, docker })).rejects.toThrow(/missing\/Dockerfile:3: COPY\/ADD source "dist" is not in the build context/);
    expect(calls).toEqual([]);
  });
});

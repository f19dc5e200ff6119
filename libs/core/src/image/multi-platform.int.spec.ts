import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { REPO_ROOT } from '../../../../e2e/support/sandbox-workspace';
import { runCommand } from '../process/run-command';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { DockerDriver } from '../docker/docker-driver';
import { mountBlob, uploadBlob } from '../registry/blobs';
import { RegistryClient } from '../registry/client';
import { getManifest, putManifest, RawManifest, sha256Digest } from '../registry/manifest-io';
import { OCI_INDEX } from '../registry/media-types';
import { hasTag } from '../registry/tag-exists';
import { buildImage } from './build-image';
import { hostPlatform, ImageBuildOptions } from './image-options';

const environment = await checkEnvironment();
const client = new RegistryClient();
const json = (manifest: RawManifest) => JSON.parse(Buffer.from(manifest.bytes).toString('utf8'));
const bytesOf = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value)));

/** A static aarch64 Linux program that exits 0: ELF header, one LOAD segment, `mov x0, #0; mov x8, #93; svc #0`. */
function arm64ExitElf(): Buffer {
  const elf = Buffer.alloc(0x78 + 12);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(elf, 0);
  elf.writeUInt16LE(2, 16); // ET_EXEC
  elf.writeUInt16LE(0xb7, 18); // EM_AARCH64
  elf.writeUInt32LE(1, 20);
  elf.writeBigUInt64LE(0x400078n, 24); // entry
  elf.writeBigUInt64LE(0x40n, 32); // program headers
  elf.writeUInt16LE(0x40, 52);
  elf.writeUInt16LE(0x38, 54);
  elf.writeUInt16LE(1, 56);
  elf.writeUInt32LE(1, 0x40); // PT_LOAD
  elf.writeUInt32LE(5, 0x44); // R+X
  elf.writeBigUInt64LE(0x400000n, 0x50);
  elf.writeBigUInt64LE(0x400000n, 0x58);
  elf.writeBigUInt64LE(BigInt(elf.length), 0x60);
  elf.writeBigUInt64LE(BigInt(elf.length), 0x68);
  elf.writeBigUInt64LE(0x1000n, 0x70);
  for (const [at, word] of [[0x78, 0xd2800000], [0x7c, 0xd2800ba8], [0x80, 0xd4000001]]) elf.writeUInt32LE(word, at);
  return elf;
}

/** A one-file layer (gzip) and its diff_id. */
async function markerLayer(text: string): Promise<{ gzip: Uint8Array<ArrayBuffer>; diffId: string }> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve) => tar.on('end', () => resolve()));
  tar.entry({ name: 'platform.txt', mode: 0o644, mtime: new Date(0) }, text);
  tar.finalize();
  await ended;
  const raw = Buffer.concat(chunks);
  return { gzip: new Uint8Array(gzipSync(raw)), diffId: sha256Digest(raw) };
}

/**
 * Multi-platform images from a base that is a two-platform index, made
 * locally from two root images: the local root (amd64) and a copy of it with
 * an extra marker layer whose config says arm64. No QEMU, no buildx: the
 * registry builder appends the same layers to each platform's base.
 */
describe.skipIf(!environment.available)('registry builder: a two-platform base index gives a two-platform service index', () => {
  const ns = `multi-${Date.now().toString(36)}`;
  const rootRepo = `localhost:5000/${ns}/root`;
  let workspace = '';
  const platformBase: Record<string, { digest: string; layers: string[] }> = {};
  const deps = { docker: new DockerDriver(), registry: client, log: () => undefined };
  const options = (name: string, extra: Partial<ImageBuildOptions> = {}) =>
    imageBuildOptions(name, join(workspace, name), `localhost:5000/${ns}/${name}`, {
      workspaceRoot: workspace,
      manifestDir: join(workspace, 'dist/images'),
      platform: 'linux/amd64,linux/arm64',
      workspaceImages: { [`${ns}/base`]: 'base' },
      ...extra,
    });

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'hashdock-multi-'));
    const root = await localRootImage();
    const source = root.slice(0, root.lastIndexOf(':'));
    const amd64 = await getManifest(client, source, root.slice(root.lastIndexOf(':') + 1));
    const amd64Json = json(amd64);
    for (const blob of [amd64Json.config, ...amd64Json.layers]) await mountBlob(client, rootRepo, blob.digest, source);
    await putManifest(client, rootRepo, amd64.digest, amd64);
    // The "arm64" root: the same filesystem plus /platform.txt, its config saying arm64.
    const config = await (await client.request(source, { method: 'GET', path: `blobs/${amd64Json.config.digest}`, expect: [200] })).json();
    const marker = await markerLayer('arm64');
    const armConfig = bytesOf({ ...config, architecture: 'arm64', rootfs: { type: 'layers', diff_ids: [...config.rootfs.diff_ids, marker.diffId] } });
    await uploadBlob(client, rootRepo, sha256Digest(marker.gzip), marker.gzip, marker.gzip.byteLength);
    await uploadBlob(client, rootRepo, sha256Digest(armConfig), armConfig, armConfig.byteLength);
    const arm64Bytes = bytesOf({
      ...amd64Json,
      config: { ...amd64Json.config, digest: sha256Digest(armConfig), size: armConfig.byteLength },
      layers: [...amd64Json.layers, { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha256Digest(marker.gzip), size: marker.gzip.byteLength }],
    });
    const arm64: RawManifest = { bytes: arm64Bytes, mediaType: amd64.mediaType, digest: sha256Digest(arm64Bytes) };
    await putManifest(client, rootRepo, arm64.digest, arm64);
    const index = bytesOf({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: amd64.mediaType, digest: amd64.digest, size: amd64.bytes.byteLength, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: arm64.mediaType, digest: arm64.digest, size: arm64.bytes.byteLength, platform: { os: 'linux', architecture: 'arm64' } },
      ],
    });
    await putManifest(client, rootRepo, 'two', { bytes: index, mediaType: OCI_INDEX, digest: sha256Digest(index) });
    platformBase.amd64 = { digest: amd64.digest, layers: amd64Json.layers.map((layer: { digest: string }) => layer.digest) };
    platformBase.arm64 = { digest: arm64.digest, layers: json(arm64).layers.map((layer: { digest: string }) => layer.digest) };

    await mkdir(join(workspace, 'base'), { recursive: true });
    await writeFile(join(workspace, 'base/Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nENV NODE_ENV=production\nWORKDIR /srv\nCMD ["node"]\n');
    await mkdir(join(workspace, 'svc/dist'), { recursive: true });
    await writeFile(join(workspace, 'svc/Dockerfile'), `ARG BASE_IMAGE=${ns}/base\nFROM \${BASE_IMAGE}\nCOPY dist/ /srv/\nCMD ["node", "/srv/main.js"]\n`);
    await writeFile(join(workspace, 'svc/dist/main.js'), 'console.log("hi")\n');
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it('base and service are indexes over both platforms, each platform on its own base layers with the same new layers on top', async () => {
    const base = await buildImage(options('base', { buildArgs: { ROOT_IMAGE: `${rootRepo}:two` } }), deps);
    expect(base.manifest).toMatchObject({ status: 'built', platform: 'linux/amd64,linux/arm64', builder: { name: 'registry' } });
    expect(Object.keys(base.manifest.externalBases ?? {}).sort()).toEqual([`${rootRepo}:two (linux/amd64)`, `${rootRepo}:two (linux/arm64)`]);
    const svc = await buildImage(options('svc'), deps);
    expect(svc.manifest).toMatchObject({ status: 'built', builder: { name: 'registry' } });

    const index = json(await getManifest(client, svc.manifest.repository, svc.manifest.digest!));
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.manifests.map((child: { platform: { architecture: string } }) => child.platform.architecture)).toEqual(['amd64', 'arm64']);
    const added: string[][] = [];
    for (const child of index.manifests) {
      const arch = child.platform.architecture as 'amd64' | 'arm64';
      const image = json(await getManifest(client, svc.manifest.repository, child.digest));
      const layers = image.layers.map((layer: { digest: string }) => layer.digest);
      expect(layers.slice(0, platformBase[arch].layers.length), arch).toEqual(platformBase[arch].layers);
      added.push(layers.slice(platformBase[arch].layers.length));
      const config = await (await client.request(svc.manifest.repository, { method: 'GET', path: `blobs/${image.config.digest}`, expect: [200] })).json();
      expect(config.architecture, arch).toBe(arch);
      expect(config.config.Cmd).toEqual(['node', '/srv/main.js']);
    }
    // WORKDIR /srv (base) and the COPY (service): the same bytes on both platforms.
    expect(added[0]).toHaveLength(2);
    expect(added[1]).toEqual(added[0]);
    // The claim protocol holds for indexes too: the content-hash tag names the index.
    expect(await hasTag(client, svc.manifest.repository, svc.manifest.contentHash)).toBe(svc.manifest.digest);
  });

  it("another process building on the same base index GETs none of its manifests (kept by digest in the checkout's cache): one HEAD of its tag for both platforms", async () => {
    await mkdir(join(workspace, 'base2'), { recursive: true });
    await writeFile(join(workspace, 'base2/Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nENV NODE_ENV=production SECOND=1\nCMD ["node"]\n');
    const asked: string[] = [];
    const registry = new RegistryClient({ fetch: (input, init) => (asked.push(`${init?.method ?? 'GET'} ${String(input)}`), fetch(input, init)) });
    const built = await buildImage(options('base2', { buildArgs: { ROOT_IMAGE: `${rootRepo}:two` } }), { ...deps, registry });
    expect(built.manifest).toMatchObject({ status: 'built', builder: { name: 'registry' } });
    expect(asked.filter((request) => request.includes(`/${ns}/root/manifests/`))).toEqual([`HEAD http://127.0.0.1:5000/v2/${ns}/root/manifests/two`]);
  });

  it('hashdock base-digest (the Nx runtime input) prints each platform\'s child of the index', async () => {
    const cli = join(REPO_ROOT, 'libs/core/dist/cli/main.js');
    const { stdout } = await runCommand('node', [cli, 'base-digest', `${rootRepo}:two`, '--platform', 'linux/amd64,linux/arm64'], { cwd: workspace });
    const index = (await getManifest(client, rootRepo, 'two')).digest;
    expect(stdout.trim().split('\n')).toEqual([`${rootRepo}:two linux/amd64 ${platformBase.amd64.digest} index ${index}`, `${rootRepo}:two linux/arm64 ${platformBase.arm64.digest} index ${index}`]);
  });

  it("each platform's image reads its own TARGETARCH: the file it copies, its ENV; the hash covers both files", async () => {
    await buildImage(options('base', { buildArgs: { ROOT_IMAGE: `${rootRepo}:two` } }), deps);
    await mkdir(join(workspace, 'arch/bin'), { recursive: true });
    await writeFile(join(workspace, 'arch/Dockerfile'), `ARG BASE_IMAGE=${ns}/base\nFROM \${BASE_IMAGE}\nARG TARGETARCH\nENV ARCH=\${TARGETARCH}\nCOPY bin/app-\${TARGETARCH}.txt /srv/app.txt\n`);
    for (const arch of ['amd64', 'arm64', 's390x']) await writeFile(join(workspace, `arch/bin/app-${arch}.txt`), `${arch} build\n`);
    const arch = await buildImage(options('arch'), deps);
    expect(arch.manifest).toMatchObject({ status: 'built', builder: { name: 'registry' }, context: 'COPY/ADD sources: bin/app-amd64.txt, bin/app-arm64.txt' });
    const index = json(await getManifest(client, arch.manifest.repository, arch.manifest.digest!));
    for (const child of index.manifests) {
      const platformArch = child.platform.architecture as string;
      const image = json(await getManifest(client, arch.manifest.repository, child.digest));
      const config = await (await client.request(arch.manifest.repository, { method: 'GET', path: `blobs/${image.config.digest}`, expect: [200] })).json();
      expect(config.config.Env, platformArch).toContain(`ARCH=${platformArch}`);
      const top = image.layers[image.layers.length - 1].digest;
      const layer = gunzipSync(Buffer.from(await (await client.request(arch.manifest.repository, { method: 'GET', path: `blobs/${top}`, expect: [200] })).arrayBuffer())).toString('latin1');
      expect(layer, platformArch).toContain(`${platformArch} build`);
      expect(layer, platformArch).not.toContain(`${platformArch === 'amd64' ? 'arm64' : 'amd64'} build`);
    }
    // An edit to one platform's file is a new image; to a file no platform reads, none.
    await writeFile(join(workspace, 'arch/bin/app-s390x.txt'), 'edited\n');
    expect((await buildImage(options('arch', { dryRun: true }), deps)).manifest.contentHash).toBe(arch.manifest.contentHash);
    await writeFile(join(workspace, 'arch/bin/app-arm64.txt'), 'arm64 build, edited\n');
    expect((await buildImage(options('arch', { dryRun: true }), deps)).manifest.contentHash).not.toBe(arch.manifest.contentHash);
  });

  it('a base pinned by its index digest (FROM root@sha256:<index>) is descended per platform as its tag is', async () => {
    const indexDigest = (await getManifest(client, rootRepo, 'two')).digest;
    const pinned = `${rootRepo}@${indexDigest}`;
    const base = await buildImage(options('base', { repository: `localhost:5000/${ns}/base-pinned`, buildArgs: { ROOT_IMAGE: pinned } }), deps);
    expect(base.manifest).toMatchObject({ status: 'built', platform: 'linux/amd64,linux/arm64', builder: { name: 'registry' } });
    expect(base.manifest.externalBases).toEqual({
      [`${pinned} (linux/amd64)`]: { digest: platformBase.amd64.digest, platform: 'linux/amd64', index: indexDigest },
      [`${pinned} (linux/arm64)`]: { digest: platformBase.arm64.digest, platform: 'linux/arm64', index: indexDigest },
    });
    const index = json(await getManifest(client, base.manifest.repository, base.manifest.digest!));
    for (const child of index.manifests) {
      const arch = child.platform.architecture as 'amd64' | 'arm64';
      const layers = json(await getManifest(client, base.manifest.repository, child.digest)).layers.map((layer: { digest: string }) => layer.digest);
      expect(layers.slice(0, platformBase[arch].layers.length), arch).toEqual(platformBase[arch].layers);
    }
  });

  /**
   * A file of the image one platform of an index holds (docker create of that platform's child, docker cp): undefined
   * when it has none. By the child's digest: docker's image store keeps one image per `repo@<index digest>`.
   */
  async function fileOf(reference: string, platform: string, path: string): Promise<string | undefined> {
    const at = reference.indexOf('@');
    const index = json(await getManifest(client, reference.slice(0, at), reference.slice(at + 1)));
    const child = index.manifests.find((entry: { platform: { architecture: string } }) => `linux/${entry.platform.architecture}` === platform);
    const id = (await runCommand('/usr/bin/docker', ['create', '--platform', platform, `${reference.slice(0, at)}@${child.digest}`, 'true'])).stdout.trim();
    try {
      const { stdout } = await runCommand('/bin/sh', ['-c', `/usr/bin/docker cp "${id}:${path}" - | tar -xO`]);
      return stdout;
    } catch {
      return undefined;
    } finally {
      await runCommand('/usr/bin/docker', ['rm', '--force', id]);
    }
  }

  /** Untagged images a build of this content hash left in the local store (docker labels each build with it). */
  const danglingOf = async (contentHash: string) =>
    (await runCommand('/usr/bin/docker', ['image', 'ls', '--quiet', '--filter', 'dangling=true', '--filter', `label=dev.hashdock.content-hash=${contentHash}`])).stdout.split('\n').filter(Boolean);

  it("several platforms with docker: one build per platform on that platform's base, an index over them under the content-hash tag", async () => {
    const built = await buildImage(options('svc', { builder: 'docker', repository: `localhost:5000/${ns}/svc-docker` }), deps);
    expect(built.manifest).toMatchObject({ status: 'built', platform: 'linux/amd64,linux/arm64', builder: { name: 'docker' } });
    // Nothing of the run is left in the local store, tagged (docker holds one platform per name) or dangling: each
    // platform's image left it once pushed (the build cache keeps its layers). Before fileOf, which pulls each child.
    expect(await danglingOf(built.manifest.contentHash)).toEqual([]);
    const index = json(await getManifest(client, built.manifest.repository, built.manifest.digest!));
    expect(index.manifests.map((child: { platform: { architecture: string } }) => child.platform.architecture)).toEqual(['amd64', 'arm64']);
    for (const child of index.manifests) {
      const arch = child.platform.architecture as string;
      const image = json(await getManifest(client, built.manifest.repository, child.digest));
      const config = await (await client.request(built.manifest.repository, { method: 'GET', path: `blobs/${image.config.digest}`, expect: [200] })).json();
      expect(config.architecture, arch).toBe(arch);
      expect(config.config.Cmd, arch).toEqual(['node', '/srv/main.js']);
    }
    // Each platform on its own base: only the "arm64" root has the marker file.
    expect(await fileOf(built.manifest.ref!, 'linux/arm64', '/platform.txt')).toBe('arm64');
    expect(await fileOf(built.manifest.ref!, 'linux/amd64', '/platform.txt')).toBeUndefined();
    expect(await hasTag(client, built.manifest.repository, built.manifest.contentHash)).toBe(built.manifest.digest);
    const { stdout } = await runCommand('/usr/bin/docker', ['image', 'ls', '--format', '{{.Tag}}', `localhost:5000/${ns}/svc-docker`]);
    expect(stdout.split('\n').filter((tag) => tag && tag !== '<none>')).toEqual([]);
  });

  it('a build stage on $BUILDPLATFORM RUNs natively for every target platform (the cross-build pattern); the next run finds the index and builds nothing', async () => {
    await mkdir(join(workspace, 'cross'), { recursive: true });
    // What the build stage ran on: this machine's arch, and whether its base is the "arm64" root (which has /platform.txt).
    const write = `const fs = require('fs'); fs.writeFileSync('/out/arch.txt', process.env.TARGETARCH + ' built on ' + process.arch + (fs.existsSync('/platform.txt') ? ' (arm64 root)' : ''))`;
    await writeFile(
      join(workspace, 'cross/Dockerfile'),
      `ARG ROOT_IMAGE\nFROM --platform=\$BUILDPLATFORM \${ROOT_IMAGE} AS build\nARG TARGETARCH\nRUN ["node", "-e", "require('fs').mkdirSync('/out')"]\nRUN ["node", "-e", ${JSON.stringify(write)}]\nFROM \${ROOT_IMAGE}\nCOPY --from=build /out/arch.txt /arch.txt\n`,
    );
    const run = options('cross', { buildArgs: { ROOT_IMAGE: `${rootRepo}:two` } });
    const built = await buildImage(run, deps);
    expect(built.manifest).toMatchObject({ status: 'built', builder: { name: 'docker' } });
    expect(await fileOf(built.manifest.ref!, 'linux/amd64', '/arch.txt')).toBe('amd64 built on x64');
    expect(await fileOf(built.manifest.ref!, 'linux/arm64', '/arch.txt')).toBe('arm64 built on x64');
    // One build arg for both FROMs: the build stage took the build platform's child (above), the target stage arm64's.
    expect(await fileOf(built.manifest.ref!, 'linux/arm64', '/platform.txt')).toBe('arm64');
    // The index is in the hash: a child only the target stage reads (here arm64's), re-pushed, is a new image.
    expect(built.hash.canonical).toContain('base "ROOT_IMAGE@linux/arm64#index"');
    expect((await buildImage(run, deps)).manifest).toMatchObject({ status: 'exists', digest: built.manifest.digest });
    // Kept local (--no-push, a fork's pull request): both platforms are built, this machine's is kept under the tags.
    // (A label of its own: another image than the one pushed above, whose children fileOf pulled into the store.)
    const local = await buildImage({ ...run, push: false, repository: `localhost:5000/${ns}/cross-local`, labels: { 'org.example.kept': 'local' } }, deps);
    expect(local.manifest).toMatchObject({ status: 'built', pushed: false, digest: null });
    const kept = `localhost:5000/${ns}/cross-local:${local.manifest.contentHash}`;
    const arch = hostPlatform().split('/')[1];
    expect((await runCommand('/usr/bin/docker', ['image', 'inspect', '--format', '{{.Architecture}}', kept])).stdout.trim()).toBe(arch);
    expect((await runCommand('/usr/bin/docker', ['run', '--rm', kept, 'node', '-e', "process.stdout.write(require('fs').readFileSync('/arch.txt', 'utf8'))"])).stdout).toBe(`${arch} built on ${process.arch}`);
    // The other platform was built, then removed: no dangling image of the run.
    expect(await danglingOf(local.manifest.contentHash)).toEqual([]);
  });

  it('a RUN in a stage built for a platform this machine cannot run fails naming the platform and the two ways out', async () => {
    // (A machine with an emulator registered for arm64 runs it: nothing to refuse there.)
    const emulated = await runCommand('/bin/sh', ['-c', 'ls /proc/sys/fs/binfmt_misc/ | grep -i aarch64']).then(() => true, () => false);
    await mkdir(join(workspace, 'native'), { recursive: true });
    // The "arm64" root holds this machine's binaries; a real arm64 program: exit(0) as a 132-byte static ELF.
    await writeFile(join(workspace, 'native/arm-true'), arm64ExitElf(), { mode: 0o755 });
    await writeFile(join(workspace, 'native/Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nCOPY arm-true /arm-true\nRUN ["/arm-true"]\n');
    const run = buildImage(options('native', { platform: 'linux/arm64', buildArgs: { ROOT_IMAGE: `${rootRepo}:two` } }), deps);
    if (emulated) await expect(run).resolves.toBeDefined();
    else await expect(run).rejects.toThrow(/native\/Dockerfile: a RUN in a stage built for linux\/arm64 cannot run on this linux\/amd64 machine .*FROM --platform=\$BUILDPLATFORM.*QEMU binfmt/);
  });

  it('several platforms on a base that is one image are refused, naming it', async () => {
    const root = await localRootImage();
    await expect(buildImage(options('base', { repository: `localhost:5000/${ns}/base-single`, buildArgs: { ROOT_IMAGE: root } }), deps)).rejects.toThrow(/is one image \(sha256:[0-9a-f]{64}\), not a multi-platform index/);
  });
});

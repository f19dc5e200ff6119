import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, skopeoDigest } from '../../../../e2e/support/environment';
import { RegistryProcess } from '../../../../e2e/support/registry-process';
import { TokenIssuer } from '../../../../e2e/support/token-issuer';
import { runCommand } from '../process/run-command';
import { createAuthorizer } from './auth';
import { RegistryClient } from './client';
import { isRegistryAuthError, RegistryResponseError, RegistryUnreachableError, TagConflictError } from './errors';
import { getManifest } from './manifest-io';
import { nodeFetch } from './node-fetch';
import { fetchArtifact, INLINE_LIMIT, pushArtifact } from './artifact';
import { randomBytes } from 'node:crypto';
import { resolveBaseDigest } from '../image/external-bases';
import { promoteImage } from './promote';
import { hasTag } from './tag-exists';
import { DockerDriver } from '../docker/docker-driver';
import { buildImage } from '../image/build-image';
import { imageBuildOptions } from '../../../../e2e/support/image-options';

const environment = await checkEnvironment({ skopeo: true });
const USER = 'hashdock';
const PASSWORD = 'hashdock-test-password';
const HTPASSWD = join(import.meta.dirname, '../../../../e2e/fixtures/htpasswd');

describe.skipIf(!environment.available)('registry client against real Distribution registries', () => {
  const ns = `reg-int-${Date.now().toString(36)}`;
  const local = `localhost:5000/${ns}/tiny`;
  let basicRegistry: RegistryProcess;
  let tokenRegistry: RegistryProcess;
  let issuer: TokenIssuer;
  let digest = '';
  let otherDigest = '';
  let dir = '';

  const creds = (address: string, password = PASSWORD) => ({ credentials: async (host: string) => (host === address ? { username: USER, password } : undefined) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-reg-int-'));
    for (const [tag, text] of [['1', 'one'], ['2', 'two']]) {
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY payload.txt /payload.txt\n');
      await writeFile(join(dir, 'payload.txt'), `${text} ${ns}\n`);
      await runCommand('/usr/bin/docker', ['build', '-q', '-t', `${local}:${tag}`, dir], { env: { DOCKER_BUILDKIT: '1' } });
      await runCommand('/usr/bin/docker', ['push', `${local}:${tag}`]);
    }
    digest = await skopeoDigest(`${local}:1`);
    otherDigest = await skopeoDigest(`${local}:2`);
    basicRegistry = await RegistryProcess.start({ htpasswdFile: HTPASSWD });
    issuer = await TokenIssuer.start({ [USER]: PASSWORD });
    tokenRegistry = await RegistryProcess.start({ token: { realm: issuer.realm, service: TokenIssuer.service, issuer: TokenIssuer.issuer, certFile: issuer.certFile } });
  });
  afterAll(async () => {
    await basicRegistry?.stop();
    await tokenRegistry?.stop();
    await issuer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('hasTag: the digest skopeo sees when present, undefined only when absent', async () => {
    const client = new RegistryClient();
    expect(await hasTag(client, local, '1')).toBe(digest);
    expect(await hasTag(client, local, 'no-such-tag')).toBeUndefined();
  });

  it('an unknown repository is a 404 for a digest read, naming the URL', async () => {
    const error = await promoteImage({
      source: { client: new RegistryClient(), repository: `localhost:5000/${ns}/missing`, digest },
      target: { client: new RegistryClient(), repository: `localhost:5000/${ns}/copy`, },
      tags: ['x'],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryResponseError);
    expect(error.message).toContain(`/v2/${ns}/missing/manifests/${digest}`);
    expect(error.message).toContain('404');
  });

  it('promotes within one registry by blob mount: no blob bytes moved, same digest', async () => {
    const client = new RegistryClient();
    const target = `localhost:5000/${ns}/promoted`;
    const result = await promoteImage({ source: { client, repository: local, digest }, target: { client, repository: target }, tags: ['stable'] });
    expect(result.blobs.mounted).toBeGreaterThan(0);
    expect(result.blobs.copied).toBe(0);
    expect(result.blobBytesCopied).toBe(0);
    expect(client.stats.requests.PATCH ?? 0).toBe(0);
    expect(await skopeoDigest(`${target}:stable`)).toBe(digest);
    const again = await promoteImage({ source: { client, repository: local, digest }, target: { client, repository: target }, tags: ['stable'] });
    expect(again).toMatchObject({ blobs: { copied: 0 }, blobBytesCopied: 0, tags: { stable: 'unchanged' }, manifestsPut: 0 });
  });

  it('refuses to move a tag that points at another digest unless forced', async () => {
    const client = new RegistryClient();
    const target = `localhost:5000/${ns}/guarded`;
    await promoteImage({ source: { client, repository: local, digest: otherDigest }, target: { client, repository: target }, tags: ['v1'] });
    const refused = await promoteImage({ source: { client, repository: local, digest }, target: { client, repository: target }, tags: ['v1'] }).catch((e) => e);
    expect(refused).toBeInstanceOf(TagConflictError);
    expect(refused.message).toContain(`Refusing to clobber existing tag ${target}:v1: it points at ${otherDigest}`);
    expect(await skopeoDigest(`${target}:v1`)).toBe(otherDigest);
    const forced = await promoteImage({ source: { client, repository: local, digest }, target: { client, repository: target }, tags: ['v1'], force: true });
    expect(forced.tags.v1).toBe('moved');
    expect(await skopeoDigest(`${target}:v1`)).toBe(digest);
  });

  it('Basic auth: copies across registries with credentials; a wrong password is RegistryAuthError, never absent', async () => {
    const source = new RegistryClient();
    const target = new RegistryClient({ authorize: createAuthorizer(creds(basicRegistry.address)) });
    const repository = `${basicRegistry.address}/${ns}/tiny`;
    const result = await promoteImage({ source: { client: source, repository: local, digest }, target: { client: target, repository }, tags: ['1'] });
    expect(result.blobs.copied).toBeGreaterThan(0);
    expect(await skopeoDigest(`${repository}:1`, ['--creds', `${USER}:${PASSWORD}`])).toBe(digest);
    expect(await hasTag(target, repository, '1')).toBe(digest);

    for (const client of [new RegistryClient({ authorize: createAuthorizer(creds(basicRegistry.address, 'wrong')) }), new RegistryClient()]) {
      const error = await hasTag(client, repository, '1').catch((e) => e);
      expect(isRegistryAuthError(error)).toBe(true);
      expect(error.message).toContain(`${basicRegistry.address}/${ns}/tiny`);
      expect(error.message).not.toContain(PASSWORD);
    }
  });

  it('Bearer token auth: a token per scope from the issuer, cached; wrong password and anonymous are refused', async () => {
    const authorize = createAuthorizer(creds(tokenRegistry.address));
    const target = new RegistryClient({ authorize });
    const repository = `${tokenRegistry.address}/${ns}/tiny`;
    await promoteImage({ source: { client: new RegistryClient(), repository: local, digest }, target: { client: target, repository }, tags: ['1'] });
    issuer.requests.length = 0;
    expect(await hasTag(target, repository, '1')).toBe(digest);
    expect(await hasTag(target, repository, '1')).toBe(digest);
    // Push scope covers pull: no new token needed for these reads.
    expect(issuer.requests).toEqual([]);
    for (const client of [new RegistryClient({ authorize: createAuthorizer(creds(tokenRegistry.address, 'wrong')) }), new RegistryClient({ authorize: createAuthorizer({ credentials: async () => undefined }) })]) {
      const error = await hasTag(client, repository, '1').catch((e) => e);
      expect(isRegistryAuthError(error), String(error)).toBe(true);
      expect(error.message).toContain(repository);
    }
  });

  it('nodeFetch (the transport of `hashdock base-digest`) reads what fetch reads: anonymous, Basic and Bearer; refusals and 404s alike', async () => {
    const basicRepository = `${basicRegistry.address}/${ns}/tiny`;
    const tokenRepository = `${tokenRegistry.address}/${ns}/tiny`;
    // Both images are there from the auth tests above; push them again in case this test runs alone.
    await promoteImage({ source: { client: new RegistryClient(), repository: local, digest }, target: { client: new RegistryClient({ authorize: createAuthorizer(creds(basicRegistry.address)) }), repository: basicRepository }, tags: ['1'] });
    await promoteImage({ source: { client: new RegistryClient(), repository: local, digest }, target: { client: new RegistryClient({ authorize: createAuthorizer(creds(tokenRegistry.address)) }), repository: tokenRepository }, tags: ['1'] });
    const light = (address?: string, password?: string) =>
      new RegistryClient({ fetch: nodeFetch, ...(address ? { authorize: createAuthorizer({ ...creds(address, password), fetch: nodeFetch }) } : {}) });
    for (const [client, repository] of [[light(), local], [light(basicRegistry.address), basicRepository], [light(tokenRegistry.address), tokenRepository]] as const) {
      expect(await hasTag(client, repository, '1')).toBe(digest);
      expect(await hasTag(client, repository, 'no-such-tag')).toBeUndefined();
      const manifest = await getManifest(client, repository, '1');
      expect(manifest.digest).toBe(digest);
      expect(Buffer.from(manifest.bytes)).toEqual(Buffer.from((await getManifest(new RegistryClient(), local, '1')).bytes));
      expect((await resolveBaseDigest(client, `${repository}:1`, 'linux/amd64')).digest).toBe(digest);
    }
    for (const [client, repository] of [[light(basicRegistry.address, 'wrong'), basicRepository], [light(tokenRegistry.address, 'wrong'), tokenRepository], [light(), tokenRepository]] as const) {
      const error = await hasTag(client, repository, '1').catch((e) => e);
      expect(isRegistryAuthError(error), String(error)).toBe(true);
      expect(error.message).toContain(repository);
    }
    const missing = await getManifest(light(), `localhost:5000/${ns}/no-such-repo`, '1').catch((e) => e);
    expect(missing).toBeInstanceOf(RegistryResponseError);
    expect(missing.status).toBe(404);
    expect(missing.message).toContain('MANIFEST_UNKNOWN');
    const unreachable = await hasTag(new RegistryClient({ fetch: nodeFetch, retry: { retries: 0 } }), '127.0.0.1:1/x/y', '1').catch((e) => e);
    expect(unreachable).toBeInstanceOf(RegistryUnreachableError);
    expect(unreachable.message).toContain('127.0.0.1:1');
  });

  it('a small artifact travels in its manifest; a large one in a blob; the empty config is sent once per repository', async () => {
    const repository = `localhost:5000/${ns}/artifacts`;
    const type = 'application/vnd.hashdock.test.v1+json';
    const first = new RegistryClient();
    await pushArtifact(first, repository, 'a.inputs', type, new Uint8Array(Buffer.from('first record')));
    // The manifest is refused once (Distribution: MANIFEST_BLOB_UNKNOWN for the empty config), then the config goes up.
    expect(first.stats.requests).toEqual({ PUT: 3, POST: 1 });
    const second = new RegistryClient();
    await pushArtifact(second, repository, 'b.inputs', type, new Uint8Array(Buffer.from('second record')));
    expect(second.stats.requests).toEqual({ PUT: 1 });
    // Past the inline limit (random bytes do not compress): a layer blob, as before.
    const large = new Uint8Array(randomBytes(INLINE_LIMIT + 1024));
    const third = new RegistryClient();
    await pushArtifact(third, repository, 'c.inputs', type, large);
    expect(third.stats.requests).toEqual({ POST: 1, PUT: 2 });
    const reader = new RegistryClient();
    expect(Buffer.from((await fetchArtifact(reader, repository, 'a.inputs'))!).toString()).toBe('first record');
    expect(Buffer.from((await fetchArtifact(reader, repository, 'b.inputs'))!).toString()).toBe('second record');
    expect(Buffer.from((await fetchArtifact(reader, repository, 'c.inputs'))!)).toEqual(Buffer.from(large));
    expect(await fetchArtifact(reader, repository, 'no-such.inputs')).toBeUndefined();
    // Each is a valid OCI artifact whose blobs the registry holds (the empty config and layer are `{}`).
    for (const tag of ['a.inputs', 'c.inputs']) {
      const manifest = JSON.parse(Buffer.from((await getManifest(reader, repository, tag)).bytes).toString()) as { artifactType: string; config: { digest: string }; layers: { digest: string }[] };
      expect(manifest.artifactType).toBe(type);
      for (const digest of [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)])
        expect((await reader.request(repository, { method: 'HEAD', path: `blobs/${digest}`, expect: [200, 404] })).status).toBe(200);
    }
  });

  it('a token service answering 503 is retried with backoff; one that refuses is an auth error naming the registry', async () => {
    const repository = `${tokenRegistry.address}/${ns}/tiny`;
    issuer.faults.push(503, 503);
    const client = new RegistryClient({ authorize: createAuthorizer({ ...creds(tokenRegistry.address), sleep: async () => undefined }) });
    expect(await hasTag(client, repository, '1')).toBe(digest);
    issuer.faults.push(401);
    const refused = await hasTag(new RegistryClient({ authorize: createAuthorizer(creds(tokenRegistry.address)) }), repository, '1').catch((e) => e);
    expect(isRegistryAuthError(refused), String(refused)).toBe(true);
    expect(refused.message).toMatch(new RegExp(`Token service \\S+ for ${tokenRegistry.address.replace(/\./g, '\\.')} refused the credentials for ${repository.replace(/\./g, '\\.')} \\(401\\)`));
    issuer.faults.push(503, 503, 503, 503);
    const failing = await hasTag(new RegistryClient({ authorize: createAuthorizer({ ...creds(tokenRegistry.address), sleep: async () => undefined }) }), repository, '1').catch((e) => e);
    expect(failing.message).toMatch(/failed for .* \(503\)\. Retry later/);
    issuer.faults.length = 0;
  });

  it('a 401 on a streamed blob PUT (token expired) re-authenticates and sends the whole body again', async () => {
    // Tokens that are stale on arrival: every request meets a 401 first, the upload PUT included.
    issuer.ttlSeconds = 1;
    try {
      const target = `${tokenRegistry.address}/${ns}/streamed`;
      const client = new RegistryClient({ authorize: createAuthorizer(creds(tokenRegistry.address)) });
      const result = await promoteImage({ source: { client: new RegistryClient(), repository: local, digest }, target: { client, repository: target }, tags: ['1'] });
      expect(result.blobs.copied).toBeGreaterThan(0);
      expect(await hasTag(client, target, '1')).toBe(digest);
    } finally {
      issuer.ttlSeconds = 300;
    }
  });

  it('same-registry promotion on a token registry mounts (0 bytes), asking for the source pull scope', async () => {
    const client = new RegistryClient({ authorize: createAuthorizer(creds(tokenRegistry.address)) });
    const staging = `${tokenRegistry.address}/${ns}/staging-api`;
    const prod = `${tokenRegistry.address}/${ns}/prod-api`;
    await promoteImage({ source: { client: new RegistryClient(), repository: local, digest }, target: { client, repository: staging }, tags: ['1'] });
    issuer.requests.length = 0;
    const logs: string[] = [];
    const result = await promoteImage({ source: { client, repository: staging, digest }, target: { client, repository: prod }, tags: ['1'], log: (line) => logs.push(line) });
    expect(result.blobBytesCopied).toBe(0);
    expect(result.blobs.mounted).toBeGreaterThan(0);
    const stagingPath = staging.slice(tokenRegistry.address.length + 1);
    expect(issuer.requests.some((request) => request.scopes.includes(`repository:${stagingPath}:pull`))).toBe(true);
  });

  it('a token service that refuses the source scope: the mount falls back to copying, and says so', async () => {
    const client = new RegistryClient({ authorize: createAuthorizer(creds(tokenRegistry.address)) });
    const staging = `${tokenRegistry.address}/${ns}/staging-api`;
    const qa = `${tokenRegistry.address}/${ns}/qa-api`;
    const stagingPath = staging.slice(tokenRegistry.address.length + 1);
    // Reads of staging are allowed on their own; a token asked for together with another repository's push is not given them.
    issuer.deny = (scope, requested) => requested.length > 1 && scope === `repository:${stagingPath}:pull`;
    try {
      const logs: string[] = [];
      const result = await promoteImage({ source: { client, repository: staging, digest }, target: { client, repository: qa }, tags: ['1'], log: (line) => logs.push(line) });
      expect(result.blobs.copied).toBeGreaterThan(0);
      expect(logs.join('\n')).toMatch(/could not mount .* from .*staging-api .*copying/);
      expect(await hasTag(client, qa, '1')).toBe(digest);
    } finally {
      issuer.deny = undefined;
    }
  });

  it('the first push of a brand-new repository on a registry that refuses pull-only looks at it (like Docker Hub)', async () => {
    const repository = `${tokenRegistry.address}/${ns}/brand-new`;
    const path = repository.slice(tokenRegistry.address.length + 1);
    // Docker Hub answers 401 to a pull-only look at a repository that does not exist yet (and allows it once it does).
    issuer.deny = (scope, requested) => requested.length === 1 && scope === `repository:${path}:pull` && !tokenRegistry.hasRepository(path);
    const dockerConfig = await mkdtemp(join(tmpdir(), 'hashdock-docker-config-'));
    try {
      await runCommand('/usr/bin/docker', ['login', '--username', USER, '--password-stdin', tokenRegistry.address], { env: { DOCKER_CONFIG: dockerConfig }, input: PASSWORD });
      await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY payload.txt /payload.txt\n');
      await writeFile(join(dir, 'payload.txt'), `brand new ${ns}\n`);
      const options = imageBuildOptions('brand-new', dir, repository, { manifestDir: join(dir, 'manifests') });
      const client = new RegistryClient({ authorize: createAuthorizer(creds(tokenRegistry.address)) });
      // What the refusal looks like to a pull-only look:
      expect(isRegistryAuthError(await hasTag(client, repository, 'x').catch((e) => e))).toBe(true);
      const result = await buildImage(options, { docker: new DockerDriver({ env: { DOCKER_CONFIG: dockerConfig } }), registry: client, log: () => undefined });
      expect(result.manifest.status).toBe('built');
      expect(await hasTag(client, repository, result.manifest.contentHash, 'push')).toBe(result.manifest.digest);
    } finally {
      issuer.deny = undefined;
      await rm(dockerConfig, { recursive: true, force: true });
    }
  }, 120_000);

  it('an interrupted promotion converges when rerun', async () => {
    const repository = `${basicRegistry.address}/${ns}/interrupted`;
    let calls = 0;
    const flaky = new RegistryClient({
      authorize: createAuthorizer(creds(basicRegistry.address)),
      retry: { retries: 0 },
      fetch: (input, init) => (++calls === 6 ? Promise.reject(new Error('connection dropped (test)')) : fetch(input, init)),
    });
    await expect(promoteImage({ source: { client: new RegistryClient(), repository: local, digest }, target: { client: flaky, repository }, tags: ['1'] })).rejects.toThrow(/connection dropped/);
    expect(await hasTag(new RegistryClient({ authorize: createAuthorizer(creds(basicRegistry.address)) }), repository, '1')).toBeUndefined();
    const client = new RegistryClient({ authorize: createAuthorizer(creds(basicRegistry.address)) });
    const result = await promoteImage({ source: { client: new RegistryClient(), repository: local, digest }, target: { client, repository }, tags: ['1'] });
    expect(result.tags['1']).toBe('created');
    expect(await hasTag(client, repository, '1')).toBe(digest);
  });
});

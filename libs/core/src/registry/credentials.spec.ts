import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseChallenge } from './challenge';
import { credentialsEnvName, resolveCredentials } from './credentials';

describe('resolveCredentials (docker config order)', () => {
  let dir = '';
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-creds-'));
    // A real credential helper on PATH: host on stdin, JSON on stdout, as docker's protocol says.
    await writeFile(
      join(dir, 'docker-credential-fake'),
      '#!/bin/sh\nread host\nif [ "$host" = "helped.example" ]; then echo "{\\"Username\\":\\"helper-user\\",\\"Secret\\":\\"helper-secret\\"}"; ' +
        'elif [ "$host" = "token.example" ]; then echo "{\\"Username\\":\\"<token>\\",\\"Secret\\":\\"refresh\\"}"; else echo "credentials not found in native keychain" >&2; exit 1; fi\n',
    );
    await chmod(join(dir, 'docker-credential-fake'), 0o755);
    env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const config = (value: unknown) => writeFile(join(dir, 'config.json'), JSON.stringify(value));

  it('prefers the environment variable, then credHelpers, then credsStore, then auths', async () => {
    await config({
      credHelpers: { 'helped.example': 'fake' },
      credsStore: 'fake',
      auths: { 'plain.example': { auth: Buffer.from('u:p:with:colons').toString('base64') }, 'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') } },
    });
    expect(await resolveCredentials('helped.example', env)).toEqual({ username: 'helper-user', password: 'helper-secret' });
    expect(await resolveCredentials('plain.example', env)).toEqual({ username: 'u', password: 'p:with:colons' });
    expect(await resolveCredentials('token.example', env)).toEqual({ identityToken: 'refresh' });
    expect(await resolveCredentials('registry-1.docker.io', env)).toEqual({ username: 'hub', password: 'pw' });
    expect(await resolveCredentials('nobody.example', env)).toBeUndefined();
    expect(await resolveCredentials('helped.example', { ...env, [credentialsEnvName('helped.example')]: 'AWS:ecr-token' })).toEqual({ username: 'AWS', password: 'ecr-token' });
  });

  it('reads identity tokens from auths and tolerates a missing config', async () => {
    await config({ auths: { 'ghcr.io': { identitytoken: 'abc' } } });
    expect(await resolveCredentials('ghcr.io', env)).toEqual({ identityToken: 'abc' });
    expect(await resolveCredentials('ghcr.io', { DOCKER_CONFIG: join(dir, 'none') })).toBeUndefined();
  });

  it('names the helper when it fails for another reason', async () => {
    await config({ credHelpers: { 'x.example': 'missing-helper' } });
    await expect(resolveCredentials('x.example', env)).rejects.toThrow(/docker-credential-missing-helper could not give credentials for x\.example/);
  });

  it.each([
    ['ghcr.io', 'HASHDOCK_CREDENTIALS_GHCR_IO'],
    ['127.0.0.1:5001', 'HASHDOCK_CREDENTIALS_127_0_0_1_5001'],
  ])('env name for %s is %s', (host, name) => expect(credentialsEnvName(host)).toBe(name));
});

describe('parseChallenge', () => {
  it.each([
    ['Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"', { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull' } }],
    ['Basic realm="Registry Realm"', { scheme: 'basic', params: { realm: 'Registry Realm' } }],
    ['Bearer realm=https://x/token, service=svc', { scheme: 'bearer', params: { realm: 'https://x/token', service: 'svc' } }],
  ])('%s', (header, expected) => expect(parseChallenge(header)).toEqual(expected));
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, skopeoDigest } from '../../../../e2e/support/environment';
import { runCommand } from '../process/run-command';
import { RegistryClient } from '../registry/client';
import { ReleaseError } from './release-file';
import { verifyReleaseDigests } from './verify-release';

const environment = await checkEnvironment({ skopeo: true });

describe.skipIf(!environment.available)('the missing-digest guard against the real local registry', () => {
  const ns = `verify-int-${Date.now().toString(36)}`;
  const repository = `localhost:5000/${ns}/app`;
  const client = new RegistryClient();
  let dir = '';
  let kept = '';
  let deleted = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-verify-'));
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY f /f\n');
    for (const tag of ['kept', 'deleted']) {
      await writeFile(join(dir, 'f'), `${tag} ${ns}`);
      await runCommand('/usr/bin/docker', ['build', '-q', '-t', `${repository}:${tag}`, dir], { env: { DOCKER_BUILDKIT: '1' } });
      await runCommand('/usr/bin/docker', ['push', `${repository}:${tag}`]);
    }
    kept = await skopeoDigest(`${repository}:kept`);
    deleted = await skopeoDigest(`${repository}:deleted`);
    // What a stale cache leaves behind: a manifest whose image the registry no longer has.
    await runCommand('skopeo', ['delete', '--tls-verify=false', `docker://${repository}@${deleted}`]);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes when every digest is present', async () => {
    await expect(verifyReleaseDigests([{ project: 'app', repository, digest: kept }], () => client, 'dist/images')).resolves.toBeUndefined();
  });

  it('stops the deploy listing every missing digest', async () => {
    const error = await verifyReleaseDigests(
      [
        { project: 'api', repository, digest: deleted },
        { project: 'app', repository, digest: kept },
        { project: 'zeta', repository: `localhost:5000/${ns}/never-pushed`, digest: kept },
      ],
      () => client,
      'dist/images',
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ReleaseError);
    expect(error.message).toContain(`digests missing from the registry: api (${repository}@${deleted}), zeta (localhost:5000/${ns}/never-pushed@${kept})`);
    expect(error.message).not.toContain(`app (`);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promoteRelease } from './promote-release';
import { Release } from './release-file';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const entry = (project: string, repository: string, d: string) => ({ project, repository, digest: d, ref: `${repository}@${d}`, contentHash: '0123456789abcdef', tags: ['0123456789abcdef'], source: { environment: 'dev', ref: `${repository}@${d}` } });

describe('promoteRelease with a damaged target release', () => {
  let dir = '';
  const environments = {
    environments: {
      staging: { registry: 'localhost:5000', namespace: 'staging', release: 'staging.json' },
      prod: { registry: 'localhost:5000', namespace: 'prod', release: 'prod.json' },
    },
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-release-'));
    const staging: Release = { schemaVersion: 1, environment: 'staging', images: { api: entry('api', 'localhost:5000/staging/api', digest('a')) } };
    await writeFile(join(dir, 'staging.json'), JSON.stringify(staging));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const prodWith = { schemaVersion: 1, environment: 'prod', images: { api: entry('api', 'localhost:5000/prod/api', digest('a')), web: entry('web', 'localhost:5000/prod/web', digest('b')) } };
  const run = () =>
    promoteRelease({
      workspaceRoot: dir,
      environments,
      environmentsPath: join(dir, 'environments.json'),
      from: 'staging',
      to: 'prod',
      projects: ['api'],
      clientFor: () => {
        throw new Error('no registry may be contacted before the target release is known to be readable');
      },
      log: () => undefined,
    });

  it.each([
    ['truncated', JSON.stringify(prodWith).slice(0, 60), /prod\.json: is not valid JSON/],
    ['one entry without a digest', JSON.stringify({ ...prodWith, images: { ...prodWith.images, web: { ...prodWith.images.web, digest: 'nope' } } }), /prod\.json: image "web" has no valid digest/],
    ['one entry that is not an object', JSON.stringify({ ...prodWith, images: { ...prodWith.images, web: 'x' } }), /prod\.json: image "web" is not an object/],
    ['another schema', JSON.stringify({ ...prodWith, schemaVersion: 2 }), /prod\.json: is not a schemaVersion 1 release/],
  ])('a %s target release is an error naming it; nothing is promoted or written', async (_, text, error) => {
    await writeFile(join(dir, 'prod.json'), text);
    await expect(run()).rejects.toThrow(error);
    expect(await readFile(join(dir, 'prod.json'), 'utf8')).toBe(text);
  });
});

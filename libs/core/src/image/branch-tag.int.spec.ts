import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { runCommand } from '../process/run-command';
import { RegistryClient } from '../registry/client';
import { hasTag } from '../registry/tag-exists';
import { BRANCH_ENV } from '../tags/git-branch';
import { runImageTarget } from './run-image-target';

const environment = await checkEnvironment();

describe.skipIf(!environment.available)('the {branch} tag through runImageTarget (the executor and the hashdock command), real registry', () => {
  let dir = '';
  const namespace = `branch-int-${Date.now().toString(36)}`;
  const registry = new RegistryClient();
  // This process may run in CI, whose variables name a branch: start from none.
  const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !(BRANCH_ENV as readonly string[]).includes(name)));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-branch-int-'));
    await writeFile(join(dir, 'Dockerfile'), 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nCOPY a.txt /a.txt\n');
    await writeFile(join(dir, 'a.txt'), `a ${namespace}\n`);
    const git = (...args: string[]) => runCommand('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    await git('init', '-q', '-b', 'release/2.0');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = async (env: NodeJS.ProcessEnv) =>
    runImageTarget(
      { registry: 'localhost:5000', namespace, tags: ['{contentHash}', '{branch}'], buildArgs: { ROOT_IMAGE: await localRootImage() }, context: '.', dockerfile: 'Dockerfile' },
      { workspaceRoot: dir, projectName: 'svc', projectRoot: '.', workspaceImages: {}, env },
      () => undefined,
    );

  it('tags the image with the checked-out branch, then moves that tag for the branch CI names, to the same digest', async () => {
    const fromGit = await run(plainEnv);
    expect(fromGit.manifest.tags).toEqual([fromGit.manifest.contentHash, 'release-2.0']);
    const repository = `localhost:5000/${namespace}/svc`;
    expect(await hasTag(registry, repository, 'release-2.0')).toBe(fromGit.manifest.digest);
    // A pull request on GitHub: the head branch names the tag; nothing is built again.
    const fromCi = await run({ ...plainEnv, GITHUB_HEAD_REF: 'feature/login', GITHUB_REF_NAME: '7/merge' });
    expect(fromCi.manifest).toMatchObject({ status: 'exists', digest: fromGit.manifest.digest, tags: [fromGit.manifest.contentHash, 'feature-login'] });
    expect(await hasTag(registry, repository, 'feature-login')).toBe(fromGit.manifest.digest);
  });
});

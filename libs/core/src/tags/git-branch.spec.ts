import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../process/run-command';
import { branchFromEnv, branchTag, gitBranch } from './git-branch';

describe('{branch}', () => {
  it.each([
    [{ GITHUB_HEAD_REF: 'feature/login', GITHUB_REF_NAME: '42/merge' }, 'feature/login'],
    [{ GITHUB_REF_NAME: 'main', GITHUB_REF_TYPE: 'branch' }, 'main'],
    [{ GITHUB_REF_NAME: 'v1.2.0', GITHUB_REF_TYPE: 'tag' }, undefined],
    [{ CI_COMMIT_BRANCH: 'develop' }, 'develop'],
    [{ BUILDKITE_BRANCH: 'bk' }, 'bk'],
    [{ HASHDOCK_BRANCH: 'mine', GITHUB_HEAD_REF: 'theirs' }, 'mine'],
    [{}, undefined],
  ])('CI variables %j name %j', (env, expected) => {
    expect(branchFromEnv(env)).toBe(expected);
  });

  it.each([
    ['feature/login', 'feature-login'],
    ['renovate/node-24.x', 'renovate-node-24.x'],
    ['.hidden', 'hidden'],
    ['--', undefined],
    ['a'.repeat(200), 'a'.repeat(128)],
  ])('%s is the tag %s', (name, tag) => {
    expect(branchTag(name)).toBe(tag);
  });

  describe('from git, outside CI', () => {
    let repo = '';
    beforeAll(async () => {
      repo = await mkdtemp(join(tmpdir(), 'hashdock-branch-'));
      const git = (...args: string[]) => runCommand('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
      await git('init', '-q', '-b', 'feature/x');
      await writeFile(join(repo, 'f'), 'f');
      await git('add', 'f');
      await git('commit', '-q', '-m', 'f');
    });
    afterAll(() => rm(repo, { recursive: true, force: true }));

    it('reads the checked-out branch; a detached HEAD or no git gives none (the tag is skipped)', async () => {
      expect(await gitBranch(repo, {})).toBe('feature-x');
      expect(await gitBranch(repo, { GITHUB_HEAD_REF: 'pr/branch' })).toBe('pr-branch');
      await runCommand('git', ['checkout', '-q', '--detach'], { cwd: repo });
      expect(await gitBranch(repo, {})).toBeUndefined();
      expect(await gitBranch(tmpdir(), {})).toBeUndefined();
    });
  });
});

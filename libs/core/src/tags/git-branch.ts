import { runCommand } from '../process/run-command';

/**
 * Where CI runners name the branch being built (a CI checkout is usually a
 * detached HEAD): HASHDOCK_BRANCH first, then GitHub (a pull request's head
 * branch, else the pushed branch, never a tag), GitLab, Buildkite, CircleCI,
 * Bitbucket. Declared as Nx inputs of targets whose tags use `{branch}`.
 */
export const BRANCH_ENV = ['HASHDOCK_BRANCH', 'GITHUB_HEAD_REF', 'GITHUB_REF_NAME', 'GITHUB_REF_TYPE', 'CI_COMMIT_BRANCH', 'BUILDKITE_BRANCH', 'CIRCLE_BRANCH', 'BITBUCKET_BRANCH'] as const;

/** The runtime input for a checkout with no CI variables: the branch git has checked out (`HEAD` when detached). */
export const GIT_BRANCH_RUNTIME_INPUT = 'git rev-parse --abbrev-ref HEAD';

/** A branch name as a tag: what a tag may not hold becomes `-` (`feature/login` → `feature-login`); undefined when nothing is left. */
export function branchTag(name: string): string | undefined {
  const tag = name.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '').slice(0, 128);
  return tag || undefined;
}

/** The branch the CI environment names, if any (see BRANCH_ENV). */
export function branchFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HASHDOCK_BRANCH) return env.HASHDOCK_BRANCH;
  if (env.GITHUB_HEAD_REF) return env.GITHUB_HEAD_REF;
  if (env.GITHUB_REF_NAME && env.GITHUB_REF_TYPE !== 'tag') return env.GITHUB_REF_NAME;
  return env.CI_COMMIT_BRANCH || env.BUILDKITE_BRANCH || env.CIRCLE_BRANCH || env.BITBUCKET_BRANCH || undefined;
}

/** The `{branch}` tag value: from CI's variables, else git's checked-out branch; undefined when detached (the tag is then skipped). */
export async function gitBranch(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const named = branchFromEnv(env);
  if (named) return branchTag(named);
  try {
    const { stdout } = await runCommand('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd });
    const branch = stdout.trim();
    return branch && branch !== 'HEAD' ? branchTag(branch) : undefined;
  } catch {
    return undefined;
  }
}

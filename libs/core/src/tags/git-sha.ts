import { runCommand } from '../process/run-command';

/** Short commit of HEAD, or undefined outside a git checkout (the git-sha tag is then skipped). */
export async function gitShortSha(cwd: string, length = 12): Promise<string | undefined> {
  try {
    const { stdout } = await runCommand('git', ['rev-parse', `--short=${length}`, 'HEAD'], { cwd });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

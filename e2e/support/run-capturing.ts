import { CommandError, runCommand } from '@hashdock/core';

export interface CommandRun {
  exitCode: number;
  output: string;
}

/** Run a command; never throws on a non-zero exit, returns it with the combined output. */
export async function runCapturing(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<CommandRun> {
  try {
    const { stdout, stderr } = await runCommand(command, args, options);
    return { exitCode: 0, output: `${stdout}\n${stderr}` };
  } catch (error) {
    if (error instanceof CommandError) {
      const cause = error.cause as { stdout?: string; stderr?: string };
      return { exitCode: error.exitCode ?? -1, output: `${cause?.stdout ?? ''}\n${cause?.stderr ?? ''}` };
    }
    throw error;
  }
}

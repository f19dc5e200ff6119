import { HashdockError } from '../errors';

/** A subprocess that failed: names the (redacted) command, exit code and the tail of stderr. */
export class CommandError extends HashdockError {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stderrTail: string;

  constructor(
    details: { command: string; exitCode?: number; signal?: string; stderrTail: string },
    options?: { cause?: unknown },
  ) {
    const how = details.signal
      ? `was killed by ${details.signal}`
      : details.exitCode === undefined
        ? 'could not be started'
        : `exited with code ${details.exitCode}`;
    const tail = details.stderrTail ? `\n${details.stderrTail}` : '';
    super('COMMAND_FAILED', `Command \`${details.command}\` ${how}${tail}`, options);
    this.command = details.command;
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.stderrTail = details.stderrTail;
  }
}

export function isCommandError(value: unknown): value is CommandError {
  return value instanceof CommandError;
}

import { HashdockError } from '../errors';
import { isCommandError } from '../process/command-error';
import { runCommand } from '../process/run-command';

export class PulumiCliMissingError extends HashdockError {
  constructor(binary: string) {
    super(
      'PULUMI_CLI_MISSING',
      `The pulumi CLI (${binary}) is not installed or not on PATH. Install it: https://www.pulumi.com/docs/iac/download-install/ ` +
        '(macOS: brew install pulumi/tap/pulumi; Linux: curl -fsSL https://get.pulumi.com | sh; Windows: winget install pulumi), ' +
        'or set PULUMI_BINARY to its path. The image targets this deploy depends on have already run.',
    );
  }
}

export interface RunPulumiOptions {
  command: 'preview' | 'up';
  stack: string;
  /** Directory of Pulumi.yaml. */
  cwd: string;
  backendUrl: string;
  binary?: string;
  env?: NodeJS.ProcessEnv;
}

/** The argv for each step: select (or create) the stack, then preview or up. Pure, for tests. */
export function pulumiSteps(options: Pick<RunPulumiOptions, 'command' | 'stack'>): string[][] {
  const run = options.command === 'up' ? ['up', '--yes', '--skip-preview', '--stack', options.stack] : ['preview', '--stack', options.stack];
  return [['stack', 'select', '--create', options.stack, '--non-interactive'], [...run, '--non-interactive']];
}

/** Run the pulumi CLI against a backend (local by default); a clear error when the CLI is missing. */
export async function runPulumi(options: RunPulumiOptions): Promise<void> {
  const env = options.env ?? process.env;
  const binary = options.binary ?? env.PULUMI_BINARY ?? 'pulumi';
  try {
    await runCommand(binary, ['version'], { timeoutMs: 30_000 });
  } catch (error) {
    if (isCommandError(error) && error.exitCode === undefined && !error.signal) throw new PulumiCliMissingError(binary);
    throw error;
  }
  // The local backend encrypts secrets with a passphrase; an empty one is Pulumi's documented default for local use.
  const extra: Record<string, string> = { PULUMI_BACKEND_URL: options.backendUrl };
  if (env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) extra.PULUMI_CONFIG_PASSPHRASE = '';
  for (const step of pulumiSteps(options)) await runCommand(binary, step, { cwd: options.cwd, env: extra, stream: true });
}

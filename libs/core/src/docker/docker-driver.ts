import { existsSync } from 'node:fs';
import { runCommand } from '../process/run-command';
import { buildCommandArgs, BuildCommandOptions } from './build-args';

export interface DockerDriverOptions {
  /** The docker client binary; defaults to HASHDOCK_DOCKER, then Debian's /usr/bin/docker, then `docker`. */
  binary?: string;
  /** Extra environment for every docker command (e.g. DOCKER_CONFIG). */
  env?: Record<string, string>;
  /** Stream docker's output to ours. */
  stream?: boolean;
}

export function defaultDockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HASHDOCK_DOCKER) return env.HASHDOCK_DOCKER;
  // Debian's docker.io client has BuildKit built in; a newer client without buildx falls back to the legacy builder.
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

/** Thin driver over the docker CLI: argument arrays, BuildKit on, errors naming the command. */
export class DockerDriver {
  readonly binary: string;
  private readonly env: Record<string, string>;
  private readonly stream: boolean;

  constructor(options: DockerDriverOptions = {}) {
    this.binary = options.binary ?? defaultDockerBinary();
    this.env = { DOCKER_BUILDKIT: '1', ...options.env };
    this.stream = options.stream ?? false;
  }

  async build(options: BuildCommandOptions, extraEnv: Record<string, string> = {}, signal?: AbortSignal): Promise<void> {
    await runCommand(this.binary, buildCommandArgs(options), {
      env: { ...this.env, ...extraEnv },
      stream: this.stream,
      signal,
    });
  }

  async push(reference: string): Promise<void> {
    await runCommand(this.binary, ['push', reference], { env: this.env, stream: this.stream });
  }

  async pull(reference: string): Promise<void> {
    await runCommand(this.binary, ['pull', '--quiet', reference], { env: this.env });
  }

  async imageExists(reference: string): Promise<boolean> {
    try {
      await runCommand(this.binary, ['image', 'inspect', '--format', '{{.Id}}', reference], { env: this.env });
      return true;
    } catch {
      return false;
    }
  }

  async ping(): Promise<void> {
    await runCommand(this.binary, ['version', '--format', '{{.Server.Version}}'], { env: this.env, timeoutMs: 15_000 });
  }
}

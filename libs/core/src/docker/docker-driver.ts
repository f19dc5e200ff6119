import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../process/run-command';
import { buildCommandArgs, BuildCommandOptions } from './build-args';

export interface DockerDriverOptions {
  /** The docker client binary; defaults to HASHDOCK_DOCKER, then Debian's /usr/bin/docker, then `docker`. */
  binary?: string;
  /** Extra environment for every docker command (e.g. DOCKER_CONFIG). */
  env?: Record<string, string>;
  /** Stream docker's output to ours. */
  stream?: boolean;
  /** Build with `docker buildx build` (default: when the buildx plugin is installed). */
  buildx?: boolean;
}

export function defaultDockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HASHDOCK_DOCKER) return env.HASHDOCK_DOCKER;
  // Debian's docker.io client has BuildKit built in; a newer client without buildx falls back to the legacy builder.
  return existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
}

/**
 * Whether the buildx CLI plugin is installed where docker looks for plugins.
 * Builds go through it when it is: its context walker is current BuildKit's,
 * the one Hashdock's context hash follows (Docker 20.10's built-in client walks differently).
 */
export function buildxInstalled(env: NodeJS.ProcessEnv = process.env): boolean {
  const dirs = [
    join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'cli-plugins'),
    '/usr/local/lib/docker/cli-plugins',
    '/usr/local/libexec/docker/cli-plugins',
    '/usr/lib/docker/cli-plugins',
    '/usr/libexec/docker/cli-plugins',
  ];
  return dirs.some((dir) => existsSync(join(dir, 'docker-buildx')));
}

const TRANSIENT_PUSH_FAILURE = /unexpected HTTP status: 5\d\d|Internal Server Error|connection reset by peer|unexpected EOF/i;

/** Thin driver over the docker CLI: argument arrays, BuildKit on, errors naming the command. */
export class DockerDriver {
  readonly binary: string;
  private readonly env: Record<string, string>;
  private readonly stream: boolean;
  readonly buildx: boolean;

  constructor(options: DockerDriverOptions = {}) {
    this.binary = options.binary ?? defaultDockerBinary();
    this.env = { DOCKER_BUILDKIT: '1', ...options.env };
    this.stream = options.stream ?? false;
    this.buildx = options.buildx ?? buildxInstalled({ ...process.env, ...options.env });
  }

  async build(options: BuildCommandOptions, extraEnv: Record<string, string> = {}, signal?: AbortSignal): Promise<void> {
    // With buildx, --load: the push after it reads docker's image store, which a docker-container builder does not fill unasked.
    await runCommand(this.binary, [...(this.buildx ? ['buildx'] : []), ...buildCommandArgs({ ...options, ...(this.buildx ? { load: true } : {}) })], {
      env: { ...this.env, ...extraEnv },
      stream: this.stream,
      signal,
    });
  }

  /**
   * `docker push`, again (up to 3 times) when the registry failed on its side:
   * Distribution answers 500 ("invalid checksum digest format") when two
   * pushes write the same layer link at once. A push is idempotent.
   */
  async push(reference: string, signal?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await runCommand(this.binary, ['push', reference], { env: this.env, stream: this.stream, signal });
        return;
      } catch (error) {
        if (attempt >= 3 || signal?.aborted || !TRANSIENT_PUSH_FAILURE.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
  }

  async pull(reference: string, signal?: AbortSignal): Promise<void> {
    await runCommand(this.binary, ['pull', '--quiet', reference], { env: this.env, signal });
  }

  async tag(source: string, target: string): Promise<void> {
    await runCommand(this.binary, ['tag', source, target], { env: this.env });
  }

  /** Remove a local name (the image stays while another name or a container uses it). */
  async untag(reference: string): Promise<void> {
    await runCommand(this.binary, ['image', 'rm', '--no-prune', reference], { env: this.env });
  }

  async imageExists(reference: string): Promise<boolean> {
    try {
      await runCommand(this.binary, ['image', 'inspect', '--format', '{{.Id}}', reference], { env: this.env });
      return true;
    } catch {
      return false;
    }
  }

  /** `docker run` with these arguments, its output ours (nothing captured: it may run until stopped). */
  async run(args: readonly string[], signal?: AbortSignal): Promise<void> {
    await runCommand(this.binary, ['run', ...args], { env: this.env, inherit: true, signal });
  }

  /** Remove a container, running or not; none of that name is no error. */
  async removeContainer(name: string): Promise<void> {
    await runCommand(this.binary, ['rm', '--force', name], { env: this.env }).catch((error: Error) => {
      if (!/No such container/i.test(error.message)) throw error;
    });
  }

  async ping(): Promise<void> {
    await runCommand(this.binary, ['version', '--format', '{{.Server.Version}}'], { env: this.env, timeoutMs: 15_000 });
  }
}

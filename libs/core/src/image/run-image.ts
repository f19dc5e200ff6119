import { DockerDriver } from '../docker/docker-driver';
import { InvalidOptionError } from '../errors';
import { ImageManifest, ManifestError, manifestPath, readManifest } from '../manifest/image-manifest';

export interface RunImageOptions {
  /** Absolute directory of the image manifests. */
  manifestDir: string;
  /** The image to run (its manifest's name: the project's, or `<project>-<suffix>`). */
  image: string;
  /** `docker run --publish` values: `3000:3000`, `127.0.0.1:8080:3000`, `9229:9229/tcp`. */
  ports?: readonly string[];
  /** Names of environment variables passed to the container from this one's (never values: they would show in logs). */
  env?: readonly string[];
  /** More `docker run` arguments, before the image. */
  args?: readonly string[];
  /** The command and its arguments, after the image (default: the image's own). */
  command?: readonly string[];
  docker: DockerDriver;
  /** Stops the container (and removes it) when aborted. */
  signal?: AbortSignal;
  /** Distinguishes this run's container from others of the same image (default: this process id). */
  runId?: string;
}

const PORT = /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]):)?(?:\d{1,5}(?:-\d{1,5})?:)?\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp|sctp))?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What to run: the digest the manifest records when it was pushed, else the local image a --no-push build left. */
export function runReference(manifest: ImageManifest, path: string): string {
  if (manifest.ref) return manifest.ref;
  if (manifest.status === 'built') return `${manifest.repository}:${manifest.contentHash}`;
  throw new ManifestError(path, `image "${manifest.image ?? manifest.project}" was planned, not built (a dry run); run its image target without --dryRun first`);
}

/** `docker run` arguments (after `run`): removed on exit, signals reach the command through an init, named so a stop can remove it. */
export function dockerRunArgs(reference: string, name: string, options: Pick<RunImageOptions, 'ports' | 'env' | 'args' | 'command'>): string[] {
  for (const port of options.ports ?? []) {
    if (!PORT.test(port)) throw new InvalidOptionError('ports', `Port "${port}" is not a docker --publish value ([ip:][hostPort:]containerPort[/protocol], e.g. 3000:3000)`);
  }
  for (const name of options.env ?? []) {
    // Never echoed past an "=": what follows may be a secret.
    const shown = name.includes('=') ? `${name.slice(0, name.indexOf('='))}=…` : name;
    if (!ENV_NAME.test(name))
      throw new InvalidOptionError('env', `"${shown}" is not an environment variable name: env takes names, whose values the container gets from this environment (a value here would show in logs)`);
  }
  return [
    '--rm',
    '--init',
    '--name',
    name,
    ...(options.ports ?? []).flatMap((port) => ['--publish', port]),
    ...(options.env ?? []).flatMap((variable) => ['--env', variable]),
    ...(options.args ?? []),
    reference,
    ...(options.command ?? []),
  ];
}

/** A container name docker accepts, from the image and the run. */
export function containerName(image: string, runId: string): string {
  return `hashdock-run-${image}-${runId}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/**
 * Run an image target's result as a container, by the digest its manifest records (docker pulls it when it is not
 * local), until it exits or `signal` stops it. However the run ends, its container goes with it: `--rm` removes it
 * when the docker client sees it exit, and the named container is removed after, for a client that was killed
 * (SIGKILL, a stop that reached the client first) while the container ran on.
 */
export async function runImage(options: RunImageOptions): Promise<void> {
  const path = manifestPath(options.manifestDir, options.image);
  const manifest = await readManifest(path);
  const name = containerName(options.image, options.runId ?? String(process.pid));
  const args = dockerRunArgs(runReference(manifest, path), name, options);
  let failure: unknown;
  try {
    await options.docker.run(args, options.signal);
  } catch (error) {
    if (!options.signal?.aborted) failure = error;
  }
  // No container of that name (the usual end: --rm took it) is no error; a removal that fails never hides why the run did.
  try {
    await options.docker.removeContainer(name);
  } catch (error) {
    if (failure === undefined) throw error;
  }
  if (failure !== undefined) throw failure;
}

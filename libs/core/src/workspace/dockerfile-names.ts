import { posix } from 'node:path';
import { HashdockError } from '../errors';

export { DOCKERFILE_GLOB } from '../names';

/** The names BuildKit and Podman give a build file: `Containerfile` is Podman's, and docker builds it with `--file` alike. */
const BUILD_FILE_NAMES = ['Dockerfile', 'Containerfile'] as const;
const SUFFIX = /\.([Dd]ockerfile|[Cc]ontainerfile)$/;

/**
 * `dockerfile`: what docker and BuildKit read when a folder has no `Dockerfile` (moby/moby#10858, read in BuildKit's
 * dockerui): a folder with both builds `Dockerfile` (see withoutShadowed).
 */
const LOWERCASE_DEFAULT = 'dockerfile';

/** Whether a file name is a Dockerfile or Containerfile (BuildKit's `<Dockerfile>.dockerignore` is not). */
export function isDockerfileName(name: string): boolean {
  if (name === LOWERCASE_DEFAULT) return true;
  if (name.endsWith('.dockerignore')) return false;
  return BUILD_FILE_NAMES.some((base) => name === base || (name.startsWith(`${base}.`) && name.length > base.length + 1)) || (SUFFIX.exec(name)?.index ?? 0) > 0;
}

/**
 * The variant a Dockerfile stands for within its project, from its path:
 * `Dockerfile` → '', `Dockerfile.dev` → 'dev', `worker.Dockerfile` → 'worker',
 * `docker/Dockerfile` → 'docker', `deploy/api.Dockerfile` → 'deploy-api';
 * `Containerfile` names the same way.
 */
export function dockerfileVariant(projectRoot: string, dockerfile: string): string {
  const relative = projectRoot === '.' ? dockerfile : posix.relative(projectRoot, dockerfile);
  const name = posix.basename(relative);
  const base = name === LOWERCASE_DEFAULT ? name : BUILD_FILE_NAMES.find((candidate) => name === candidate || name.startsWith(`${candidate}.`));
  const stem = name === base ? '' : base ? name.slice(base.length + 1) : name.replace(SUFFIX, '');
  const dirs = posix.dirname(relative) === '.' ? [] : posix.dirname(relative).split('/');
  return [...dirs, stem]
    .filter(Boolean)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The variant of each of one project's Dockerfiles, as its image targets are named: none for its only one; else
 * dockerfileVariant's, except that a Dockerfile named after the project (its folder or its name, npm scope dropped:
 * makeplane/plane's `apps/web/Dockerfile.web` beside `Dockerfile.dev`) is its main one when no plain `Dockerfile` is
 * beside it: `image`, repository `web`, not `image-web` and `web-web`.
 */
export function projectDockerfileVariants(projectRoot: string, projectName: string | undefined, dockerfiles: readonly string[]): Map<string, string> {
  const variants = new Map(dockerfiles.map((dockerfile) => [dockerfile, dockerfiles.length === 1 ? '' : dockerfileVariant(projectRoot, dockerfile)]));
  if ([...variants.values()].includes('')) return variants;
  const own = new Set([posix.basename(projectRoot), projectName?.replace(/^@[^/]+\//, '') ?? ''].map((name) => dockerfileVariant('.', `Dockerfile.${name}`)).filter(Boolean));
  const named = [...variants].filter(([, variant]) => own.has(variant));
  if (named.length === 1) variants.set(named[0][0], '');
  return variants;
}

/** Workspace paths of Dockerfiles, less each lowercase `dockerfile` beside a `Dockerfile` (docker never reads it). */
export function withoutShadowed(dockerfiles: readonly string[]): string[] {
  const all = new Set(dockerfiles);
  return dockerfiles.filter((path) => posix.basename(path) !== LOWERCASE_DEFAULT || !all.has(posix.join(posix.dirname(path), 'Dockerfile')));
}

export class DockerfileVariantClashError extends HashdockError {
  constructor(project: string, first: string, second: string, variant: string) {
    super(
      'DOCKERFILE_VARIANT_CLASH',
      `Project "${project}": ${first} and ${second} both name the image variant "${variant || '(main)'}". ` +
        'Rename one of them, or give each image target its own "name" option in project.json.',
    );
  }
}

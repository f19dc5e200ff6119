import { posix } from 'node:path';
import { HashdockError } from '../errors';

export { DOCKERFILE_GLOB } from '../names';

/** Whether a file name is a Dockerfile (BuildKit's `<Dockerfile>.dockerignore` is not). */
export function isDockerfileName(name: string): boolean {
  if (name.endsWith('.dockerignore')) return false;
  return name === 'Dockerfile' || (name.startsWith('Dockerfile.') && name.length > 'Dockerfile.'.length) || /^.+\.[Dd]ockerfile$/.test(name);
}

/**
 * The variant a Dockerfile stands for within its project, from its path:
 * `Dockerfile` → '', `Dockerfile.dev` → 'dev', `worker.Dockerfile` → 'worker',
 * `docker/Dockerfile` → 'docker', `deploy/api.Dockerfile` → 'deploy-api'.
 */
export function dockerfileVariant(projectRoot: string, dockerfile: string): string {
  const relative = projectRoot === '.' ? dockerfile : posix.relative(projectRoot, dockerfile);
  const name = posix.basename(relative);
  const stem = name === 'Dockerfile' ? '' : name.startsWith('Dockerfile.') ? name.slice('Dockerfile.'.length) : name.replace(/\.[Dd]ockerfile$/, '');
  const dirs = posix.dirname(relative) === '.' ? [] : posix.dirname(relative).split('/');
  return [...dirs, stem]
    .filter(Boolean)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
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

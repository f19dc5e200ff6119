import { describe, expect, it } from 'vitest';
import { projectDockerfileVariants } from './dockerfile-names';

describe('projectDockerfileVariants', () => {
  const variants = (root: string, name: string | undefined, files: string[]) => Object.fromEntries(projectDockerfileVariants(root, name, files));

  it('a Dockerfile named after its project is its main one when no plain Dockerfile is beside it (makeplane/plane)', () => {
    expect(variants('apps/web', 'web', ['apps/web/Dockerfile.dev', 'apps/web/Dockerfile.web'])).toEqual({ 'apps/web/Dockerfile.dev': 'dev', 'apps/web/Dockerfile.web': '' });
    // By its folder or by its name, npm scope dropped.
    expect(variants('apps/api', 'plane-api', ['apps/api/Dockerfile.api', 'apps/api/Dockerfile.dev'])['apps/api/Dockerfile.api']).toBe('');
    expect(variants('apps/backend', '@acme/api', ['apps/backend/api.Dockerfile', 'apps/backend/worker.Dockerfile'])['apps/backend/api.Dockerfile']).toBe('');
  });

  it('keeps the variants as they are beside a plain Dockerfile, for one Dockerfile, and when two are named after the project', () => {
    expect(variants('apps/web', 'web', ['apps/web/Dockerfile', 'apps/web/Dockerfile.web'])).toEqual({ 'apps/web/Dockerfile': '', 'apps/web/Dockerfile.web': 'web' });
    expect(variants('apps/web', 'web', ['apps/web/Dockerfile.prod'])).toEqual({ 'apps/web/Dockerfile.prod': '' });
    expect(variants('apps/api', 'plane-api', ['apps/api/Dockerfile.api', 'apps/api/Dockerfile.plane-api'])).toEqual({ 'apps/api/Dockerfile.api': 'api', 'apps/api/Dockerfile.plane-api': 'plane-api' });
    expect(variants('apps/remix', 'remix', ['apps/remix/Dockerfile.bun', 'apps/remix/Dockerfile.pnpm'])).toEqual({ 'apps/remix/Dockerfile.bun': 'bun', 'apps/remix/Dockerfile.pnpm': 'pnpm' });
  });
});

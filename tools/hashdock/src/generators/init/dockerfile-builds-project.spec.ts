import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { describe, expect, it } from 'vitest';
import { dockerfileBuildsProject } from './dockerfile-builds-project';

describe('dockerfileBuildsProject: the project a Dockerfile RUNs the build of', () => {
  const workspace = () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('package.json', JSON.stringify({ name: 'acme', workspaces: ['apps/*', 'libs/*'] }));
    tree.write('apps/web/package.json', JSON.stringify({ name: '@acme/web', dependencies: { '@acme/ui': '*' } }));
    tree.write('apps/api/package.json', JSON.stringify({ name: 'api' }));
    tree.write('libs/ui/package.json', JSON.stringify({ name: '@acme/ui' }));
    return tree;
  };
  const builds = (run: string) => {
    const tree = workspace();
    tree.write('Dockerfile.x', `FROM node:24-slim\nCOPY . .\n${run}\n`);
    return dockerfileBuildsProject(tree, 'Dockerfile.x');
  };

  it.each([
    ['RUN turbo prune @acme/web --docker', 'apps/web'],
    ['RUN turbo prune --scope=web --docker && pnpm turbo run build --filter=@acme/web', 'apps/web'],
    ['RUN npx nx build api --prod', 'apps/api'],
    ['RUN npx nx run api:build:production', 'apps/api'],
    ['RUN npm run build -w apps/api', 'apps/api'],
    ['RUN npm run build --workspace=api', 'apps/api'],
    ['RUN yarn workspace @acme/web build', 'apps/web'],
    ['RUN pnpm -F "@acme/web..." build', 'apps/web'],
    // The library it is built on, then the app: the app.
    ['RUN pnpm --filter @acme/ui build\nRUN pnpm --filter ./apps/web build', 'apps/web'],
  ])('%s: %s', (run, root) => {
    expect(builds(run)).toBe(root);
  });

  it('none when two unrelated projects are built, or none is named', () => {
    expect(builds('RUN pnpm --filter ./apps/web build && pnpm --filter api build')).toBeUndefined();
    expect(builds('RUN npm ci && npm run build')).toBeUndefined();
    expect(builds('RUN pnpm --filter=./apps/unknown build')).toBeUndefined();
  });
});

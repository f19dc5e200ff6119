import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingCopySourceError } from '../errors';
import { buildOutputHint, rootContextHint } from './root-context-hint';

describe('rootContextHint', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-root-hint-'));
    await mkdir(join(root, 'dist/apps/api'), { recursive: true });
    await writeFile(join(root, 'dist/apps/api/main.js'), '');
    await mkdir(join(root, 'apps/api'), { recursive: true });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const missing = (source: string, contextDir = join(root, 'apps/api')) => new MissingCopySourceError(join(root, 'apps/api/Dockerfile'), 4, source, contextDir);

  it('says a source found from the workspace root means the Dockerfile is written for the root context, and how to build from it', () => {
    const hinted = rootContextHint(missing('dist/apps/api'), root) as MissingCopySourceError;
    expect(hinted).toBeInstanceOf(MissingCopySourceError);
    expect(hinted.message).toBe(
      `${join(root, 'apps/api/Dockerfile')}:4: COPY/ADD source "dist/apps/api" is not in the build context ${join(root, 'apps/api')} (it does not exist, or .dockerignore leaves it out). ` +
        '"dist/apps/api" is there from the workspace root: this Dockerfile is written for the workspace root as its context (docker build -f apps/api/Dockerfile .). ' +
        'Set the plugin option "context": "workspace" in nx.json (nx g @hashdock/nx-plugin:init --context=workspace), or this target\'s "context": "{workspaceRoot}".',
    );
    expect(hinted.cause).toBeInstanceOf(MissingCopySourceError);
  });

  it('leaves the error as it is when the source is nowhere, when the context already is the root, for a one-segment source, and for other errors', async () => {
    const nowhere = missing('meta');
    expect(rootContextHint(nowhere, root)).toBe(nowhere);
    const atRoot = missing('dist/apps/web', root);
    expect(rootContextHint(atRoot, root)).toBe(atRoot);
    // `dist` alone is at the root of most Nx workspaces (their output folder) whatever the Dockerfile meant: no guess.
    await mkdir(join(root, 'dist'), { recursive: true });
    const lone = missing('dist');
    expect(rootContextHint(lone, root)).toBe(lone);
    const other = new Error('x');
    expect(rootContextHint(other, root)).toBe(other);
    expect((rootContextHint(nowhere, root) as Error).message).toContain('Build what produces it first, or fix the path.');
    // A named build context's source is no sign the Dockerfile is written for the root.
    const named = new MissingCopySourceError(join(root, 'apps/api/Dockerfile'), 4, 'dist/apps/api', join(root, 'apps/api'), undefined, { named: 'api' });
    expect(rootContextHint(named, root)).toBe(named);
  });
});

describe('buildOutputHint', () => {
  const root = '/ws';
  const missing = (source: string, context = 'apps/api') => new MissingCopySourceError(`${root}/apps/api/Dockerfile`, 15, source, `${root}/${context}`);

  it("names where the tasks the image depends on write when all of it is outside the context (Nx's generated `COPY dist .` for a build to dist/apps/api)", () => {
    const hinted = buildOutputHint(missing('dist'), root, [{ task: 'api:build', paths: ['dist/apps/api'] }, { task: 'api:prune', paths: [] }]) as MissingCopySourceError;
    expect(hinted.message).toBe(
      `${root}/apps/api/Dockerfile:15: COPY/ADD source "dist" is not in the build context ${root}/apps/api (it does not exist, or .dockerignore leaves it out). ` +
        'The tasks it depends on write only outside the context apps/api: api:build writes dist/apps/api. Build from the workspace root and copy that path ' +
        '("context": "workspace", COPY dist/apps/api …), or have the build write apps/api/dist (its output path).',
    );
    expect(hinted.cause).toBeInstanceOf(MissingCopySourceError);
  });

  it('leaves the error as it is when some output is inside the context, when nothing is written, when another hint explains it, and for other errors', () => {
    const inside = missing('dist');
    expect(buildOutputHint(inside, root, [{ task: 'api:build', paths: ['apps/api/dist'] }])).toBe(inside);
    expect(buildOutputHint(inside, root, [{ task: 'api:build', paths: ['dist/apps/api', 'apps/api/dist'] }])).toBe(inside);
    expect(buildOutputHint(inside, root, [])).toBe(inside);
    const fromRoot = missing('dist', '.');
    expect(buildOutputHint(fromRoot, root, [{ task: 'api:build', paths: ['dist/apps/api'] }])).toBe(fromRoot);
    const explained = new MissingCopySourceError(inside.dockerfile, 15, 'dist/apps/api', inside.contextDir, 'written for the root', { cause: inside });
    expect(buildOutputHint(explained, root, [{ task: 'api:build', paths: ['dist/apps/api'] }])).toBe(explained);
    const other = new Error('x');
    expect(buildOutputHint(other, root, [{ task: 'api:build', paths: ['dist/apps/api'] }])).toBe(other);
    const named = new MissingCopySourceError(inside.dockerfile, 15, 'dist', inside.contextDir, undefined, { named: 'api' });
    expect(buildOutputHint(named, root, [{ task: 'api:build', paths: ['dist/apps/api'] }])).toBe(named);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MissingCopySourceError } from '../errors';
import { rootContextHint } from './root-context-hint';

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
  });
});

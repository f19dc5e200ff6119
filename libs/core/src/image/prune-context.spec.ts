import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MissingCopySourceError } from '../errors';
import { contentHash } from '../hash/content-hash';
import { projectsLeftOut, prunedIgnore, prunedSourceHint, WorkspaceProjectGraph } from './prune-context';

const graph: WorkspaceProjectGraph = {
  roots: { workspace: '.', api: 'apps/api', indexer: 'apps/indexer', shared: 'libs/shared', util: 'libs/util', tools: 'tools', plugin: 'tools/plugin' },
  dependencies: { api: ['shared'], shared: ['util'], indexer: ['shared'], plugin: ['api'] },
};

describe('projectsLeftOut', () => {
  it('leaves out every project the image project does not depend on, directly or through another', () => {
    // (A nested project left out keeps its own package.json line: both are listed.)
    expect(projectsLeftOut('apps/indexer', graph)).toEqual(['apps/api', 'tools', 'tools/plugin']);
    expect(projectsLeftOut('libs/util', graph)).toEqual(['apps/api', 'apps/indexer', 'libs/shared', 'tools', 'tools/plugin']);
  });

  it('never leaves out the workspace root project, nor a folder holding a kept project', () => {
    // plugin depends on api: tools holds plugin, so tools stays; the root project's files are the ones no project owns.
    expect(projectsLeftOut('tools/plugin', graph)).toEqual(['apps/indexer']);
  });

  it('takes a project the graph does not know as depending on nothing', () => {
    expect(projectsLeftOut('apps/new', graph)).toEqual(['apps/api', 'apps/indexer', 'libs/shared', 'libs/util', 'tools', 'tools/plugin']);
  });
});

describe('prunedIgnore and the content hash', () => {
  let root = '';
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-prune-'));
    await write('package.json', '{"workspaces":["apps/*","libs/*"]}');
    await write('apps/api/Dockerfile', 'FROM scratch\nCOPY . /app\n');
    await write('apps/api/src/main.ts', 'api');
    await write('apps/indexer/package.json', '{"name":"indexer"}');
    await write('apps/indexer/src/main.ts', 'indexer');
    await write('apps/indexer/node_modules/x/index.js', 'x');
    await write('libs/shared/src/index.ts', 'shared');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const dockerfile = () => join(root, 'apps/api/Dockerfile');
  const hash = async (leaveOut: string[]) => {
    const pruned = await prunedIgnore(root, dockerfile(), root, leaveOut);
    return contentHash({ contextDir: root, dockerfile: dockerfile(), platform: 'linux/amd64', ...(pruned ? { ignoreText: pruned.text } : {}) });
  };

  it("appends the left-out projects' lines after the user's own, keeping each package.json", async () => {
    await write('.dockerignore', '**/node_modules\n!apps/indexer/node_modules/x'); // no final newline
    const pruned = await prunedIgnore(root, dockerfile(), root, ['apps/indexer']);
    expect(pruned?.leftOut).toEqual(['apps/indexer']);
    expect(pruned?.text).toBe(
      '**/node_modules\n!apps/indexer/node_modules/x\n# hashdock pruneContext: the sources of projects this image does not depend on\napps/indexer/*\n!apps/indexer/package.json\n',
    );
  });

  it("keeps a package.json the user's lines leave out out, and skips roots outside the context or not literal", async () => {
    await write('apps/.dockerignore', '**/package.json\n');
    const pruned = await prunedIgnore(join(root, 'apps'), dockerfile(), root, ['apps/indexer', 'libs/shared', 'apps/we[ird]']);
    expect(pruned?.leftOut).toEqual(['apps/indexer']);
    expect(pruned?.text.split('\n').slice(-3)).toEqual(['# hashdock pruneContext: the sources of projects this image does not depend on', 'indexer/*', '']);
    expect(await prunedIgnore(join(root, 'apps'), dockerfile(), root, ['libs/shared'])).toBeUndefined();
  });

  it('leaves the sources out of the hash: an edit there changes nothing, its package.json or a kept project does', async () => {
    const before = await hash(['apps/indexer']);
    expect(before.context.map((entry) => entry.path).filter((path) => path.startsWith('apps/indexer'))).toEqual(['apps/indexer', 'apps/indexer/package.json']);
    await write('apps/indexer/src/main.ts', 'indexer, edited');
    expect((await hash(['apps/indexer'])).hash).toBe(before.hash);
    await write('apps/indexer/package.json', '{"name":"indexer","version":"2.0.0"}');
    const manifestEdit = await hash(['apps/indexer']);
    expect(manifestEdit.hash).not.toBe(before.hash);
    await write('libs/shared/src/index.ts', 'shared, edited');
    expect((await hash(['apps/indexer'])).hash).not.toBe(manifestEdit.hash);
    // Unpruned, the indexer's sources are in the image.
    expect((await hash([])).context.some((entry) => entry.path === 'apps/indexer/src/main.ts')).toBe(true);
  });

  it('names the left-out project when a COPY source is missing because of it', () => {
    const error = new MissingCopySourceError(dockerfile(), 3, 'apps/indexer/src', root);
    const hinted = prunedSourceHint(error, root, ['apps/indexer']) as MissingCopySourceError;
    expect(hinted.message).toContain('pruneContext leaves apps/indexer out: this project does not depend on the project there in the project graph.');
    expect(hinted.cause).toBe(error);
    expect(prunedSourceHint(error, root, ['libs/shared'])).toBe(error);
  });
});

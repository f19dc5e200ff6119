import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../process/run-command';
import { sourcesNxCannotSee, unseenSourcesWarning } from './unseen-sources';

describe('sourcesNxCannotSee', () => {
  let root = '';
  const write = async (path: string, text = 'x\n') => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-unseen-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const git = (...args: string[]) => runCommand('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', ...args], { cwd: root });

  it("names the copied files .gitignore or .nxignore leave out of Nx's view, tracked or not, that are no dependency's output", async () => {
    await git('init', '-q');
    await write('.gitignore', '.env*\ndist/\nvendor/\n');
    await write('.nxignore', 'generated/\n');
    await write('apps/api/.env.build');
    await write('apps/api/src/main.js');
    await write('apps/api/dist/main.js');
    await write('generated/schema.json');
    await write('vendor/tracked.js');
    await git('add', '-A');
    await git('add', '-f', 'vendor/tracked.js');
    await git('commit', '-qm', 'one');
    const copied = ['apps/api/.env.build', 'apps/api/src/main.js', 'apps/api/dist/main.js', 'generated/schema.json', 'vendor/tracked.js'];
    // dist is what api:build outputs: Nx sees it through dependentTasksOutputFiles. Nx walks the disk with the ignore
    // files and never reads git's index: a tracked file they match (force-added, or tracked before the rule) is unseen too.
    expect(await sourcesNxCannotSee(root, copied, ['apps/api/dist'])).toEqual(['apps/api/.env.build', 'generated/schema.json', 'vendor/tracked.js']);
    expect(await sourcesNxCannotSee(root, ['apps/api/src/main.js'], [])).toEqual([]);
  });

  it('is empty outside a git checkout, and without candidates runs nothing', async () => {
    await write('.env');
    expect(await sourcesNxCannotSee(root, ['.env'], [])).toEqual([]);
    expect(await sourcesNxCannotSee('/nonexistent-hashdock-dir', ['a'], ['a'])).toEqual([]);
  });

  it('says a folder with more than three such files once, with the count', () => {
    const many = Array.from({ length: 5 }, (_, i) => `node_modules/x/${i}.js`);
    expect(unseenSourcesWarning('api', [])).toBeUndefined();
    expect(unseenSourcesWarning('api', ['.env', ...many])).toBe(
      'hashdock: warning: api copies 6 files that git ignores (or .nxignore) and no task it depends on outputs: .env, node_modules/ (5 files). ' +
        "Nx's task hash cannot see them, so an edit to them alone replays the cached image. Make them the output of a task the image depends on, " +
        'set the plugin option "hashIgnoredSources": true (Nx 23.3+ hashes them from disk), or leave them out with .dockerignore.',
    );
  });
});

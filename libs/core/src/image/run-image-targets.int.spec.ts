import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { runCommand } from '../process/run-command';
import { ImageTask, ImageTaskResult, runImageTargets } from './run-image-targets';

const environment = await checkEnvironment();

describe.skipIf(!environment.available)('runImageTargets (the batch executor), real registry', () => {
  let dir = '';
  const namespace = `batch-int-${Date.now().toString(36)}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-batch-int-'));
    for (const app of ['a', 'b', 'c']) {
      await mkdir(join(dir, 'apps', app), { recursive: true });
      // c also downloads something nothing pins.
      const download = app === 'c' ? 'ADD https://127.0.0.1:9/tool.tgz /opt/\n' : '';
      await writeFile(join(dir, 'apps', app, 'Dockerfile'), `ARG ROOT_IMAGE\nFROM \${ROOT_IMAGE}\nCOPY ${app === 'c' ? 'main.txt' : `apps/${app}/main.txt`} /main.txt\n${download}`);
      await writeFile(join(dir, 'apps', app, 'main.txt'), `${app}\n`);
    }
    await runCommand('git', ['init', '-q'], { cwd: dir });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('warns once about a context the batch\'s images share (no .dockerignore, .git in it), in the first image\'s output, and about an unpinned download', async () => {
    const rootImage = await localRootImage();
    const task = (app: string, context: string): ImageTask => ({
      id: `${app}:image`,
      options: { registry: 'localhost:5000', namespace, name: app, tags: ['{contentHash}'], buildArgs: { ROOT_IMAGE: rootImage }, context, dockerfile: `apps/${app}/Dockerfile`, dryRun: true },
      facts: { workspaceRoot: dir, projectName: app, projectRoot: `apps/${app}`, workspaceImages: {}, env: process.env },
      dependsOn: [],
    });
    const results: ImageTaskResult[] = [];
    // a and b from the workspace root (which holds .git), c from its own folder.
    for await (const result of runImageTargets([task('a', '.'), task('b', '.'), task('c', 'apps/c')], 1)) results.push(result);
    expect(results.map((r) => [r.id, r.success])).toEqual([['a:image', true], ['b:image', true], ['c:image', true]]);
    const warned = results.filter((r) => r.output.includes('hashdock: warning: the build context . sends .git'));
    expect(warned.map((r) => r.id)).toEqual(['a:image']);
    expect(results.find((r) => r.id === 'c:image')!.output).not.toContain('warning: the build context');
    // What the hash cannot see is said too, naming the line.
    expect(results.find((r) => r.id === 'c:image')!.output).toContain(
      'hashdock: warning: apps/c/Dockerfile:4: ADD https://127.0.0.1:9/tool.tgz downloads what the content hash cannot see: when it serves something else, c keeps its tag and is not rebuilt.',
    );
    expect(results.filter((r) => r.output.includes('downloads what')).map((r) => r.id)).toEqual(['c:image']);
    // Every image still says its own plan.
    for (const r of results) expect(r.output).toMatch(new RegExp(`hashdock planned\\(build\\)\\s+${r.id.split(':')[0]}`));
  });
  it('two tasks of one run that would be one image (targets the plugin did not infer, each named after its project) are both refused, naming both; the rest run', async () => {
    const rootImage = await localRootImage();
    const task = (id: string, dockerfile: string, name?: string): ImageTask => ({
      id,
      options: { registry: 'localhost:5000', namespace, ...(name ? { name } : {}), tags: ['{contentHash}'], buildArgs: { ROOT_IMAGE: rootImage }, context: '.', dockerfile, dryRun: true },
      facts: { workspaceRoot: dir, projectName: 'teable', projectRoot: '.', workspaceImages: {}, env: process.env },
      dependsOn: [],
    });
    const results: ImageTaskResult[] = [];
    for await (const result of runImageTargets([task('teable:image', 'apps/a/Dockerfile'), task('teable:image-db-migrate', 'apps/b/Dockerfile'), task('teable:image-c', 'apps/a/Dockerfile', 'teable-c')], 2)) results.push(result);
    expect(results.map((r) => [r.id, r.success]).sort()).toEqual([['teable:image', false], ['teable:image-c', true], ['teable:image-db-migrate', false]]);
    expect(results.find((r) => r.id === 'teable:image-db-migrate')!.output).toContain('Two image targets would publish the same image "teable": teable:image and teable:image-db-migrate.');
  });
  it('one manifest file from two namespaces, or one repository under two names, is a clash too', async () => {
    const rootImage = await localRootImage();
    const task = (id: string, options: Partial<ImageTask['options']>): ImageTask => ({
      id,
      options: { registry: 'localhost:5000', namespace, tags: ['{contentHash}'], buildArgs: { ROOT_IMAGE: rootImage }, context: '.', dockerfile: 'apps/a/Dockerfile', dryRun: true, ...options },
      facts: { workspaceRoot: dir, projectName: id.split(':')[0], projectRoot: '.', workspaceImages: {}, env: process.env },
      dependsOn: [],
    });
    const results: ImageTaskResult[] = [];
    const tasks = [
      // dist/images/shared.json written by both, though they push to two namespaces.
      task('x:image', { name: 'shared' }),
      task('y:image', { name: 'shared', namespace: `${namespace}-other` }),
      // Both push localhost:5000/<ns>/one; their manifests would differ.
      task('p:image', { name: 'p', repository: `localhost:5000/${namespace}/one` }),
      task('q:image', { name: 'q', repository: `localhost:5000/${namespace}/one` }),
      task('r:image', { name: 'r' }),
    ];
    for await (const result of runImageTargets(tasks, 2)) results.push(result);
    expect(results.map((r) => [r.id, r.success]).sort()).toEqual([['p:image', false], ['q:image', false], ['r:image', true], ['x:image', false], ['y:image', false]]);
    expect(results.find((r) => r.id === 'y:image')!.output).toContain('Two image targets would publish the same image "shared": x:image and y:image.');
    expect(results.find((r) => r.id === 'p:image')!.output).toContain(`Two image targets would publish the same image "localhost:5000/${namespace}/one": q:image and p:image.`);
  });
});

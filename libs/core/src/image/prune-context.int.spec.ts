import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { buildImage, BuildImageResult } from './build-image';
import { ImageBuildOptions } from './image-options';
import { MissingCopySourceError } from '../errors';
import { imageCommand } from '../cli/image-command';

const environment = await checkEnvironment();

// A workspace-root context copied whole, as most Dockerfiles that run the build inside docker do.
const WITH_RUN = 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nWORKDIR /ws\nCOPY . .\nRUN ["node", "-e", "0"]\n';
// (The root image has no shell: RUN in exec form.)
// No RUN: the registry builder assembles it from the hash's own listing.
const NO_RUN = 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE}\nCOPY . /ws\n';

/** Every file under /ws in an image, read by running it. */
async function imageFiles(ref: string): Promise<string[]> {
  const script =
    "const fs = require('fs'); const out = []; const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = d + '/' + e.name; e.isDirectory() ? walk(p) : out.push(p.slice(4)); } }; walk('/ws'); console.log(JSON.stringify(out.sort()))";
  return JSON.parse((await runCommand('/usr/bin/docker', ['run', '--rm', ref, 'node', '-e', script])).stdout.trim());
}

const hashedFiles = (built: BuildImageResult) => built.hash.context.filter((entry) => entry.kind === 'file').map((entry) => entry.path);

describe.skipIf(!environment.available)('pruneContext against the real engine and registry', () => {
  let root = '';
  let options: ImageBuildOptions;
  const namespace = `prune-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
  const noDocker = { ...deps, docker: new DockerDriver({ binary: '/bin/false' }) };
  const write = async (path: string, text: string) => {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-prune-int-'));
    await write('package.json', '{"name":"ws","private":true,"workspaces":["apps/*","libs/*"]}\n');
    await write('.dockerignore', 'dist\n**/node_modules\n!apps/indexer/node_modules/kept.js\n');
    await write('apps/api/Dockerfile', WITH_RUN);
    await write('apps/api/package.json', '{"name":"api","dependencies":{"shared":"*"}}\n');
    await write('apps/api/src/main.js', 'api\n');
    await write('apps/indexer/package.json', '{"name":"indexer"}\n');
    await write('apps/indexer/src/main.js', 'indexer\n');
    await write('apps/indexer/node_modules/kept.js', 'an exception the user made\n');
    await write('libs/shared/package.json', '{"name":"shared"}\n');
    await write('libs/shared/index.js', 'shared\n');
    options = imageBuildOptions('api', root, `localhost:5000/${namespace}/api`, {
      workspaceRoot: root,
      dockerfile: join(root, 'apps/api/Dockerfile'),
      manifestDir: join(root, 'dist/images'),
      buildArgs: { ROOT_IMAGE: await localRootImage() },
      leaveOut: ['apps/indexer'],
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("docker gets exactly the files the hash lists: the other project's package.json, none of its sources but a file the user's own exception re-includes", async () => {
    const built = await buildImage(options, deps);
    expect(built.manifest).toMatchObject({ status: 'built', builder: { name: 'docker' }, prunedProjects: ['apps/indexer'] });
    const files = await imageFiles(built.manifest.ref!);
    expect(files).toEqual(hashedFiles(built));
    expect(files).toEqual(['.dockerignore', 'apps/api/Dockerfile', 'apps/api/package.json', 'apps/api/src/main.js', 'apps/indexer/node_modules/kept.js', 'apps/indexer/package.json', 'libs/shared/index.js', 'libs/shared/package.json', 'package.json']);
  });

  it('an edit to a left-out project is the same image, nothing built; an edit to a project it depends on is a new one', async () => {
    const lines: string[] = [];
    const first = await buildImage({ ...options, dryRun: true }, { ...noDocker, log: (line: string) => lines.push(line) });
    expect(lines).toContain(
      'hashdock: plan api: context pruned: leaves out the sources of 1 project folder it does not depend on (apps/indexer; their package.json files stay, for workspace installs, unless the ignore file leaves them out)',
    );
    await write('apps/indexer/src/main.js', 'indexer, edited\n');
    expect((await buildImage(options, noDocker)).manifest).toMatchObject({ status: 'exists', contentHash: first.manifest.contentHash });
    await write('libs/shared/index.js', 'shared, edited\n');
    const changed = await buildImage(options, deps);
    expect(changed.manifest.status).toBe('built');
    expect(changed.reasons?.changes).toEqual([{ input: 'file:libs/shared/index.js', change: 'changed' }]);
    // Unpruned, the same bytes on disk are another image (the indexer's sources are in it).
    const whole = await buildImage({ ...options, leaveOut: [], dryRun: true }, noDocker);
    expect(whole.manifest.contentHash).not.toBe(changed.manifest.contentHash);
    expect(hashedFiles(whole)).toContain('apps/indexer/src/main.js');
  });

  it('the registry builder assembles the same pruned listing', async () => {
    await write('apps/api/Dockerfile', NO_RUN);
    try {
      const built = await buildImage({ ...options, imageName: 'api-plain', repository: `localhost:5000/${namespace}/api-plain` }, noDocker);
      expect(built.manifest).toMatchObject({ status: 'built', builder: { name: 'registry' }, prunedProjects: ['apps/indexer'] });
      expect(await imageFiles(built.manifest.ref!)).toEqual(hashedFiles(built));
      expect(hashedFiles(built)).not.toContain('apps/indexer/src/main.js');
    } finally {
      await write('apps/api/Dockerfile', WITH_RUN);
    }
  });

  it("under turbo (hashdock image), the package graph decides: what api's package.json depends on stays, the same hash as the Nx path's", async () => {
    const viaNx = await buildImage({ ...options, dryRun: true }, noDocker);
    await write('nx.json', JSON.stringify({ plugins: [{ plugin: '@hashdock/nx-plugin', options: { registry: 'localhost:5000', namespace, tags: ['{contentHash}'], buildArgs: { ROOT_IMAGE: await localRootImage() } } }] }));
    await write('apps/api/package.json', JSON.stringify({ name: 'api', dependencies: { shared: '*' }, nx: { targets: { image: { options: { context: '{workspaceRoot}', pruneContext: true } } } } }));
    try {
      const [viaTurbo] = await imageCommand(join(root, 'apps/api'), { dryRun: true }, undefined, {});
      expect(viaTurbo.manifest).toMatchObject({ status: 'planned', prunedProjects: ['apps/indexer'] });
      // (The package.json edit above is in the context, so compare with the Nx path on these same bytes.)
      expect(viaTurbo.manifest.contentHash).toBe((await buildImage({ ...options, dryRun: true }, noDocker)).manifest.contentHash);
      expect(viaTurbo.manifest.contentHash).not.toBe(viaNx.manifest.contentHash);
    } finally {
      await rm(join(root, 'nx.json'));
      await write('apps/api/package.json', '{"name":"api","dependencies":{"shared":"*"}}\n');
    }
  });

  it('a COPY of a left-out project is refused before docker runs, naming the project folder, and no manifest is written', async () => {
    await write('apps/api/Dockerfile', `${WITH_RUN}COPY apps/indexer/src /indexer\n`);
    try {
      const attempt = buildImage({ ...options, imageName: 'api-reads-indexer' }, noDocker);
      await expect(attempt).rejects.toBeInstanceOf(MissingCopySourceError);
      await expect(attempt).rejects.toThrow('pruneContext leaves apps/indexer out: this project does not depend on the project there in the project graph.');
      expect(existsSync(join(root, 'dist/images/api-reads-indexer.json'))).toBe(false);
    } finally {
      await write('apps/api/Dockerfile', WITH_RUN);
    }
  });
});

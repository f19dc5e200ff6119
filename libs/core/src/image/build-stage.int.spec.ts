import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { imageBuildOptions } from '../../../../e2e/support/image-options';
import { UnknownStageError } from '../errors';
import { runCommand } from '../process/run-command';
import { DockerDriver } from '../docker/docker-driver';
import { RegistryClient } from '../registry/client';
import { buildImage } from './build-image';
import { ImageBuildOptions } from './image-options';

const environment = await checkEnvironment();

// runtime: one COPY-only stage; tools: a RUN stage only debug reads; debug: runtime plus tools' output; last: fails if built.
const DOCKERFILE = `ARG ROOT_IMAGE
FROM \${ROOT_IMAGE} AS runtime
COPY app.txt /app.txt
CMD ["node", "-e", "0"]

FROM \${ROOT_IMAGE} AS tools
RUN ["node", "-e", "require('fs').writeFileSync('/tool.txt', 'tool')"]

FROM runtime AS debug
COPY --from=tools /tool.txt /tool.txt
COPY debug.txt /debug.txt

FROM debug AS last
RUN ["node", "-e", "process.exit(7)"]
`;

/** Which of the marker files an image holds, read by running it. */
async function markers(ref: string): Promise<string> {
  const script = "console.log(['/app.txt', '/tool.txt', '/debug.txt'].filter((f) => require('fs').existsSync(f)).join(' '))";
  return (await runCommand('/usr/bin/docker', ['run', '--rm', ref, 'node', '-e', script])).stdout.trim();
}

describe.skipIf(!environment.available)('the stage option (docker build --target) against the real engine and registry', () => {
  let dir = '';
  let options: ImageBuildOptions;
  const namespace = `stage-int-${Date.now().toString(36)}`;
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
  const noDocker = { ...deps, docker: new DockerDriver({ binary: '/bin/false' }) };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-stage-int-'));
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(dir, 'app.txt'), `app ${namespace}\n`);
    await writeFile(join(dir, 'debug.txt'), 'debug one\n');
    options = imageBuildOptions('svc', dir, `localhost:5000/${namespace}/svc`, { buildArgs: { ROOT_IMAGE: await localRootImage() } });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('builds the named stage, not the last one, and records it', async () => {
    const debug = await buildImage({ ...options, imageName: 'svc-debug', repository: `localhost:5000/${namespace}/svc-debug`, stage: 'debug' }, deps);
    expect(debug.manifest).toMatchObject({ status: 'built', stage: 'debug', builder: { name: 'docker' } });
    expect(debug.hash.canonical).toContain('\nstage debug\n');
    // Without --target docker would build `last`, whose RUN fails.
    expect(await markers(debug.manifest.ref!)).toBe('/app.txt /tool.txt /debug.txt');
  });

  it('assembles a COPY-only stage without docker, and hashes only what that stage reaches', async () => {
    const runtime = await buildImage({ ...options, stage: 'runtime' }, deps);
    expect(runtime.manifest).toMatchObject({ status: 'built', stage: 'runtime', builder: { name: 'registry' }, context: 'COPY/ADD sources: app.txt' });
    expect(await markers(runtime.manifest.ref!)).toBe('/app.txt');
    // An edit in stages runtime never reaches (a file only debug copies, the failing last stage) is not a new image.
    await writeFile(join(dir, 'debug.txt'), 'debug two\n');
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE.replace('process.exit(7)', 'process.exit(8)'));
    const again = await buildImage({ ...options, stage: 'runtime' }, noDocker);
    expect(again.manifest).toMatchObject({ status: 'exists', contentHash: runtime.manifest.contentHash, digest: runtime.manifest.digest });
    // An edit in the stage itself is.
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE.replace('CMD ["node", "-e", "0"]', 'CMD ["node", "-e", "1"]'));
    const changed = await buildImage({ ...options, stage: 'runtime', dryRun: true }, noDocker);
    expect(changed.manifest.plan).toBe('build');
    expect(changed.manifest.contentHash).not.toBe(runtime.manifest.contentHash);
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
  });

  it('refuses a stage the Dockerfile does not have before anything runs, naming it, and writes no manifest', async () => {
    const manifestDir = join(dir, 'missing-stage');
    const error = await buildImage({ ...options, manifestDir, stage: 'prod' }, noDocker).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownStageError);
    expect((error as Error).message).toBe(`${join(dir, 'Dockerfile')} has no stage named "prod" (option "stage", docker build --target). Its named stages: runtime, tools, debug, last.`);
    expect(await readdir(manifestDir).catch(() => [])).toEqual([]);
  });
});

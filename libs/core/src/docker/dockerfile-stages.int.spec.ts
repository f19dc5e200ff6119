import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { DockerDriver } from './docker-driver';
import { dockerfileStages, stagesReached } from './dockerfile-stages';

const environment = await checkEnvironment();

/**
 * Never fewer stages than BuildKit builds: every stage Hashdock leaves out of a
 * target gets a COPY of a file the context lacks, so the build fails if
 * BuildKit builds that stage after all. (Leaving in a stage BuildKit skips
 * only costs a rebuild; leaving out one it builds would reuse a stale tag.)
 */
describe.skipIf(!environment.available)('stage reachability agrees with BuildKit (docker build --target)', () => {
  let dir = '';
  let root = '';
  const docker = new DockerDriver();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-stages-int-'));
    await writeFile(join(dir, 'a.txt'), 'a\n');
    root = await localRootImage();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // [case, Dockerfile (ROOT is the local root image), target, build args, the stages Hashdock keeps]
  const cases: [string, string, string, Record<string, string>, string[]][] = [
    ['a FROM chain; a sibling left out', 'FROM scratch AS a\nCOPY a.txt /a\nFROM a AS b\nFROM scratch AS other\nCOPY a.txt /o\nFROM b AS c\n', 'c', {}, ['a', 'b', 'c']],
    ['COPY --from by name and by index', 'FROM scratch AS a\nCOPY a.txt /a\nFROM scratch AS b\nCOPY a.txt /b\nFROM scratch AS unused\nFROM scratch AS T\nCOPY --from=0 /a /a\nCOPY --from=B /b /b\n', 't', {}, ['a', 'b', 't']],
    ['RUN --mount from= a stage', 'ARG ROOT\nFROM scratch AS files\nCOPY a.txt /a\nFROM scratch AS unused\nFROM ${ROOT} AS run\nRUN --mount=type=bind,from=files,source=/a,target=/mnt/a ["node", "-e", "require(\'fs\').copyFileSync(\'/mnt/a\', \'/a\')"]\n', 'run', {}, ['files', 'run']],
    ['FROM ${ARG} naming a stage by its default', 'ARG BASE=deps\nFROM scratch AS deps\nCOPY a.txt /a\nFROM scratch AS other\nFROM ${BASE} AS runtime\n', 'runtime', {}, ['deps', 'runtime']],
    ['FROM ${ARG} naming another stage by the build arg', 'ARG BASE=deps\nFROM scratch AS deps\nFROM scratch AS other\nCOPY a.txt /o\nFROM ${BASE} AS runtime\n', 'runtime', { BASE: 'other' }, ['other', 'runtime']],
    ['a middle stage as the target, later stages left out', 'FROM scratch AS first\nCOPY a.txt /a\nFROM first AS middle\nFROM middle AS last\n', 'middle', {}, ['first', 'middle']],
  ];

  it.each(cases)('%s', async (_, text, target, buildArgs, keep) => {
    const stages = dockerfileStages(text, buildArgs);
    const reached = stagesReached(stages, stages.find((stage) => stage.name === target)!);
    expect(stages.filter((stage) => reached.has(stage.index)).map((stage) => stage.name)).toEqual(keep);
    // Poison every stage left out: BuildKit fails if it builds one.
    const lines = text.split('\n');
    for (const stage of [...stages].reverse()) if (!reached.has(stage.index)) lines.splice(stage.firstLine, 0, `COPY absent-${stage.index}.txt /absent`);
    const dockerfile = join(dir, `Dockerfile.${target}`);
    await writeFile(dockerfile, lines.join('\n'));
    await docker.build({ dockerfile, contextDir: dir, tags: [`hashdock-stages-int:${target}`], target, buildArgs: { ...buildArgs, ROOT: root }, progress: 'plain' });
    // The poison works: building a stage left out, by name, fails on it.
    const left = stages.find((stage) => !reached.has(stage.index) && stage.name)!;
    const poisoned = await docker.build({ dockerfile, contextDir: dir, tags: ['hashdock-stages-int:poisoned'], target: left.name, buildArgs: { ...buildArgs, ROOT: root } }).catch((error: Error) => error);
    expect(poisoned).toBeInstanceOf(Error);
    expect((poisoned as Error).message).toContain(`absent-${left.index}.txt`);
  });
});

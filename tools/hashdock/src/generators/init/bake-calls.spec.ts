import { describe, expect, it } from 'vitest';
import { shellWords } from '@hashdock/core';
import { bakeCallBuilds, bakeCallOf, bakeCommands } from './bake-calls';
import { dockerBuildsIn } from './docker-build-command';

const FILES: Record<string, string> = {
  'docker-bake.hcl': 'group "default" { targets = ["root"] }\ntarget "root" {}\n',
  'deploy/bake.hcl': [
    'group "default" { targets = ["api"] }',
    'group "backend" { targets = ["api", "worker"] }',
    'target "api" {\n  context = "apps/api"\n}',
    'target "worker" {\n  context = "apps/worker"\n  dockerfile = "worker.Dockerfile"\n}',
    'target "web" {\n  dockerfile = "apps/web/Dockerfile"\n}',
  ].join('\n'),
  'deploy/docker-bake.hcl': 'target "default" {\n  context = "../apps/api"\n}\n',
};
const read = (path: string) => FILES[path];
const paths = (words: string, dir = '.') => {
  const call = bakeCallOf(shellWords(words), dir);
  return call && bakeCallBuilds(call, read).map(({ target, context, dockerfile }) => `${target}: ${dockerfile} from ${context}`);
};

describe('bakeCallOf / bakeCallBuilds: the builds a docker buildx bake command runs', () => {
  it('the files -f names (from where it runs), the targets and groups it names, valued flags skipped', () => {
    expect(bakeCallOf(shellWords('docker buildx bake --progress plain -f deploy/bake.hcl --file=ci.hcl --set *.platform=linux/amd64 backend web --push'), 'ops')).toEqual({
      files: ['ops/deploy/bake.hcl', 'ops/ci.hcl'],
      targets: ['backend', 'web'],
      dir: 'ops',
    });
    expect(paths('docker buildx bake -f deploy/bake.hcl backend web')).toEqual([
      'api: apps/api/Dockerfile from apps/api',
      'worker: apps/worker/worker.Dockerfile from apps/worker',
      'web: apps/web/Dockerfile from .',
    ]);
    // No targets named: the default group of the files it reads; `docker bake` (Docker 28) is bake too.
    expect(paths('docker bake -f deploy/bake.hcl')).toEqual(['api: apps/api/Dockerfile from apps/api']);
  });

  it("without -f, bake's own file names where it runs, contexts read from there", () => {
    expect(paths('docker buildx bake')).toEqual(['root: Dockerfile from .']);
    expect(paths('docker buildx bake', 'deploy')).toEqual(['default: apps/api/Dockerfile from apps/api']);
  });

  it('leaves out what only the run knows, a file not in the workspace, a call leaving it, and commands that are no bake', () => {
    expect(bakeCallOf(shellWords('docker buildx bake -f $BAKE_FILE'))).toBeUndefined();
    expect(bakeCallOf(shellWords('docker buildx bake -f - api'))).toBeUndefined();
    expect(bakeCallOf(shellWords('docker buildx bake "$TARGET"'))).toBeUndefined();
    expect(bakeCallOf(shellWords('docker buildx bake -f ../elsewhere.hcl'))).toBeUndefined();
    expect(paths('docker buildx bake -f deploy/missing.hcl')).toEqual([]);
    expect(bakeCallOf(shellWords('docker buildx build .'))).toBeUndefined();
    expect(bakeCallOf(shellWords('npm run bake'))).toBeUndefined();
  });

  it('dockerBuildsIn reads a bake among other commands, after a cd, each build saying which target', () => {
    expect(dockerBuildsIn('cd deploy && docker buildx bake --push', '.', { other: bakeCommands(read) })).toEqual([
      { context: 'apps/api', dockerfile: 'apps/api/Dockerfile', settings: {}, via: 'docker buildx bake, target "default" of deploy/docker-bake.hcl' },
    ]);
    // Without a reader of bake files, a bake is no build (as before).
    expect(dockerBuildsIn('docker buildx bake -f deploy/bake.hcl')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { buildCommandArgs } from './build-args';

describe('buildCommandArgs', () => {
  it('builds exact argv: sorted args, inline cache, several tags and cache sources', () => {
    expect(
      buildCommandArgs({
        dockerfile: '/w/apps/api/Dockerfile',
        contextDir: '/w/apps/api',
        tags: ['r/api:0123', 'r/api:latest'],
        buildArgs: { Z: '1', BASE_IMAGE: 'r/base@sha256:aa' },
        cacheFrom: ['r/api:latest', 'r/base@sha256:aa'],
        platform: 'linux/amd64',
        labels: { 'dev.hashdock.content-hash': '0123' },
        inlineCache: true,
        progress: 'plain',
      }),
    ).toEqual([
      'build', '--file', '/w/apps/api/Dockerfile', '--progress', 'plain', '--platform', 'linux/amd64',
      '--build-arg', 'BASE_IMAGE=r/base@sha256:aa', '--build-arg', 'Z=1', '--build-arg', 'BUILDKIT_INLINE_CACHE=1',
      '--label', 'dev.hashdock.content-hash=0123',
      '--cache-from', 'r/api:latest', '--cache-from', 'r/base@sha256:aa',
      '--tag', 'r/api:0123', '--tag', 'r/api:latest', '/w/apps/api',
    ]);
  });

  it('forwards SSH agents and keys with --ssh, after the secrets', () => {
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '.', tags: ['t'], secretFiles: { npm: '/tmp/s' }, ssh: ['default', 'github=/keys/gh'] })).toEqual([
      'build', '--file', 'D', '--secret', 'id=npm,src=/tmp/s', '--ssh', 'default', '--ssh', 'github=/keys/gh', '--tag', 't', '.',
    ]);
  });

  it('gives RUN the network and hosts asked for (nothing for the default network)', () => {
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '.', tags: ['t'], network: 'host', addHosts: ['npm.internal:10.0.0.5', 'host.docker.internal:host-gateway'] })).toEqual([
      'build', '--file', 'D', '--network', 'host', '--add-host', 'npm.internal:10.0.0.5', '--add-host', 'host.docker.internal:host-gateway', '--tag', 't', '.',
    ]);
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '.', tags: ['t'], network: 'default' })).toEqual(['build', '--file', 'D', '--tag', 't', '.']);
  });

  it('passes named build contexts sorted by name, before the context', () => {
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '/ws', tags: ['t'], namedContexts: { web: '/ws/apps/web', api: '/ws/packages/api' } })).toEqual([
      'build', '--file', 'D', '--tag', 't', '--build-context', 'api=/ws/packages/api', '--build-context', 'web=/ws/apps/web', '/ws',
    ]);
  });

  it('loads the result into docker\'s image store when asked (buildx: a docker-container builder keeps it in its cache otherwise)', () => {
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '.', tags: ['t'], progress: 'plain', load: true }).slice(0, 6)).toEqual(['build', '--file', 'D', '--progress', 'plain', '--load']);
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '.', tags: ['t'] })).not.toContain('--load');
  });

  it('builds the stage named by target (docker build --target)', () => {
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '.', tags: ['t'], platform: 'linux/arm64', target: 'runtime' })).toEqual([
      'build', '--file', 'D', '--platform', 'linux/arm64', '--target', 'runtime', '--tag', 't', '.',
    ]);
  });

  it('passes secrets as BuildKit secret files and honours noCache', () => {
    expect(buildCommandArgs({ dockerfile: 'D', contextDir: '.', tags: ['t'], secretFiles: { npm: '/tmp/s' }, noCache: true })).toEqual([
      'build', '--file', 'D', '--secret', 'id=npm,src=/tmp/s', '--no-cache', '--tag', 't', '.',
    ]);
  });
});

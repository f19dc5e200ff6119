import { describe, expect, it } from 'vitest';
import { composeBuilds as withSettings, isComposeFileName } from './compose-builds';

/** Where from and which Dockerfile (settings: their own test). */
const composeBuilds = (file: string, text: string) => withSettings(file, text).map(({ settings: _settings, ...build }) => build);

describe('composeBuilds', () => {
  it('resolves contexts from the compose file\'s folder and Dockerfiles from the context, as Compose does', () => {
    const text = [
      'services:',
      '  api:',
      '    build:',
      '      context: .',
      '      dockerfile: apps/api/Dockerfile',
      '  web:',
      '    build: ./apps/web',
      '  worker:',
      '    build: { context: "${CONTEXT:-.}", dockerfile: "apps/${APP-worker}/Dockerfile" }',
      '  db:',
      '    image: postgres:16',
      '',
    ].join('\n');
    expect(composeBuilds('docker-compose.yml', text)).toEqual([
      { file: 'docker-compose.yml', service: 'api', context: '.', dockerfile: 'apps/api/Dockerfile' },
      { file: 'docker-compose.yml', service: 'web', context: 'apps/web', dockerfile: 'apps/web/Dockerfile' },
      { file: 'docker-compose.yml', service: 'worker', context: '.', dockerfile: 'apps/worker/Dockerfile' },
    ]);
    // In a subfolder, `..` is the workspace root.
    expect(composeBuilds('docker/compose.yaml', 'services:\n  api:\n    build:\n      context: ..\n      dockerfile: apps/api/Dockerfile\n')).toEqual([
      { file: 'docker/compose.yaml', service: 'api', context: '.', dockerfile: 'apps/api/Dockerfile' },
    ]);
  });

  it('reads a build\'s additional_contexts (a map or a list): directories as workspace paths from the compose file\'s folder, other values as written', () => {
    const map = withSettings('compose.yaml', 'services:\n  api:\n    build:\n      context: .\n      additional_contexts:\n        libs: ./libs\n');
    expect(map[0].settings.buildContexts).toEqual({ libs: 'libs' });
    const list = withSettings('compose.yaml', 'services:\n  api:\n    build:\n      context: .\n      additional_contexts: ["libs=./libs", "base=docker-image://node:24"]\n');
    expect(list[0].settings.buildContexts).toEqual({ libs: 'libs', base: 'docker-image://node:24' });
  });

  it('follows YAML anchors and merge keys (x- extensions shared between services)', () => {
    const text = 'x-build: &build\n  context: .\nservices:\n  api:\n    build:\n      <<: *build\n      dockerfile: apps/api/Dockerfile\n';
    expect(composeBuilds('compose.yml', text)).toEqual([{ file: 'compose.yml', service: 'api', context: '.', dockerfile: 'apps/api/Dockerfile' }]);
  });

  it('follows extends, in the file and from another (its paths from that file\'s folder), the service\'s own build keys over the base\'s', () => {
    const common = 'services:\n  node-app:\n    build:\n      context: ..\n      dockerfile: docker/node.Dockerfile\n      args:\n        NODE_ENV: production\n';
    const text = [
      'services:',
      '  api:',
      '    extends: { file: docker/common.yml, service: node-app }',
      '    build:',
      '      args:',
      '        APP: api',
      '  api-debug:',
      '    extends: api',
      '    build:',
      '      target: debug',
      '  web:',
      '    extends:',
      '      service: api',
      '    build:',
      '      context: apps/web',
      '      dockerfile: Dockerfile',
      '  lost:',
      '    extends: { file: missing.yml, service: x }',
      '  loop:',
      '    extends: loop',
      '',
    ].join('\n');
    const read = (path: string) => (path === 'docker/common.yml' ? common : undefined);
    const builds = withSettings('compose.yml', text, read);
    expect(builds.map(({ service, context, dockerfile }) => ({ service, context, dockerfile }))).toEqual([
      // The base's context (`..` of docker/) is the workspace root.
      { service: 'api', context: '.', dockerfile: 'docker/node.Dockerfile' },
      { service: 'api-debug', context: '.', dockerfile: 'docker/node.Dockerfile' },
      { service: 'web', context: 'apps/web', dockerfile: 'apps/web/Dockerfile' },
    ]);
    // Mappings merge key by key (args written as a list count as their mapping), as Compose merges build.
    expect(builds[0].settings.buildArgs).toEqual({ NODE_ENV: 'production', APP: 'api' });
    expect(builds[1].settings).toMatchObject({ stage: 'debug', buildArgs: { NODE_ENV: 'production', APP: 'api' } });
    const listed = withSettings('compose.yml', 'services:\n  a:\n    build:\n      context: .\n      args: [X=1, Y=1]\n      platforms: [linux/amd64]\n  b:\n    extends: a\n    build:\n      args: [Y=2]\n      platforms: [linux/arm64]\n');
    expect(listed[1].settings).toMatchObject({ buildArgs: { X: '1', Y: '2' }, platform: 'linux/amd64,linux/arm64' });
  });

  it('leaves out what it cannot be sure of: variables without a default, remote contexts, inline Dockerfiles, paths outside, non-YAML', () => {
    const text = [
      'services:',
      '  a: { build: { context: "${ROOT}", dockerfile: Dockerfile } }',
      '  b: { build: "https://github.com/acme/b.git#main" }',
      '  c: { build: { context: ., dockerfile_inline: "FROM scratch" } }',
      '  d: { build: ../elsewhere }',
      '  e: { build: { context: /abs, dockerfile: Dockerfile } }',
      '  f: { build: { context: ., dockerfile: "apps/$$name/Dockerfile" } }',
      '',
    ].join('\n');
    expect(composeBuilds('compose.yml', text)).toEqual([{ file: 'compose.yml', service: 'f', context: '.', dockerfile: 'apps/$name/Dockerfile' }]);
    expect(composeBuilds('compose.yml', 'services: [unclosed')).toEqual([]);
    expect(composeBuilds('compose.yml', 'version: "3"\n')).toEqual([]);
  });

  it('reads what the build passes: args (a default taken, one from the environment undefined), target, platforms, labels', () => {
    const text = [
      'services:',
      '  api:',
      '    build:',
      '      context: .',
      '      dockerfile: apps/api/Dockerfile',
      '      target: runtime',
      '      platforms: [linux/amd64, linux/arm64]',
      '      args:',
      '        NODE_ENV: production',
      '        VERSION: ${VERSION:-dev}',
      '        NPM_TOKEN:',
      '      labels: [org.opencontainers.image.source=https://github.com/acme/shop]',
      '  web:',
      '    build:',
      '      context: apps/web',
      '      args: [MODE=static, CDN]',
      '',
    ].join('\n');
    expect(withSettings('compose.yaml', text).map((build) => build.settings)).toEqual([
      {
        buildArgs: { NODE_ENV: 'production', VERSION: 'dev', NPM_TOKEN: undefined },
        stage: 'runtime',
        platform: 'linux/amd64,linux/arm64',
        labels: { 'org.opencontainers.image.source': 'https://github.com/acme/shop' },
      },
      { buildArgs: { MODE: 'static', CDN: undefined } },
    ]);
  });

  it('reads build secrets through the top-level secrets: a file from the compose file\'s folder, or a variable; the id is the target', () => {
    const text = [
      'services:',
      '  api:',
      '    build:',
      '      context: ..',
      '      dockerfile: apps/api/Dockerfile',
      '      secrets: [npmrc, { source: token, target: gh }, undeclared]',
      'secrets:',
      '  npmrc: { file: ./.npmrc }',
      '  token: { environment: GH_TOKEN }',
      '',
    ].join('\n');
    expect(withSettings('docker/compose.yaml', text)[0].settings).toEqual({ secretFiles: { npmrc: 'docker/.npmrc' }, secrets: { gh: 'GH_TOKEN' } });
  });

  it('reads network, extra_hosts (a list or a map) and ssh (a list or a map; a key path from the compose file\'s folder)', () => {
    const text = [
      'services:',
      '  api:',
      '    build:',
      '      context: ..',
      '      network: host',
      '      extra_hosts: ["registry.internal:10.0.0.5", "db=10.0.0.6"]',
      '      ssh: [default, "github=keys/id_ed25519"]',
      '  web:',
      '    build:',
      '      context: ../apps/web',
      '      extra_hosts: { cdn.internal: 10.0.0.7 }',
      '      ssh: { default: null }',
      '',
    ].join('\n');
    expect(withSettings('docker/compose.yaml', text).map((build) => build.settings)).toEqual([
      { network: 'host', addHosts: ['registry.internal:10.0.0.5', 'db:10.0.0.6'], ssh: ['default', 'github=docker/keys/id_ed25519'] },
      { addHosts: ['cdn.internal:10.0.0.7'], ssh: ['default'] },
    ]);
  });

  it('knows compose file names', () => {
    for (const name of ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml', 'docker-compose.prod.yml', 'compose.override.yaml']) expect(isComposeFileName(name), name).toBe(true);
    for (const name of ['composer.json', 'docker-compose.json', 'my-compose.yml', 'compose.yml.bak']) expect(isComposeFileName(name), name).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { containerSettings, hasRegistryHost, keyValues, namedImage, settingsAsOptions } from './build-settings';

describe('build settings carried over to image target options', () => {
  it('reads K=V lists and maps; a name alone has no value', () => {
    expect(keyValues(['A=1', 'B=x=y', 'C'])).toEqual({ A: '1', B: 'x=y', C: undefined });
    expect(keyValues({ A: 1, B: null })).toEqual({ A: '1', B: undefined });
    expect(keyValues([])).toBeUndefined();
    expect(keyValues('A=1')).toBeUndefined();
  });

  it('maps nx-container options to Hashdock names', () => {
    expect(containerSettings({ 'build-args': ['A=1'], target: 'runtime', platforms: ['linux/amd64', 'linux/arm64'], labels: ['team=core'], push: true, tags: ['x'] })).toEqual({
      buildArgs: { A: '1' },
      stage: 'runtime',
      platform: 'linux/amd64,linux/arm64',
      labels: { team: 'core' },
      image: 'x',
    });
    // The image named with a registry host wins, wherever it is (CI's configuration, as wgd3/full-stack-todo has it).
    expect(containerSettings({ metadata: { images: ['fst-server'] } }, { ci: { metadata: { images: ['ghcr.io/wgd3/fst-server'] } } }).image).toBe('ghcr.io/wgd3/fst-server');
    expect(containerSettings({ engine: 'docker' })).toEqual({});
    // secret-files are references; secrets are values: only their ids are kept, to be named.
    expect(containerSettings({ 'secret-files': ['npmrc=.npmrc'], secrets: ['GIT_AUTH_TOKEN=canary'] })).toEqual({ secretFiles: { npmrc: '.npmrc' }, inlineSecrets: ['GIT_AUTH_TOKEN'] });
    const { options, leftOut } = settingsAsOptions(containerSettings({ 'secret-files': ['npmrc=.npmrc'], secrets: ['GIT_AUTH_TOKEN=canary'] }));
    expect(options).toEqual({ secretFiles: { npmrc: '.npmrc' } });
    expect(leftOut).toEqual(['secret GIT_AUTH_TOKEN (its value is written in the target: keep it in an environment variable and set "secrets": { "GIT_AUTH_TOKEN": "<ENV_VARIABLE>" })']);
    expect(JSON.stringify([options, leftOut])).not.toContain('canary');
  });

  it('carries each named build context that is a directory of the workspace or an image (nx-container build-contexts), and names the rest with what to do instead', () => {
    const found = containerSettings({ 'build-contexts': ['libs=./libs/', 'alpine=docker-image://alpine:3', 'up=../outside', 'env=$CONTEXT_DIR', 'src=https://github.com/x/y.git'] });
    expect(found.buildContexts).toEqual({ libs: 'libs', alpine: 'docker-image://alpine:3', up: '../outside', env: '$CONTEXT_DIR', src: 'https://github.com/x/y.git' });
    const reason = 'neither a directory in the workspace nor an image: keep its content in the workspace';
    expect(settingsAsOptions(found)).toEqual({
      options: { buildContexts: { libs: 'libs', alpine: 'docker-image://alpine:3' } },
      leftOut: [
        `build context up=../outside (${reason})`,
        'build context env=$CONTEXT_DIR (known only when the build runs: set it on the image target, "buildContexts": { "env": "<dir>" })',
        `build context src=https://github.com/x/y.git (${reason})`,
      ],
    });
  });

  it('names arguments a variable stands for as not carried', () => {
    expect(settingsAsOptions({ unknownArgs: ['$DOCKER_BUILD_ARGUMENTS'], stage: 'prod' })).toEqual({
      options: { stage: 'prod' },
      leftOut: ['arguments $DOCKER_BUILD_ARGUMENTS (known only when the build runs: set what they hold on the image target, as "platform", "buildArgs" or "labels")'],
    });
  });

  it('names a build arg of the commit or the run as such: in the image, every commit would be a new image', () => {
    // penxle/typie: IMAGE_TAG from docker/metadata-action's version, written into an ENV.
    const { options, leftOut } = settingsAsOptions({
      buildArgs: {
        IMAGE_TAG: '${{ steps.meta-ghcr.outputs.version }}',
        GIT_SHA: '${{ github.sha }}',
        BUILT: '$(date -u +%FT%TZ)',
        REGION: '${{ vars.REGION }}',
        MODE: 'production',
        // trigger.dev's: named for what they hold.
        BUILD_TIMESTAMP_SECONDS: '${{ steps.set_build_info.outputs.BUILD_TIMESTAMP_SECONDS }}',
        SENTRY_RELEASE: '${{ steps.set_build_info.outputs.BUILD_GIT_SHA }}',
      },
    });
    expect(options).toEqual({ buildArgs: { MODE: 'production' } });
    expect(leftOut).toEqual([
      'build arg IMAGE_TAG (a value of each commit or run, ${{ steps.meta-ghcr.outputs.version }}: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_IMAGE_TAG)',
      'build arg GIT_SHA (a value of each commit or run, ${{ github.sha }}: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_GIT_SHA)',
      'build arg BUILT (a value of each commit or run, $(date: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_BUILT)',
      'build arg REGION (its value comes from the environment: set HASHDOCK_BUILD_ARG_REGION)',
      'build arg BUILD_TIMESTAMP_SECONDS (a value of each commit or run, ${{ steps.set_build_info.outputs.BUILD_TIMESTAMP_SECONDS }}: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_BUILD_TIMESTAMP_SECONDS)',
      'build arg SENTRY_RELEASE (a value of each commit or run, ${{ steps.set_build_info.outputs.BUILD_GIT_SHA }}: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_SENTRY_RELEASE)',
    ]);
  });

  it("names a workflow's labels variable as the labels it stands for, and a label whose value is a variable", () => {
    const { options, leftOut } = settingsAsOptions({ labels: keyValues(['${{ steps.meta.outputs.labels }}', 'org.opencontainers.image.version=${VERSION}', 'team=core']) });
    expect(options).toEqual({ labels: { team: 'core' } });
    expect(leftOut).toEqual([
      'labels ${{ steps.meta.outputs.labels }} (set when the build runs; labels are part of the image, so a per-commit one would make every commit a new image: the commit is the git-{gitSha} tag)',
      'label org.opencontainers.image.version (its value is not fixed)',
    ]);
  });

  it("carries each nx-container configuration's own settings, as amplication's production configuration has them", () => {
    const found = containerSettings(
      { 'build-args': ['GIT_REF_NAME=latest-local', 'GIT_SHA=unicorn'], tags: ['amplication/server:latest'] },
      { production: { 'build-args': ['GIT_REF_NAME=${GIT_REF_NAME}', 'GIT_SHA=${GIT_SHA}'] }, arm: { platforms: ['linux/arm64'], 'build-args': ['MODE=arm'] }, ci: { push: true } },
    );
    expect(found.configurations).toEqual({
      production: { buildArgs: { GIT_REF_NAME: '${GIT_REF_NAME}', GIT_SHA: '${GIT_SHA}' } },
      arm: { buildArgs: { MODE: 'arm' }, platform: 'linux/arm64' },
    });
    expect(settingsAsOptions(found)).toEqual({
      options: { buildArgs: { GIT_REF_NAME: 'latest-local', GIT_SHA: 'unicorn' } },
      // production's build args replace the target's (Nx merges key by key): none fixed is none at all.
      configurations: { production: { buildArgs: {} }, arm: { buildArgs: { MODE: 'arm' }, platform: 'linux/arm64' } },
      leftOut: [
        'configuration "production": build arg GIT_REF_NAME (its value comes from the environment: set HASHDOCK_BUILD_ARG_GIT_REF_NAME)',
        'configuration "production": build arg GIT_SHA (a value of each commit or run, ${GIT_SHA}: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_GIT_SHA)',
      ],
    });
    // A configuration that only names the image or pushes: nothing of its own to carry.
    expect(settingsAsOptions(containerSettings({}, { ci: { push: true, tags: ['ghcr.io/acme/api:1'] } }))).toEqual({ options: {}, leftOut: [] });
  });

  it('keeps fixed values; leaves out credentials, environment values and URL credentials, naming them but never their value', () => {
    const { options, leftOut } = settingsAsOptions({
      buildArgs: {
        NODE_ENV: 'production',
        GITHUB_TOKEN: 'ghp_canary',
        VERSION: undefined,
        COMMIT: '$GITHUB_SHA',
        REGISTRY: 'https://bot:canary-pass@npm.acme.dev/',
        // outline/outline's: the base the same job built a step before.
        BASE_IMAGE: 'outlinewiki/outline-base@${{ steps.base_build.outputs.digest }}',
      },
      labels: { team: 'core', source: 'https://x:canary-label@git.acme.dev/', 'dev.hashdock.project': 'x', version: '{version}' },
      stage: 'runtime',
    });
    expect(options).toEqual({ buildArgs: { NODE_ENV: 'production' }, labels: { team: 'core' }, stage: 'runtime' });
    expect(leftOut).toEqual([
      'build arg GITHUB_TOKEN (its name says it is a credential: pass it as a secret, "secrets": { "<id>": "<ENV_VARIABLE>" })',
      'build arg VERSION (its value comes from the environment: set HASHDOCK_BUILD_ARG_VERSION)',
      'build arg COMMIT (a value of each commit or run, $GITHUB_SHA: in the image, it would make every commit a new image whose content did not change; the commit is the git-{gitSha} tag. To pass it anyway, set HASHDOCK_BUILD_ARG_COMMIT)',
      'build arg REGISTRY (its value holds credentials in a URL: pass it as a secret)',
      'build arg BASE_IMAGE (the digest of an image an earlier step of that job builds, base_build: Hashdock builds a workspace base first and passes its digest itself when the Dockerfile names it, ARG BASE_IMAGE=<namespace>/<its image name>; make that image a target)',
      'label source (its value holds credentials in a URL)',
      'label dev.hashdock.project (not a label Hashdock sets: a fixed value, a name not its own)',
      'label version (not a label Hashdock sets: a fixed value, a name not its own)',
    ]);
    expect(JSON.stringify(leftOut)).not.toContain('canary');
  });

  it('names the image a build tags: one with a registry host first, tag and digest dropped, never a variable', () => {
    expect(namedImage(['api:dev', 'ghcr.io/acme/api:1.2', 'docker.io/acme/api'])).toBe('ghcr.io/acme/api');
    expect(namedImage(['localhost:5000/acme/api@sha256:' + '0'.repeat(64)])).toBe('localhost:5000/acme/api');
    expect(namedImage(['$REGISTRY/api:latest', '${NAME}:1', 'acme/api:${VERSION}'])).toBe('acme/api');
    expect(namedImage([])).toBeUndefined();
    expect(['ghcr.io/a/b', 'localhost/a', 'registry:5000/a'].map(hasRegistryHost)).toEqual([true, true, true]);
    expect(['acme/api', 'api', 'ghcr.io'].map(hasRegistryHost)).toEqual([false, false, false]);
  });

  it('carries network, hosts and ssh Hashdock can pass, and names the others', () => {
    const { options, leftOut } = settingsAsOptions({ network: 'bridge', addHosts: ['ok.internal:10.0.0.1', 'bad host', '${HOST}:1.2.3.4'], ssh: ['default', '$SSH_KEY'] });
    expect(options).toEqual({ addHosts: ['ok.internal:10.0.0.1'], ssh: ['default'] });
    expect(leftOut).toEqual([
      'network bridge (RUN joins the default, host or none network here)',
      'add-host bad host (not "name:ip")',
      'add-host ${HOST}:1.2.3.4 (not a fixed value)',
      'ssh $SSH_KEY (not a fixed value)',
    ]);
    expect(settingsAsOptions(containerSettings({ network: 'host', 'add-hosts': ['a.internal:10.0.0.2'], ssh: ['default'] })).options).toEqual({ network: 'host', addHosts: ['a.internal:10.0.0.2'], ssh: ['default'] });
  });
});

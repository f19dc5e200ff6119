import { describe, expect, it } from 'vitest';
import { refuseSecretBuildArgs, resolveImageOptions as normalizeOptions } from './resolve-image-options';

const facts = { workspaceRoot: '/ws', projectName: 'api', projectRoot: 'apps/api', workspaceImages: { 'acme/api': 'api', 'acme/base': 'base' }, gitSha: 'abc', env: {} };

describe('resolveImageOptions', () => {
  it('resolves paths, repository and workspace images once', () => {
    const options = normalizeOptions({ registry: 'localhost:5000', namespace: 'acme', extraTags: ['x-{gitSha}'] }, facts);
    expect(options).toMatchObject({
      contextDir: '/ws/apps/api',
      dockerfile: '/ws/apps/api/Dockerfile',
      repository: 'localhost:5000/acme/api',
      manifestDir: '/ws/dist/images',
      tagTemplates: ['{contentHash}', 'git-{gitSha}', '{version}', 'latest', 'x-{gitSha}'],
      workspaceImages: { 'acme/api': 'api', 'acme/base': 'base' },
      push: true,
      dryRun: false,
    });
  });

  it('lets HASHDOCK_REGISTRY and HASHDOCK_NAMESPACE override nx.json', () => {
    const options = normalizeOptions({ registry: 'localhost:5000', namespace: 'acme' }, { ...facts, env: { HASHDOCK_REGISTRY: '127.0.0.1:6000', HASHDOCK_NAMESPACE: 'pr-12' } });
    expect(options.repository).toBe('127.0.0.1:6000/pr-12/api');
    expect(options.workspaceImages).toEqual({ 'acme/api': 'api', 'acme/base': 'base', 'pr-12/api': 'api', 'pr-12/base': 'base' });
  });

  it("pruneContext: leaves out the projects the runner's graph says this one does not depend on; refused without a graph or as a non-boolean", () => {
    const projectGraph = { roots: { api: 'apps/api', shared: 'libs/shared', indexer: 'apps/indexer' }, dependencies: { api: ['shared'] } };
    expect(normalizeOptions({ pruneContext: true }, { ...facts, projectGraph }).leaveOut).toEqual(['apps/indexer']);
    expect('leaveOut' in normalizeOptions({ pruneContext: false }, { ...facts, projectGraph })).toBe(false);
    expect(() => normalizeOptions({ pruneContext: true }, facts)).toThrow('project api: option "pruneContext" needs the project graph, which this entry point does not have');
    expect(() => normalizeOptions({ pruneContext: 'yes' as unknown as boolean }, { ...facts, projectGraph })).toThrow('project api: option "pruneContext" must be true or false, got "yes"');
  });

  it('takes the stage as BuildKit matches it (lower-cased), and leaves it unset by default', () => {
    expect(normalizeOptions({ stage: 'Runtime' }, facts).stage).toBe('runtime');
    expect('stage' in normalizeOptions({}, facts)).toBe(false);
  });

  it.each([[''], ['1st'], ['run time'], ['${STAGE}'], [7]])('refuses the stage %j, naming the option', (stage) => {
    expect(() => normalizeOptions({ stage: stage as string }, facts)).toThrow(/^project api: option "stage" must name a Dockerfile stage/);
  });

  it('takes fixed labels, and refuses Hashdock\'s own, malformed names and templates, naming the project', () => {
    expect(normalizeOptions({ labels: { 'org.opencontainers.image.source': 'https://github.com/acme/x' } }, facts).labels).toEqual({ 'org.opencontainers.image.source': 'https://github.com/acme/x' });
    expect('labels' in normalizeOptions({}, facts)).toBe(false);
    // The plugin's under the target's own: one replaced, the others kept.
    const source = { 'org.opencontainers.image.source': 'https://github.com/acme/x', 'org.opencontainers.image.vendor': 'Acme' };
    expect(normalizeOptions({ pluginLabels: source, labels: { 'org.opencontainers.image.vendor': 'Acme Ltd', tier: 'web' } }, facts).labels).toEqual({
      'org.opencontainers.image.source': 'https://github.com/acme/x',
      'org.opencontainers.image.vendor': 'Acme Ltd',
      tier: 'web',
    });
    expect(() => normalizeOptions({ labels: { 'dev.hashdock.project': 'x' } }, facts)).toThrow('project api: label dev.hashdock.project is Hashdock\'s own');
    expect(() => normalizeOptions({ labels: { 'a b': 'x' } }, facts)).toThrow('project api: label name "a b" is not valid');
    expect(() => normalizeOptions({ labels: { version: 'v{version}' } }, facts)).toThrow(/^project api: label version has the template \{version\}: labels are part of the image/);
    expect(() => normalizeOptions({ labels: { a: 1 } as never }, facts)).toThrow('project api: option "labels" must be an object of strings');
  });

  it('takes the target\'s mirrors, or HASHDOCK_MIRRORS\'s instead (empty: none)', () => {
    expect(normalizeOptions({ mirrors: { 'docker.io': 'mirror.gcr.io' } }, facts).mirrors).toEqual({ 'registry-1.docker.io': 'mirror.gcr.io' });
    expect(normalizeOptions({ mirrors: { 'docker.io': 'mirror.gcr.io' } }, { ...facts, env: { HASHDOCK_MIRRORS: 'docker.io=artifactory.acme.com/dockerhub' } }).mirrors).toEqual({ 'registry-1.docker.io': 'artifactory.acme.com/dockerhub' });
    expect('mirrors' in normalizeOptions({ mirrors: { 'docker.io': 'mirror.gcr.io' } }, { ...facts, env: { HASHDOCK_MIRRORS: '' } })).toBe(false);
    expect(() => normalizeOptions({ mirrors: { 'docker.io': 'proxy' } }, facts)).toThrow('project api: the mirror of docker.io, "proxy", must start with a registry host');
  });

  it('takes the RUN network and extra hosts, refusing what docker would, naming the project', () => {
    expect(normalizeOptions({ network: 'host', addHosts: ['npm.internal:10.0.0.5'] }, facts)).toMatchObject({ network: 'host', addHosts: ['npm.internal:10.0.0.5'] });
    expect(() => normalizeOptions({ network: 'bridge' as never }, facts)).toThrow('project api: option "network" must be one of default, host, none, got "bridge"');
    expect(() => normalizeOptions({ addHosts: ['10.0.0.5'] }, facts)).toThrow('project api: addHosts entry "10.0.0.5" is not "name:ip"');
  });

  it('takes build-arg overrides from HASHDOCK_BUILD_ARG_<NAME>', () => {
    const options = normalizeOptions({ buildArgs: { ROOT_IMAGE: 'local/root:1', OTHER: 'x' } }, { ...facts, env: { HASHDOCK_BUILD_ARG_ROOT_IMAGE: 'node:24-slim', HASHDOCK_BUILD_ARG_: 'ignored' } });
    expect(options.buildArgs).toEqual({ ROOT_IMAGE: 'node:24-slim', OTHER: 'x' });
  });

  it('offers the plugin\'s build args under the target\'s own, which add to and override them; the environment over both', () => {
    const options = normalizeOptions({ pluginBuildArgs: { BASE_IMAGE: 'local/root:1', FLAVOUR: 'full' }, buildArgs: { APP_NAME: 'orders', FLAVOUR: 'lean' } }, { ...facts, env: { HASHDOCK_BUILD_ARG_BASE_IMAGE: 'node:24-slim' } });
    expect(options.buildArgs).toEqual({ BASE_IMAGE: 'node:24-slim', FLAVOUR: 'lean', APP_NAME: 'orders' });
  });

  it('names the repository and the manifest after the image name, unscoped by default', () => {
    expect(normalizeOptions({ namespace: 'acme', name: 'api-worker' }, facts)).toMatchObject({ repository: 'localhost:5000/acme/api-worker', imageName: 'api-worker' });
    expect(normalizeOptions({ namespace: 'acme' }, { ...facts, projectName: '@acme/Billing' })).toMatchObject({ repository: 'localhost:5000/acme/billing', imageName: 'billing' });
  });

  it('reads an empty context (Nx interpolates "{workspaceRoot}" to "") as the workspace root', () => {
    expect(normalizeOptions({ context: '' }, facts).contextDir).toBe('/ws');
    expect(() => normalizeOptions({ dockerfile: '' }, facts)).toThrow('Option "dockerfile" is empty');
  });

  it('reads a target\'s context "workspace" and "project" as the plugin option does (not as folders of those names)', () => {
    expect(normalizeOptions({ context: 'workspace' }, facts).contextDir).toBe('/ws');
    expect(normalizeOptions({ context: 'project' }, facts).contextDir).toBe('/ws/apps/api');
    expect(normalizeOptions({ context: './workspace' }, facts).contextDir).toBe('/ws/workspace');
  });

  it('keeps an explicit repository and expands {workspaceRoot}', () => {
    const options = normalizeOptions({ repository: 'ghcr.io/o/api', context: '{workspaceRoot}/apps', dockerfile: 'apps/api/Dockerfile.prod' }, facts);
    expect(options).toMatchObject({ repository: 'ghcr.io/o/api', contextDir: '/ws/apps', dockerfile: '/ws/apps/api/Dockerfile.prod' });
  });

  it.each([['AWS_SECRET_ACCESS_KEY'], ['NPM_TOKEN'], ['DB_PASSWORD'], ['SSH_PRIVATE_KEY'], ['GITHUB_AUTH'], ['API_KEY']])('refuses a value for the secret-looking build arg %s, naming it, never the value', (name) => {
    const canary = 'canary-5f0b1c9e';
    const run = () => refuseSecretBuildArgs({ ROOT_IMAGE: 'r', [name]: canary });
    expect(run).toThrow(new RegExp(`Build arg ${name} \\(set by the buildArgs option or HASHDOCK_BUILD_ARG_${name}\\) looks like a credential.*"secrets"`));
    try {
      run();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(canary);
    }
  });

  it('accepts ordinary build args', () => {
    expect(() => refuseSecretBuildArgs({ ROOT_IMAGE: 'x', NODE_ENV: 'production', PRIVATE_REGISTRY: 'r', KEYBOARD: 'us' })).not.toThrow();
  });
});

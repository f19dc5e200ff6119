import { assertSupportedRuntime } from '../../runtime-check';
import { getProjects, logger, readNxJson, Tree } from '@nx/devkit';
import { HashdockOptions, hashdockOptionsIn, InvalidOptionError, isLoopbackRegistry, normalizeHashdockOptions, parseRepository } from '@hashdock/core';
import { nodeChoice } from './node-version';
import { packageManagerSteps } from './package-manager-steps';
import { buildSecrets } from './build-secrets';
import type { GithubWorkflowGeneratorSchema } from './schema';

/**
 * `nx g @hashdock/nx-plugin:github-workflow`: the CI this tool is made for, in the user's
 * workspace. Pull requests build what they change into `<namespace>/scratch/pr-<n>`, reading the
 * release namespace first (an image the default branch pushed is reused, not rebuilt), so an
 * untrusted change never writes a tag that releases read; the default branch pushes the release
 * namespace; a pull request from a fork (no registry write token) builds without pushing (the
 * `local` configuration, which its base images get too).
 */
export default async function githubWorkflowGenerator(tree: Tree, schema: GithubWorkflowGeneratorSchema): Promise<void> {
  assertSupportedRuntime();
  const name = schema.name ?? 'images';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new InvalidOptionError('name', `Workflow name "${name}" must be letters, digits, ".", "_" or "-"`);
  const path = `.github/workflows/${name}.yml`;
  if (tree.exists(path)) throw new InvalidOptionError('name', `${path} already exists; remove it or pass --name=<another>`);
  const nxJson = readNxJson(tree) ?? {};
  const config = normalizeHashdockOptions(hashdockOptionsIn(nxJson));
  const registry = schema.registry ?? (isLoopbackRegistry(config.registry) ? 'ghcr.io' : config.registry);
  // A loopback registry is the developer's own machine, which a CI runner cannot reach.
  if (isLoopbackRegistry(registry)) throw new InvalidOptionError('registry', `A CI runner cannot reach ${registry}: pass --registry=<the registry CI pushes to>`);
  // As Nx reads it: defaultBase, else the older affected.defaultBase (Nx 16's, still honoured).
  const defaultBase = nxJson.defaultBase ?? (nxJson as { affected?: { defaultBase?: string } }).affected?.defaultBase;
  const branch = schema.branch ?? branchOf(defaultBase) ?? 'main';
  const nodeVersion = schema.nodeVersion;
  if (nodeVersion !== undefined && (!/^\d+(\.\d+){0,2}$/.test(nodeVersion) || Number(nodeVersion.split('.')[0]) < 22))
    throw new InvalidOptionError('nodeVersion', `Node.js "${nodeVersion}": Hashdock needs 22.12 or newer (e.g. 24)`);
  const node = nodeChoice(tree, nodeVersion);
  const pm = packageManagerSteps(tree, node.line);
  const targetName = config.targetName;
  const ghcr = registry === 'ghcr.io';
  const namespace = releaseNamespace(schema.namespace, registry, hashdockOptionsIn(nxJson), config.namespace);
  // What the message names: the namespace, or what the workflow computes it from.
  const shown = namespace === REPOSITORY_NAMESPACE ? '<owner>/<repo>' : namespace;
  const login = ghcr
    ? ['          username: ${{ github.actor }}', '          password: ${{ secrets.GITHUB_TOKEN }}']
    : ['          username: ${{ secrets.REGISTRY_USERNAME }}', '          password: ${{ secrets.REGISTRY_PASSWORD }}'];
  const affected = `${pm.nx} affected -t ${targetName} --base="$NX_BASE" --head="$NX_HEAD"`;
  // Images for several platforms: a RUN in a stage built for another platform than the runner's needs an emulator.
  const severalPlatforms = [config.platform, ...[...getProjects(tree).values()].map((project) => (project.targets?.[targetName]?.options as { platform?: unknown } | undefined)?.platform)].some(
    (platform) => typeof platform === 'string' && platform.includes(','),
  );
  // BuildKit secrets the image targets read from the environment: from the repository secrets of those names.
  const secrets = buildSecrets(tree, targetName);
  const secretEnv = secrets.variables.length ? ['        env:', ...secrets.variables.map((variable) => `          ${variable}: \${{ secrets.${variable} }}`)] : [];
  const lines = [
    `# Written by nx g @hashdock/nx-plugin:github-workflow. Images are tagged by content hash and pushed once;`,
    `# an image the registry already has is never rebuilt.`,
    `name: ${name}`,
    '',
    'on:',
    '  pull_request:',
    '  push:',
    `    branches: [${branch}]`,
    '',
    'permissions:',
    '  contents: read',
    '  actions: read',
    ...(ghcr ? ['  packages: write'] : []),
    '',
    'concurrency:',
    `  group: ${name}-\${{ github.ref }}`,
    "  cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
    '',
    'jobs:',
    '  images:',
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 60',
    '    env:',
    '      CI: "true"',
    '      NX_DAEMON: "false"',
    `      HASHDOCK_REGISTRY: ${registry}`,
    '      # With an Nx remote cache, give pull requests a read-only token: an untrusted build must never',
    '      # write a cache entry that the default branch restores.',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '        with:',
    '          fetch-depth: 0',
    ...pm.setup,
    ...(severalPlatforms ? ['      - name: Emulators for the other platforms (RUN in a stage built for them)', '        uses: docker/setup-qemu-action@v3'] : []),
    '      - uses: nrwl/nx-set-shas@v4',
    // It finds the last good run on the main branch, "main" unless told.
    ...(branch === 'main' ? [] : ['        with:', `          main-branch-name: ${branch}`]),
    '      - name: Image namespace',
    '        # Pull requests push only to a scratch namespace and read the release one first;',
    `        # the release namespace is written by ${branch} alone. Registries want lowercase.`,
    '        env:',
    '          PR_NUMBER: ${{ github.event.number }}',
    '        run: |',
    `          namespace="${namespace}"`,
    '          if [ "$GITHUB_EVENT_NAME" = "pull_request" ]; then',
    '            echo "HASHDOCK_REUSE_NAMESPACES=$namespace" >> "$GITHUB_ENV"',
    '            namespace="$namespace/scratch/pr-$PR_NUMBER"',
    '          fi',
    '          echo "HASHDOCK_NAMESPACE=$namespace" >> "$GITHUB_ENV"',
    ...(pm.install ? ['      - name: Install', `        run: ${pm.install}`] : []),
    '      - name: Log in to the registry',
    '        if: ${{ !github.event.pull_request.head.repo.fork }}',
    '        uses: docker/login-action@v3',
    '        with:',
    `          registry: ${registry}`,
    ...login,
    '      - name: Build and push the images that changed',
    '        # Each run appends the "why rebuilt" report to the job summary.',
    '        if: ${{ !github.event.pull_request.head.repo.fork }}',
    `        run: ${affected}`,
    ...secretEnv,
    '      - name: Build the images that changed (a fork cannot push)',
    '        if: ${{ github.event.pull_request.head.repo.fork }}',
    // The image targets' `local` configuration (push: false) reaches the images they build FROM, as --push=false would not.
    `        run: ${affected} --configuration=local`,
    // GitHub gives a fork's pull request empty secrets: set, so the build runs as the Dockerfile handles an empty one.
    ...secretEnv,
    '      - name: Keep the image manifests',
    '        if: always()',
    '        uses: actions/upload-artifact@v4',
    '        with:',
    '          name: images',
    `          path: ${config.manifestDir}/`,
    '          if-no-files-found: ignore',
    '',
  ];
  tree.write(path, lines.join('\n'));
  // Built from the workspace root, an image's context holds this file too: a CI edit would rebuild every such image.
  const ignored = (tree.read('.dockerignore', 'utf8') ?? '').split('\n').some((line) => /^\/?\.github(\/\**)?\/?$/.test(line.trim()));
  if (config.context === '{workspaceRoot}' && !ignored)
    logger.warn(`${path} is in the build context of every image built from the workspace root; add ".github" to .dockerignore so that editing CI does not rebuild them.`);
  if (secrets.variables.length)
    logger.warn(`The image targets read BuildKit secrets from ${secrets.variables.join(', ')}: the workflow passes each from the repository secret of that name; add ${secrets.variables.length > 1 ? 'them' : 'it'} in the repository's settings (a fork's pull request gets ${secrets.variables.length > 1 ? 'them' : 'it'} empty).`);
  if (secrets.unnamed.length) logger.warn(`The image targets read secrets from ${secrets.unnamed.join(', ')}, which GitHub cannot name a repository secret after: set ${secrets.unnamed.length > 1 ? 'them' : 'it'} in the build steps' env yourself.`);
  if (secrets.files.length) logger.warn(`The image targets read secret files ${secrets.files.join(', ')}: write ${secrets.files.length > 1 ? 'them' : 'it'} in a step before the builds (never commit one).`);
  if (node.said?.includes('older than')) logger.warn(`${node.said}.`);
  else if (node.said) logger.info(`${node.said}.`);
  logger.info(
    `Added ${path}: pull requests build into ${registry}/${shown}/scratch/pr-<n>, ${branch} pushes ${registry}/${shown}/<project>.` +
      (ghcr ? '' : ' Set the repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD.'),
  );
}

/** The GitHub repository, lowercased (GHCR wants lowercase), computed by the workflow's shell. */
const REPOSITORY_NAMESPACE = '${GITHUB_REPOSITORY,,}';

/**
 * The namespace the default branch pushes: `--namespace`; else, on GHCR, the one nx.json sets for
 * GHCR (what a developer's own push uses, so CI reuses it), or the repository (GHCR's packages live
 * under the repository's owner); on any other registry, the plugin's namespace.
 */
function releaseNamespace(option: string | undefined, registry: string, raw: HashdockOptions | undefined, configured: string): string {
  const ghcr = registry === 'ghcr.io';
  const namespace = option ?? (ghcr ? (raw?.registry === 'ghcr.io' ? raw.namespace : undefined) : configured);
  if (namespace === undefined) return REPOSITORY_NAMESPACE;
  try {
    parseRepository(`${registry}/${namespace}`);
  } catch (error) {
    throw new InvalidOptionError('namespace', `Namespace "${namespace}" is not a repository path on ${registry}: ${(error as Error).message}`, { cause: error });
  }
  return namespace;
}

/**
 * The branch nx.json's `defaultBase` names: it is a git ref for `nx affected` (`origin/main`,
 * `refs/remotes/origin/master`), the workflow filters on the branch (`main`). Undefined for a ref that
 * names no branch (`HEAD~1`, a commit).
 */
export function branchOf(defaultBase: string | undefined): string | undefined {
  if (!defaultBase) return undefined;
  const branch = defaultBase.replace(/^refs\/heads\//, '').replace(/^(refs\/)?remotes\/[^/]+\//, '').replace(/^(origin|upstream)\//, '');
  if (branch === '' || branch === 'HEAD' || /[~^:\s]/.test(branch) || /^[0-9a-f]{7,40}$/.test(branch)) return undefined;
  return branch;
}

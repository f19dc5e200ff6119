import type { Tree } from '@nx/devkit';

export interface PackageManagerSteps {
  /** Workflow steps that provide Node and the package manager (YAML lines, step indentation). */
  setup: string[];
  /** The install that uses the lockfile as it is; none where nothing is installed by a package manager. */
  install?: string;
  /** The command that runs Nx (`npx nx`, `./nx`). */
  nx: string;
}

/**
 * The workspace's package manager, from its lockfile (and `packageManager` in package.json, which pnpm's action reads).
 * `nodeLine`: setup-node's Node line (see nodeChoice).
 */
export function packageManagerSteps(tree: Tree, nodeLine: string): PackageManagerSteps {
  const setupNode = (cache?: string) => ['      - uses: actions/setup-node@v4', '        with:', `          ${nodeLine}`, ...(cache ? [`          cache: ${cache}`] : [])];
  // Nx's wrapper (`nx init --useDotNxInstallation`, a Go or Java repository): no package.json and no lockfile; `./nx`
  // installs the Nx and plugins nx.json's "installation" pins into .nx/installation itself.
  if (!tree.exists('package.json') && tree.exists('nx') && (JSON.parse(tree.read('nx.json', 'utf8') ?? '{}') as { installation?: unknown }).installation) return { setup: setupNode(), nx: './nx' };
  if (tree.exists('pnpm-lock.yaml')) {
    // pnpm/action-setup refuses a version given twice: only without a packageManager field does it need one.
    const { packageManager } = tree.exists('package.json') ? (JSON.parse(tree.read('package.json', 'utf8') ?? '{}') as { packageManager?: string }) : {};
    const pinned = packageManager?.startsWith('pnpm@') ?? false;
    return {
      setup: ['      - uses: pnpm/action-setup@v4', ...(pinned ? [] : ['        with:', '          version: 10']), ...setupNode('pnpm')],
      install: 'pnpm install --frozen-lockfile',
      nx: 'pnpm exec nx',
    };
  }
  if (tree.exists('bun.lock') || tree.exists('bun.lockb')) {
    // Bun installs and runs Nx (`bunx nx`, as Nx's guide for bun); Nx and Hashdock still run on Node, which setup-node
    // provides (it has no bun cache). The Bun version a packageManager field pins, else setup-bun's latest.
    const { packageManager } = tree.exists('package.json') ? (JSON.parse(tree.read('package.json', 'utf8') ?? '{}') as { packageManager?: string }) : {};
    const version = packageManager?.startsWith('bun@') ? packageManager.slice(4).split('+')[0] : undefined;
    return {
      setup: ['      - uses: oven-sh/setup-bun@v2', ...(version ? ['        with:', `          bun-version: ${version}`] : []), ...setupNode()],
      install: 'bun install --frozen-lockfile',
      nx: 'bunx nx',
    };
  }
  if (tree.exists('yarn.lock')) {
    const berry = tree.exists('.yarnrc.yml');
    return {
      setup: ['      - run: corepack enable', ...setupNode('yarn')],
      install: berry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile',
      nx: 'yarn nx',
    };
  }
  return { setup: setupNode('npm'), install: 'npm ci', nx: 'npx nx' };
}

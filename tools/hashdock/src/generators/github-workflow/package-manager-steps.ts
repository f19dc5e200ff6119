import type { Tree } from '@nx/devkit';

export interface PackageManagerSteps {
  /** Workflow steps that provide Node and the package manager (YAML lines, step indentation). */
  setup: string[];
  /** The install that uses the lockfile as it is. */
  install: string;
  /** How a workspace binary runs. */
  exec: string;
}

/** The workspace's package manager, from its lockfile (and `packageManager` in package.json, which pnpm's action reads). */
export function packageManagerSteps(tree: Tree, nodeVersion: string): PackageManagerSteps {
  const setupNode = (cache: string) => ['      - uses: actions/setup-node@v4', '        with:', `          node-version: ${nodeVersion}`, `          cache: ${cache}`];
  if (tree.exists('pnpm-lock.yaml')) {
    // pnpm/action-setup refuses a version given twice: only without a packageManager field does it need one.
    const { packageManager } = tree.exists('package.json') ? (JSON.parse(tree.read('package.json', 'utf8') ?? '{}') as { packageManager?: string }) : {};
    const pinned = packageManager?.startsWith('pnpm@') ?? false;
    return {
      setup: ['      - uses: pnpm/action-setup@v4', ...(pinned ? [] : ['        with:', '          version: 10']), ...setupNode('pnpm')],
      install: 'pnpm install --frozen-lockfile',
      exec: 'pnpm exec',
    };
  }
  if (tree.exists('yarn.lock')) {
    const berry = tree.exists('.yarnrc.yml');
    return {
      setup: ['      - run: corepack enable', ...setupNode('yarn')],
      install: berry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile',
      exec: 'yarn',
    };
  }
  return { setup: setupNode('npm'), install: 'npm ci', exec: 'npx' };
}

import { Tree } from '@nx/devkit';
import { runCommand } from '@hashdock/core';

/** Written on every run, never to be committed: Nx's cache and workspace data (as `nx init` ignores them), and the image manifests. */
const OWN_DATA = (manifestDir: string) => ['.nx/cache', '.nx/workspace-data', manifestDir];

/**
 * Add to .gitignore what Nx and Hashdock write on every run and git does not ignore yet, asked of git itself
 * (`git check-ignore --no-index`, so the repository's every ignore file and rule counts). A workspace that had no
 * nx.json (a turbo or plain pnpm one, given Nx by `nx add`) has no `.nx` lines: its first `git status` would show
 * Nx's cache. `.nx/installation` (Nx's wrapper) is left as it is. Outside a git repository: nothing. The lines added.
 */
export async function gitIgnoreOwnData(tree: Tree, manifestDir: string): Promise<string[]> {
  const paths = OWN_DATA(manifestDir.replace(/^\.\//, '').replace(/\/$/, ''));
  // One question for all: git prints those it ignores; exit 1 is none of them, 128 no repository (or no git).
  const ignored = await runCommand('git', ['check-ignore', '--no-index', ...paths], { cwd: tree.root }).then(
    ({ stdout }) => new Set(stdout.split('\n')),
    (error: { exitCode?: number }) => (error.exitCode === 1 ? new Set<string>() : undefined),
  );
  if (ignored === undefined) return [];
  const missing = paths.filter((path) => !ignored.has(path));
  if (missing.length === 0) return [];
  const before = tree.read('.gitignore', 'utf8') ?? '';
  const separator = before === '' ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  tree.write('.gitignore', `${before}${separator}# Nx's cache and data, Hashdock's image manifests (added by nx add @hashdock/nx-plugin)\n${missing.map((path) => `/${path}`).join('\n')}\n`);
  return missing;
}

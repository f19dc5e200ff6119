import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '../process/command-error';
import { runCommand } from '../process/run-command';
import { pathWithin } from '../workspace/path-within';

/**
 * The files an image copies (workspace-relative) that Nx's task hash cannot see: matched by a `.gitignore` (or
 * Nx's `.nxignore`), tracked or not (Nx walks the disk with those rules and never asks git's index), and not
 * the output of a task the image depends on (`covered`: those outputs, which reach the task hash as
 * dependentTasksOutputFiles). An edit to one of them alone replays the cached image. Empty outside a git
 * checkout. One `git check-ignore --no-index` for all of them.
 */
export async function sourcesNxCannotSee(workspaceRoot: string, files: readonly string[], covered: readonly string[]): Promise<string[]> {
  const candidates = files.filter((file) => !file.includes('\n') && !covered.some((output) => pathWithin(file, output)));
  if (candidates.length === 0) return [];
  const nxignore = join(workspaceRoot, '.nxignore');
  // .nxignore as git's exclude file: the same gitignore syntax, from the workspace root (Nx reads it so).
  const args = [...(existsSync(nxignore) ? ['-c', `core.excludesFile=${nxignore}`] : []), 'check-ignore', '--no-index', '--stdin'];
  try {
    const { stdout } = await runCommand('git', args, { cwd: workspaceRoot, input: `${candidates.join('\n')}\n` });
    return stdout.split('\n').filter(Boolean).sort();
  } catch (error) {
    // 1: none is ignored; 128: not a git checkout (Nx then hashes what it finds on disk).
    if (error instanceof CommandError && (error.exitCode === 1 || error.exitCode === 128)) return [];
    throw error;
  }
}

/** The warning for files Nx cannot see: a folder with more than three of them is said once, with the count. */
export function unseenSourcesWarning(image: string, unseen: readonly string[]): string | undefined {
  if (unseen.length === 0) return undefined;
  const byTop = new Map<string, string[]>();
  for (const file of unseen) {
    const top = file.includes('/') ? `${file.slice(0, file.indexOf('/'))}/` : file;
    byTop.set(top, [...(byTop.get(top) ?? []), file]);
  }
  const named = [...byTop].flatMap(([top, files]) => (files.length > 3 ? [`${top} (${files.length} files)`] : files));
  const shown = named.length > 6 ? [...named.slice(0, 6), `${named.length - 6} more`] : named;
  return (
    `hashdock: warning: ${image} copies ${unseen.length === 1 ? 'a file' : `${unseen.length} files`} that git ignores (or .nxignore) and no task it depends on outputs: ${shown.join(', ')}. ` +
    "Nx's task hash cannot see them, so an edit to them alone replays the cached image. Make them the output of a task the image depends on, " +
    'set the plugin option "hashIgnoredSources": true (Nx 23.3+ hashes them from disk), or leave them out with .dockerignore.'
  );
}

/**
 * Every project.json and package.json of the workspace, as Nx's own list of
 * workspace files has them (tracked or untracked, never ignored), so the
 * inferred inputs follow exactly the files Nx hashes. Undefined when this Nx
 * does not expose that list (or has no workspace context, as in unit tests):
 * the inputs then name every fileset from the workspace root.
 */
export async function nxProjectFiles(workspaceRoot: string): Promise<string[] | undefined> {
  try {
    const { globWithWorkspaceContext } = require('nx/src/utils/workspace-context') as { globWithWorkspaceContext?: (root: string, globs: string[]) => Promise<string[]> };
    if (typeof globWithWorkspaceContext !== 'function') return undefined;
    return await globWithWorkspaceContext(workspaceRoot, ['**/project.json', '**/package.json']);
  } catch {
    return undefined;
  }
}

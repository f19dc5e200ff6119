import { promises as fs } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { ContextOutsideWorkspaceError, DockerfileNotFoundError, HashdockError } from '../errors';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** A context must be a directory inside the workspace (after symlinks); `what` names it in errors. */
async function checkContextDir(root: string, workspaceRoot: string, contextDir: string, what: string): Promise<void> {
  let context: string;
  try {
    context = await fs.realpath(contextDir);
  } catch (cause) {
    if (!inside(root, contextDir)) throw new ContextOutsideWorkspaceError(contextDir, workspaceRoot, what);
    throw new HashdockError('CONTEXT_NOT_FOUND', `${what} ${contextDir} does not exist.`, { cause });
  }
  if (!inside(root, context)) throw new ContextOutsideWorkspaceError(contextDir, workspaceRoot, what);
  const stat = await fs.stat(context);
  if (!stat.isDirectory()) throw new HashdockError('CONTEXT_NOT_FOUND', `${what} ${contextDir} is not a directory.`);
}

/** The context and each named context must be directories inside the workspace (after symlinks); the Dockerfile must exist. */
export async function checkBuildPaths(workspaceRoot: string, contextDir: string, dockerfile: string, namedContexts: Record<string, string> = {}): Promise<void> {
  const root = await fs.realpath(workspaceRoot);
  await checkContextDir(root, workspaceRoot, contextDir, 'Build context');
  for (const [name, dir] of Object.entries(namedContexts)) await checkContextDir(root, workspaceRoot, dir, `Named build context ${name}`);
  try {
    const dockerfileStat = await fs.stat(dockerfile);
    if (!dockerfileStat.isFile()) throw new DockerfileNotFoundError(dockerfile);
  } catch (cause) {
    if (cause instanceof DockerfileNotFoundError) throw cause;
    throw new DockerfileNotFoundError(dockerfile, { cause });
  }
}

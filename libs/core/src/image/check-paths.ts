import { promises as fs } from 'node:fs';
import { relative, isAbsolute } from 'node:path';
import { ContextOutsideWorkspaceError, DockerfileNotFoundError, HashdockError } from '../errors';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The context must be a directory inside the workspace (after symlinks); the Dockerfile must exist. */
export async function checkBuildPaths(workspaceRoot: string, contextDir: string, dockerfile: string): Promise<void> {
  const root = await fs.realpath(workspaceRoot);
  let context: string;
  try {
    context = await fs.realpath(contextDir);
  } catch (cause) {
    if (!inside(root, contextDir)) throw new ContextOutsideWorkspaceError(contextDir, workspaceRoot);
    throw new HashdockError('CONTEXT_NOT_FOUND', `Build context ${contextDir} does not exist.`, { cause });
  }
  if (!inside(root, context)) throw new ContextOutsideWorkspaceError(contextDir, workspaceRoot);
  const stat = await fs.stat(context);
  if (!stat.isDirectory()) throw new HashdockError('CONTEXT_NOT_FOUND', `Build context ${contextDir} is not a directory.`);
  try {
    const dockerfileStat = await fs.stat(dockerfile);
    if (!dockerfileStat.isFile()) throw new DockerfileNotFoundError(dockerfile);
  } catch (cause) {
    if (cause instanceof DockerfileNotFoundError) throw cause;
    throw new DockerfileNotFoundError(dockerfile, { cause });
  }
}

import { nodeVersionProblem, nxVersionProblem } from '@hashdock/core/runtime';

/**
 * Every entry point Nx loads (the plugin, executors, generators) calls this
 * before importing anything else: with an unsupported Node or Nx, one line
 * naming the versions needed, instead of a stack trace from a dependency.
 */
export function assertSupportedRuntime(): void {
  const problem = nodeVersionProblem() ?? nxVersionProblem(installedNxVersion());
  if (problem) throw new Error(problem);
}

function installedNxVersion(): string {
  try {
    // The workspace's nx, resolved the way Nx resolves plugins: from the workspace root first.
    return (require(require.resolve('nx/package.json', { paths: [process.cwd(), __dirname] })) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

import { createHash } from 'node:crypto';
import type { CustomHasher } from '@nx/devkit';
import { BASE_DIGESTS_METADATA } from '@hashdock/core/names';
import type { BaseDigestSpec } from '@hashdock/core/base-digests';
import { hashTogether } from './hash-together';

/**
 * Nx's hash of an image task, and, for an image with external bases (the plugin lists them in the target's
 * metadata), each base's digest now: a re-pushed `node:24` is a new task hash while no file changed, so Nx
 * runs the task instead of replaying a manifest of the old base. Read here, in Nx's own process (one HEAD
 * per base and run), where a runtime input would start a shell and a Node process at the head of every run.
 * A base that cannot be read goes into the hash as its error: the task then runs, and the executor names
 * the base and the Dockerfile line that reads it.
 */
const hashImageTask: CustomHasher = async (task, context) => {
  // Nx gives each task its environment (.env files loaded); the `env` inputs and the build-arg overrides read it.
  const env = (context as { env?: NodeJS.ProcessEnv }).env ?? process.env;
  const specs = context.projectGraph.nodes[task.target.project]?.data.targets?.[task.target.target]?.metadata?.[BASE_DIGESTS_METADATA] as BaseDigestSpec[] | undefined;
  // The registry is asked while Nx hashes the files: both are on the path to the first task.
  const [hash, bases] = await Promise.all([hashTogether(context.hasher, task, context.taskGraph, env), Array.isArray(specs) && specs.length ? readBases(specs, env) : undefined]);
  if (!bases) return hash;
  const value = createHash('sha256').update([hash.value, ...Object.values(bases)].join('\n')).digest('hex');
  return { ...hash, value, details: { ...hash.details, runtime: { ...hash.details.runtime, ...bases } } };
};

/** Each base's lines (or its error), under the command that prints the same: shown as a runtime input's output is, in Nx's hash details. */
async function readBases(specs: BaseDigestSpec[], env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const { baseDigestArgs, baseDigestLines, cacheDirFor, findWorkspaceRoot } = await import('@hashdock/core/base-digests');
  // Not @nx/devkit's workspaceRoot: loading devkit cost ~24 ms of the run here; Nx runs from inside the workspace.
  const cacheDir = cacheDirFor(findWorkspaceRoot(process.cwd()), 'registry');
  const read = await Promise.all(
    specs.map(async (spec) => {
      const command = `hashdock ${baseDigestArgs(spec).join(' ')}`;
      const lines = await baseDigestLines(spec, env, cacheDir).then(
        (found) => found.join('\n'),
        (error: Error) => `${command} failed: ${error.message}`,
      );
      return [command, lines] as const;
    }),
  );
  return Object.fromEntries(read);
}

export default hashImageTask;

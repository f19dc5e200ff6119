import { posix } from 'node:path';
import { Tree } from '@nx/devkit';
import { contextScopeOf } from '@hashdock/core';
import { ConfiguredBuild, DockerfileContext } from './context-evidence';
import { buildFolderOf } from './build-folder';
import { STDIN_CONTEXT } from './docker-build-command';

/** Folders builds write to: a source under one may simply not be built yet. */
const OUTPUT_FOLDERS = new Set(['dist', 'build', 'out']);

/** A build nx add could not follow, as the readers tell it (see UnfollowedBuild). */
export interface UnfollowedNote {
  file: string;
  command: string;
  reason: string;
  /** Where the Dockerfile it builds may be (see UnfollowedBuild). */
  dockerfiles: readonly string[];
}

/** A Dockerfile built today only from a context a command writes to stdin, and what it copies that no folder has. */
export interface StdinContextDockerfile {
  dockerfile: string;
  /** The first build of it found: `<file>: \`<command>\``. */
  said: string;
  /** A COPY/ADD source that is not in the folder Hashdock would build it from. */
  missing: string;
}

/**
 * The Dockerfiles whose every build found takes its context on stdin (novu pipes `pnpm-context
 * apps/api/Dockerfile` into `docker buildx build -`: a tar of `meta/`, `deps/`, `pkg/` made on the fly),
 * and which copy a path the folder Hashdock would build them from does not have (nor will: not under a
 * build output folder such as dist/): their inferred targets could only fail. A Dockerfile built some
 * other way too, or whose sources are all there (`tar -c . | docker build -` of its own folder, or no
 * COPY at all), is not one of them. `chosen` and `policy`: where each builds from (see buildFolderOf).
 */
export function stdinContextDockerfiles(
  tree: Tree,
  notes: readonly UnfollowedNote[],
  builds: readonly ConfiguredBuild[],
  dockerfiles: readonly string[],
  chosen: readonly DockerfileContext[],
  policy: 'workspace' | 'project' | undefined,
): StdinContextDockerfile[] {
  const found: StdinContextDockerfile[] = [];
  for (const dockerfile of dockerfiles) {
    const note = notes.find((candidate) => candidate.dockerfiles.includes(dockerfile) && candidate.reason === STDIN_CONTEXT);
    if (!note || builds.some((build) => build.dockerfile === dockerfile)) continue;
    const { context } = buildFolderOf(tree, dockerfile, chosen, policy);
    if (context === undefined) continue;
    const scope = contextScopeOf(tree.read(dockerfile, 'utf8') ?? '');
    if (scope.kind !== 'sources') continue;
    // A build output not built yet (dist/…) says nothing: the build target makes it.
    const missing = scope.sources.find(({ path, wildcard }) => !wildcard && path !== '.' && !path.split('/').some((part) => OUTPUT_FOLDERS.has(part)) && !tree.exists(posix.join(context, path)));
    if (missing) found.push({ dockerfile, said: `${note.file}: \`${note.command}\``, missing: missing.path });
  }
  return found;
}

import { HashdockError } from '../errors';
import { InheritedTriggers } from '../docker/onbuild-triggers';
import { parseDockerfileFroms, repositoryOf } from '../docker/dockerfile-from';

export interface WorkspaceBaseImage {
  /** Project whose image this Dockerfile builds FROM. */
  project: string;
  /** Build arg carrying the reference, so Hashdock can pin it to the exact digest. */
  arg?: string;
  line: number;
}

/** `localhost:5000/hashdock/base:tag` → `hashdock/base`. */
export function imageNameWithoutRegistry(reference: string): string {
  const repository = repositoryOf(reference);
  const parts = repository.split('/');
  const first = parts[0];
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) parts.shift();
  return parts.join('/');
}

/**
 * Which workspace images a Dockerfile builds FROM or copies from (`COPY --from=`,
 * `RUN --mount=…,from=`): each is built first and pinned. `workspaceImages` maps an
 * image name without registry (`hashdock/base`) to its project.
 */
export function findWorkspaceBaseImages(dockerfileText: string, workspaceImages: Record<string, string>): WorkspaceBaseImage[] {
  const { froms } = parseDockerfileFroms(dockerfileText);
  const found: WorkspaceBaseImage[] = [];
  for (const from of froms) {
    const project = workspaceImages[imageNameWithoutRegistry(from.resolved)];
    if (project && !found.some((base) => base.project === project)) found.push({ project, arg: from.fromArg, line: from.line });
  }
  return found;
}

/**
 * The ONBUILD triggers each FROM of a workspace image brings into this build, by FROM line (see
 * contextScopeOf): `triggersOf` gives a workspace image's own (by the name `workspaceImages` maps to).
 */
export function inheritedTriggers(
  dockerfileText: string,
  workspaceImages: Record<string, string>,
  triggersOf: (image: string) => readonly string[] | undefined,
): Map<number, InheritedTriggers> {
  const found = new Map<number, InheritedTriggers>();
  for (const from of parseDockerfileFroms(dockerfileText).froms) {
    const image = from.via ? undefined : workspaceImages[imageNameWithoutRegistry(from.resolved)];
    const triggers = image === undefined ? undefined : triggersOf(image);
    if (image !== undefined && triggers?.length) found.set(from.line, { image, triggers });
  }
  return found;
}

export class LiteralWorkspaceFromError extends HashdockError {
  constructor(dockerfile: string, line: number, project: string) {
    super(
      'LITERAL_WORKSPACE_FROM',
      `${dockerfile}:${line} names the workspace image "${project}" literally. ` +
        `Declare it through a build arg (ARG BASE_IMAGE=<namespace>/${project} then FROM \${BASE_IMAGE}, or COPY --from=\${BASE_IMAGE}) so Hashdock can pin the exact digest.`,
    );
  }
}

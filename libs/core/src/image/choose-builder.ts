import { InvalidOptionError } from '../errors';
import { ExternalBase } from './external-bases';
import { ImageBuildOptions, platformList } from './image-options';
import { registryEligibility } from './registry-eligibility';

export interface BuilderChoice {
  name: 'docker' | 'registry';
  reason: string;
  /** For the registry builder: the base image manifest (for the target platform) to build on. */
  base?: { repository: string; digest: string };
}

/**
 * Which builder makes this image. `auto` takes the registry builder when the
 * Dockerfile is eligible, the image is pushed, and its one base is pinned in a
 * registry (a pushed workspace image, or an external base resolved to a
 * digest); otherwise docker, with the reason. `registry` refuses what it
 * cannot build, naming why.
 */
export function chooseBuilder(
  options: Pick<ImageBuildOptions, 'builder' | 'push' | 'dockerfile' | 'platform' | 'buildContexts'>,
  dockerfileText: string,
  bases: { workspace: readonly { reference: string; project?: string; onbuild?: readonly string[] }[]; external: readonly ExternalBase[] },
): BuilderChoice {
  const platforms = platformList(options.platform);
  const several = platforms.length > 1 ? `; ${platforms.length} platforms, one docker build each and an index over them` : '';
  if (options.builder === 'docker') return { name: 'docker', reason: `builder option is "docker"${several}` };
  const refuse = (reason: string): BuilderChoice => {
    if (options.builder === 'registry') throw new InvalidOptionError('builder', `${options.dockerfile}: the registry builder cannot build this image: ${reason}. Use builder "auto" or "docker".`);
    return { name: 'docker', reason: `${reason}${several}` };
  };
  const named = Object.keys(options.buildContexts ?? {});
  if (named.length) return refuse(`named build contexts (${named.join(', ')}) are passed to docker buildx --build-context`);
  const eligibility = registryEligibility(dockerfileText);
  if (!eligibility.eligible) return refuse(eligibility.reason);
  if (!options.push) return refuse('--no-push builds into the local docker image store');
  // (An external base's triggers are seen in its config, when the image is assembled.)
  const triggered = bases.workspace.find((base) => base.onbuild?.length);
  if (triggered) return refuse(`the base image ${triggered.project ?? triggered.reference} has ONBUILD triggers, which docker runs in this build`);
  const pinned = bases.workspace.length ? bases.workspace[0].reference : bases.external[0]?.pinned;
  const at = pinned?.indexOf('@sha256:') ?? -1;
  if (!pinned || at < 0) return refuse('the base image is not pushed to a registry (build it with push first)');
  const reason = options.builder === 'registry' ? 'builder option is "registry"' : 'one stage of COPY and config instructions on a pinned base';
  return { name: 'registry', reason, base: { repository: pinned.slice(0, at), digest: pinned.slice(at + 1) } };
}

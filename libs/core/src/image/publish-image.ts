import { randomBytes } from 'node:crypto';
import { candidateTag, claimTag, ClaimOptions } from '../registry/claim-tag';
import { retag } from '../registry/retag';
import { hasTag } from '../registry/tag-exists';
import { ResolvedTags } from '../tags/tag-policy';
import { RawManifest } from '../registry/manifest-io';
import { putAssembled } from './assemble-image';
import type { BuildImageDeps } from './build-image';

/** A run id that sorts by time first, so "smallest wins" prefers the earlier run. */
export function newRunId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}${randomBytes(4).toString('hex')}`;
}

export interface PublishResult {
  digest: string;
  /** Another run's image holds the content-hash tag; ours was not kept. */
  adopted: boolean;
}

/**
 * Push a freshly built image so its content-hash tag never moves: the image
 * goes up under a run-unique candidate tag (built under that local name too,
 * so two clones on one daemon never push each other's image), the tag is
 * claimed (see claimTag), and the other tags follow the digest the
 * content-hash tag holds. The local image keeps the plain `<repo>:<hash>` name.
 */
export async function publishImage(
  deps: BuildImageDeps,
  repository: string,
  tags: ResolvedTags,
  runId: string,
  storeRecord: () => Promise<void>,
  claim: ClaimOptions = {},
  /** Set for the registry builder: its blobs are in the registry, its manifest not yet (no docker involved). */
  assembled?: { digest: string; manifest: RawManifest; bringSkipped?: () => Promise<void> },
): Promise<PublishResult> {
  const candidate = candidateTag(tags.immutable, runId);
  const local = `${repository}:${candidate}`;
  try {
    if (!assembled) await deps.docker.push(local, deps.signal);
    // The inputs record describes the content hash, whichever image wins the tag: stored while the tag is claimed.
    const recorded = storeRecord();
    const pushed = assembled?.digest ?? (await hasTag(deps.registry, repository, candidate, 'push'));
    if (!pushed) throw new Error(`${local} is missing from the registry right after docker push`);
    // An assembled image's blobs are in the registry; its manifest goes up under the candidate tag as the claim starts.
    const pushCandidate = assembled && (() => putAssembled(deps.registry, repository, candidate, assembled));
    const result = await claimTag(deps.registry, repository, tags.immutable, { runId, digest: pushed, ...(assembled ? { manifest: assembled.manifest, pushCandidate } : {}) }, claim);
    if (result.adopted) deps.log(`hashdock: another run pushed ${repository}:${tags.immutable} first (${result.digest}); adopted its image and removed ours (${pushed})`);
    await Promise.all([...tags.all.slice(1).map((tag) => retag(deps.registry, repository, result.digest, tag)), recorded]);
    return result;
  } finally {
    if (!assembled) {
      await deps.docker.tag(local, `${repository}:${tags.immutable}`).catch(() => undefined);
      await deps.docker.untag(local).catch(() => undefined);
    }
  }
}

import { RegistryClient } from './client';
import { listTags } from './list-tags';
import { getManifest, isIndex, putManifest, RawManifest } from './manifest-io';
import { headManifest } from './manifest-by-digest';
import { hasTag } from './tag-exists';

export interface ClaimOptions {
  /** How long a run that sees other candidates waits for the tag before deciding by run id. */
  settleMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ClaimResult {
  /** The digest the tag holds, now and from now on. */
  digest: string;
  /** True when another run's image won and this run took it. */
  adopted: boolean;
}

export const candidateTag = (tag: string, runId: string) => `${tag}.candidate-${runId}`;

/**
 * Make an immutable tag hold exactly one digest, whichever of several
 * concurrent runs of the same content hash finish first. A registry has no
 * "create if absent", so each run first pushes its image under its own
 * candidate tag (`<tag>.candidate-<runId>`), then lists the candidates:
 *
 * - the tag already exists → take its digest (never replace it);
 * - only its own candidate is listed → it finished first: it sets the tag.
 *   (Of two runs, at most one can see only itself: the later one's candidate
 *   appeared after the earlier one listed, so the later one sees both.)
 * - others are listed → wait for the tag to appear and take it; if it does
 *   not within `settleMs` (every run saw every candidate), the smallest run id
 *   wins, a choice every such run makes the same way (among candidates of the
 *   caller's kind when it gives its manifest: an image never wins over indexes).
 *
 * A losing run deletes its own manifest (and so its candidate tag) when it
 * differs from the winner's, so nothing untagged is left to be mistaken for a
 * release, and nothing recorded is ever garbage-collected.
 */
export async function claimTag(
  client: RegistryClient,
  repository: string,
  tag: string,
  /** `pushCandidate` puts our image under its candidate tag, while the tag is looked at (one round trip saved). */
  mine: { runId: string; digest: string; manifest?: RawManifest; pushCandidate?: () => Promise<unknown> },
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const settleMs = options.settleMs ?? 10_000;
  const pollMs = options.pollMs ?? 200;
  const prefix = candidateTag(tag, '');
  const candidates = async () => (await listTags(client, repository)).filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length)).sort();

  // A candidate of another kind than ours (one platform's image where ours is an index: a multi-platform run killed
  // between its platforms left a child under its candidate tag) never wins. Every run that decides skips the same ones.
  // (A registry that does not say a candidate's media type: it may win, as before.)
  const firstOfKind = async (listed: string[]): Promise<string> => {
    if (!mine.manifest) return listed[0] ?? mine.runId;
    for (const runId of listed) {
      if (runId === mine.runId) return runId;
      const head = await headManifest(client, repository, candidateTag(tag, runId));
      if (head && (head.mediaType === undefined || isIndex(head.mediaType) === isIndex(mine.manifest.mediaType))) return runId;
    }
    return mine.runId;
  };
  let [held] = await Promise.all([hasTag(client, repository, tag, 'push'), mine.pushCandidate?.()]);
  if (!held) {
    const seen = await candidates();
    if (seen.length <= 1 || seen.every((runId) => runId === mine.runId)) {
      // Our own manifest's bytes, when the caller has them, save reading them back.
      const put = await putManifest(client, repository, tag, mine.manifest ?? (await getManifest(client, repository, mine.digest)));
      // Only one run can see only itself: the tag is ours, as the registry just said.
      if (put === mine.digest) return { digest: put, adopted: false };
    } else {
      const deadline = Date.now() + settleMs;
      while (!held && Date.now() < deadline) {
        await sleep(pollMs);
        held = await hasTag(client, repository, tag, 'push');
      }
      if (!held) {
        const winner = await firstOfKind(await candidates());
        const digest = winner === mine.runId ? mine.digest : await hasTag(client, repository, candidateTag(tag, winner), 'push');
        // Every run that gets here picks the same winner, so this PUT never changes what the tag holds.
        if (digest && !(await hasTag(client, repository, tag, 'push'))) await putManifest(client, repository, tag, await getManifest(client, repository, digest));
      }
    }
    held = await hasTag(client, repository, tag, 'push');
  }
  if (!held) throw new Error(`${repository}:${tag} is missing right after it was set`);
  const adopted = held !== mine.digest;
  if (adopted) {
    // Our image lost: remove it (its candidate tag goes with it). Never when it is the winner's digest too.
    await client.request(repository, { method: 'DELETE', path: `manifests/${mine.digest}`, scope: 'push', expect: [202, 404, 405] }).then((response) => response.body?.cancel(), () => undefined);
  }
  return { digest: held, adopted };
}

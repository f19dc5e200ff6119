import { RegistryClient } from './client';
import { blobExists, copyBlob, mountBlob } from './blobs';
import { DigestMismatchError, getManifest, putManifest, references } from './manifest-io';
import { isRegistryAuthError, TagConflictError } from './errors';
import { parseRepository } from './reference';
import { hasTag } from './tag-exists';
import { Limiter } from './limiter';

export interface PromoteEndpoint {
  client: RegistryClient;
  /** host/path, no tag. */
  repository: string;
}

export interface PromoteImageOptions {
  source: PromoteEndpoint & { digest: string };
  target: PromoteEndpoint;
  tags: readonly string[];
  /** Move tags that point at another digest (never the default). */
  force?: boolean;
  dryRun?: boolean;
  /** Where to say what was done differently than planned (a mount refused, copied instead). */
  log?: (line: string) => void;
  /** One budget of blob transfers shared by every image of a run (default: 4 for this image alone). */
  limiter?: Limiter;
}

export interface PromoteImageResult {
  digest: string;
  blobs: { present: number; mounted: number; copied: number };
  /** Bytes of blobs streamed to the target (zero for mounts and blobs already present). */
  blobBytesCopied: number;
  manifestsPut: number;
  /** Tag → what happens/happened: unchanged, created, moved (forced) or conflict (dry run only). */
  tags: Record<string, 'unchanged' | 'created' | 'moved' | 'conflict'>;
}

/**
 * Make `source@digest` available as `target:tag…` without rebuilding: blobs
 * mounted (same registry) or streamed (other registry), skipping those the
 * target has; index children first; the exact manifest bytes PUT; the target
 * digest verified equal to the source digest. Idempotent, so a rerun after
 * an interruption converges.
 */
export async function promoteImage(options: PromoteImageOptions): Promise<PromoteImageResult> {
  const { source, target } = options;
  const sameRegistry = parseRepository(source.repository).registry === parseRepository(target.repository).registry;
  const result: PromoteImageResult = { digest: source.digest, blobs: { present: 0, mounted: 0, copied: 0 }, blobBytesCopied: 0, manifestsPut: 0, tags: {} };

  // Tags first: refuse before moving anything.
  for (const tag of options.tags) {
    const current = await hasTag(target.client, target.repository, tag);
    if (!current) result.tags[tag] = 'created';
    else if (current === source.digest) result.tags[tag] = 'unchanged';
    else if (options.force) result.tags[tag] = 'moved';
    else if (options.dryRun) result.tags[tag] = 'conflict';
    else throw new TagConflictError(`${target.repository}:${tag}`, current, source.digest);
  }

  async function transfer(blob: { digest: string; size: number }): Promise<void> {
    // Within one registry a mount answers 201 whether or not the target had the blob: skip the HEAD.
    if (sameRegistry && !options.dryRun) {
      let mount: Awaited<ReturnType<typeof mountBlob>> | undefined;
      try {
        mount = await mountBlob(target.client, target.repository, blob.digest, source.repository);
      } catch (error) {
        // A token service may refuse pull on the source together with push on the target: copy instead.
        if (!isRegistryAuthError(error)) throw error;
        options.log?.(`hashdock: could not mount ${blob.digest} into ${target.repository} from ${source.repository} (${(error as Error).message.split('. ')[0]}); copying it instead`);
      }
      if (mount?.mounted) {
        result.blobs.mounted++;
        return;
      }
      await copyBlob(source.client, source.repository, target.client, target.repository, blob.digest, blob.size, { location: mount?.location, log: options.log });
      result.blobs.copied++;
      result.blobBytesCopied += blob.size;
      return;
    }
    if (await blobExists(target.client, target.repository, blob.digest)) {
      result.blobs.present++;
      return;
    }
    if (options.dryRun) {
      result.blobs[sameRegistry ? 'mounted' : 'copied']++;
      return;
    }
    await copyBlob(source.client, source.repository, target.client, target.repository, blob.digest, blob.size, { log: options.log });
    result.blobs.copied++;
    result.blobBytesCopied += blob.size;
  }

  async function copyManifest(digest: string): Promise<void> {
    const manifest = await getManifest(source.client, source.repository, digest);
    const { children, blobs } = references(manifest);
    for (const child of children) await copyManifest(child.digest);
    await forEachLimited(blobs, 4, (blob) => (options.limiter ? options.limiter.run(() => transfer(blob)) : transfer(blob)));
    if (options.dryRun) return;
    if (digest !== source.digest || options.tags.length === 0) {
      const put = await putManifest(target.client, target.repository, digest, manifest);
      if (put !== digest) throw new DigestMismatchError(`${target.repository}@${digest}`, digest, put);
      result.manifestsPut++;
    } else {
      for (const tag of options.tags) {
        if (result.tags[tag] === 'unchanged') continue;
        const put = await putManifest(target.client, target.repository, tag, manifest);
        if (put !== digest) throw new DigestMismatchError(`${target.repository}:${tag}`, digest, put);
        result.manifestsPut++;
      }
    }
  }

  await copyManifest(source.digest);
  if (!options.dryRun) {
    for (const tag of options.tags) {
      const now = await hasTag(target.client, target.repository, tag);
      if (now !== source.digest) throw new DigestMismatchError(`${target.repository}:${tag}`, source.digest, now ?? 'nothing');
    }
  }
  return result;
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

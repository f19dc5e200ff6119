import { ContentHashResult } from '../hash/content-hash';
import { toHex64, XxHasher } from '../hash/xxhash';
import { hasTag } from '../registry/tag-exists';
import type { BuildImageDeps, BuildImageResult } from './build-image';
import { ImageBuildOptions } from './image-options';
import { LABEL_CONTENT_HASH } from './image-labels';
import { diffCanonical, inputsTag, reasonsSince, rebuildReasons, sourceLines, storeInputs } from './rebuild-reasons';
import { localInputsFile, readLocalInputs, writeLocalInputs } from './local-inputs-record';

/** The canonical inputs plus the bundler's source lines: what travels with the image as `<hash>.inputs`. */
export async function inputsRecordOf(options: ImageBuildOptions, hash: ContentHashResult, xx: XxHasher): Promise<string> {
  return hash.canonical + (options.buildMetafile ? await sourceLines(options.workspaceRoot, options.buildMetafile, (bytes) => toHex64(xx.h64Raw(bytes)), options.contextDir) : '');
}

/**
 * The "exists" path stores an inputs record that is missing (a push
 * interrupted after the image but before its record), so "why rebuilt" keeps
 * its history. Best effort, like the store after a build.
 */
export async function restoreMissingInputsRecord(options: ImageBuildOptions, deps: BuildImageDeps, contentHash: string, record: () => Promise<string>): Promise<void> {
  try {
    if (await hasTag(deps.registry, options.repository, inputsTag(contentHash), 'push')) return;
    await storeInputs(deps.registry, options.repository, contentHash, await record());
    deps.log(`hashdock: stored the missing inputs record ${options.repository}:${inputsTag(contentHash)}`);
  } catch (error) {
    recordFailed(options, deps, contentHash, error);
  }
}

/** After a fresh build: written without asking first (storing it again is idempotent). Best effort, never rejects. */
export async function storeInputsRecord(options: ImageBuildOptions, deps: BuildImageDeps, contentHash: string, record: string): Promise<void> {
  // A local copy too, for the next build here (see localInputsFile); losing it only costs two requests.
  const local = writeLocalInputs(localInputsFile(options.workspaceRoot, options.repository), contentHash, record).catch(() => undefined);
  try {
    await storeInputs(deps.registry, options.repository, contentHash, record);
  } catch (error) {
    recordFailed(options, deps, contentHash, error);
  }
  await local;
}

function recordFailed(options: ImageBuildOptions, deps: BuildImageDeps, contentHash: string, error: unknown): void {
  deps.log(`hashdock: could not store the inputs record of ${options.repository}:${contentHash}: ${(error as Error).message.split('\n')[0]}`);
}

/** Best effort: a registry without the previous image or its inputs record gives no reasons, not an error. */
export async function findReasons(options: ImageBuildOptions, deps: BuildImageDeps, canonical: string, previousHash: string | undefined): Promise<BuildImageResult['reasons']> {
  const previousTag = previousHash ?? (options.tagTemplates.includes('latest') ? 'latest' : undefined);
  if (!previousTag) return undefined;
  try {
    // This checkout's copy of the previous record, when it has one, saves the registry two reads.
    const local = previousHash ? await readLocalInputs(localInputsFile(options.workspaceRoot, options.repository), previousHash) : undefined;
    if (local !== undefined) return { previousHash: previousHash!, changes: diffCanonical(local, canonical) };
    // A known previous content hash names its inputs record directly; `latest` is read through the image's label.
    return previousHash ? await reasonsSince(deps.registry, options.repository, previousHash, canonical) : await rebuildReasons(deps.registry, options.repository, previousTag, canonical, LABEL_CONTENT_HASH);
  } catch (error) {
    deps.log(`hashdock: no rebuild reasons for ${options.project}: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../files/write-file-atomic';

/**
 * The release versions an image was tagged with, beside the manifests: `<manifestDir>/.versions/<image>.json`
 * (`{ digest, tags }`). Not a task output (Nx restores a manifest from its cache, never this); a record counts
 * only while it names the manifest's digest, so promotion from the manifests carries an image's version tags
 * and never another image's.
 */
interface VersionRecord {
  digest: string;
  tags: string[];
}

const recordPath = (manifestDir: string, image: string) => join(manifestDir, '.versions', `${image}.json`);

async function readRecord(manifestDir: string, image: string): Promise<VersionRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(recordPath(manifestDir, image), 'utf8')) as Partial<VersionRecord>;
    return typeof record.digest === 'string' && Array.isArray(record.tags) ? { digest: record.digest, tags: record.tags.filter((tag) => typeof tag === 'string') } : undefined;
  } catch {
    return undefined;
  }
}

/** The version tags recorded for `image` at `digest` (none for another digest). */
export async function recordedVersionTags(manifestDir: string, image: string, digest: string): Promise<string[]> {
  const record = await readRecord(manifestDir, image);
  return record?.digest === digest ? record.tags : [];
}

/** Record that `image` at `digest` now carries `tags` too (kept with those recorded for the same digest). */
export async function recordVersionTags(manifestDir: string, image: string, digest: string, tags: readonly string[]): Promise<void> {
  const kept = await recordedVersionTags(manifestDir, image, digest);
  const record: VersionRecord = { digest, tags: [...new Set([...kept, ...tags])] };
  await writeFileAtomic(recordPath(manifestDir, image), `${JSON.stringify(record, null, 2)}\n`);
}

import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../files/write-file-atomic';
import { repositoryCacheFile } from '../hash/cache-dir';

const FORMAT = 'hashdock-known-blobs-v1';

/**
 * The base layers this checkout last pushed an image on, per repository. The
 * next image assembled there on the same base mounts none of them again (one
 * request per base layer saved; a Node base has five to eight). Only a hint:
 * a registry that lacks one refuses the manifest, and the layers are then
 * brought after all (see assembleImage).
 */
export function knownBlobsFile(workspaceRoot: string, repository: string): string {
  return repositoryCacheFile(workspaceRoot, 'blobs', repository, '.json');
}

/** The digests recorded for the repository (none when the file is missing or foreign). */
export async function readKnownBlobs(file: string, repository: string): Promise<Set<string>> {
  try {
    const stored = JSON.parse(await fs.readFile(file, 'utf8')) as { format?: string; repository?: string; blobs?: unknown };
    if (stored.format !== FORMAT || stored.repository !== repository || !Array.isArray(stored.blobs)) return new Set();
    return new Set(stored.blobs.filter((digest): digest is string => typeof digest === 'string'));
  } catch {
    return new Set();
  }
}

export function writeKnownBlobs(file: string, repository: string, blobs: readonly string[]): Promise<void> {
  return writeFileAtomic(file, JSON.stringify({ format: FORMAT, repository, blobs: [...new Set(blobs)].sort() }));
}

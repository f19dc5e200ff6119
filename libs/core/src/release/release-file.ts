import { readdir, stat } from 'node:fs/promises';
import { readJsonFile } from '../manifest/read-json-file';
import { join } from 'node:path';
import { HashdockError } from '../errors';
import { writeFileAtomic } from '../files/write-file-atomic';
import { manifestName, readManifest } from '../manifest/image-manifest';
import { recordedVersionTags } from './version-records';

export interface ReleaseEntry {
  project: string;
  repository: string;
  digest: string;
  /** `repository@digest`: what infra deploys. */
  ref: string;
  contentHash: string;
  tags: string[];
  /** Where this image came from: the environment and exact reference it was promoted from. */
  source: { environment: string; ref: string };
}

export interface Release {
  schemaVersion: 1;
  environment: string;
  images: Record<string, ReleaseEntry>;
}

export class ReleaseError extends HashdockError {
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super('RELEASE_INVALID', `Release ${path}: ${detail}`, options);
  }
}

/**
 * A release from a directory of image manifests: every image that was pushed, with the release version tags
 * `nx release publish` gave that digest. An image without a digest (dry run, --no-push) cannot be released.
 */
export async function releaseFromManifests(environment: string, directory: string): Promise<Release> {
  const files = (await readdir(directory).catch(() => [] as string[])).filter((file) => file.endsWith('.json')).sort();
  const release: Release = { schemaVersion: 1, environment, images: {} };
  for (const file of files) {
    const manifest = await readManifest(join(directory, file));
    if (!manifest.digest || !manifest.ref)
      throw new ReleaseError(join(directory, file), `image "${manifestName(manifest)}" was not pushed (status ${manifest.status}); run its image target first`);
    release.images[manifestName(manifest)] = {
      project: manifest.project,
      repository: manifest.repository,
      digest: manifest.digest,
      ref: manifest.ref,
      contentHash: manifest.contentHash,
      tags: [...new Set([...manifest.tags, ...(await recordedVersionTags(directory, manifestName(manifest), manifest.digest))])],
      source: { environment, ref: manifest.ref },
    };
  }
  if (Object.keys(release.images).length === 0) throw new ReleaseError(directory, 'holds no image manifests; run nx run-many -t image first');
  return release;
}

export async function readRelease(path: string): Promise<Release> {
  const parsed = await readJsonFile<Release>(path, (detail, cause) => new ReleaseError(path, detail, { cause }));
  if (parsed?.schemaVersion !== 1 || typeof parsed.images !== 'object' || parsed.images === null || Array.isArray(parsed.images))
    throw new ReleaseError(path, 'is not a schemaVersion 1 release');
  for (const [project, entry] of Object.entries(parsed.images)) {
    if (typeof entry !== 'object' || entry === null) throw new ReleaseError(path, `image "${project}" is not an object`);
    for (const key of ['project', 'repository', 'contentHash'] as const)
      if (typeof entry[key] !== 'string') throw new ReleaseError(path, `image "${project}": field "${key}" is missing or not a string`);
    if (!Array.isArray(entry.tags)) throw new ReleaseError(path, `image "${project}": field "tags" is not an array`);
    if (!/^sha256:[0-9a-f]{64}$/.test(entry.digest ?? '')) throw new ReleaseError(path, `image "${project}" has no valid digest`);
    if (entry.ref !== `${entry.repository}@${entry.digest}`) throw new ReleaseError(path, `image "${project}": ref is not repository@digest`);
  }
  return parsed;
}

/** A release location is a manifest directory or a release file. */
export async function loadRelease(environment: string, location: string): Promise<Release> {
  const info = await stat(location).catch(() => undefined);
  if (!info) throw new ReleaseError(location, `does not exist: environment "${environment}" has no release yet`);
  return info.isDirectory() ? releaseFromManifests(environment, location) : readRelease(location);
}

/**
 * The target environment's current release before a promotion: undefined only
 * when there is none yet (the file does not exist). A release that cannot be
 * read or has an invalid entry is an error: treating it as empty would write a
 * release that silently drops every other image.
 */
export async function loadExistingRelease(environment: string, location: string): Promise<Release | undefined> {
  const info = await stat(location).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ReleaseError(location, `cannot be read (${error.code ?? error.message})`, { cause: error });
  });
  if (!info) return undefined;
  return loadRelease(environment, location);
}

export async function writeRelease(path: string, release: Release): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(release, null, 2)}\n`);
}

import { join } from 'node:path';
import { HashdockError } from '../errors';
import { writeFileAtomic } from '../files/write-file-atomic';
import { readJsonFile } from './read-json-file';

export type ImageStatus = 'built' | 'exists' | 'planned';

/** What `dist/images/<image>.json` records about one image. */
export interface ImageManifest {
  schemaVersion: 1;
  project: string;
  /** Image name under the namespace; names this file. Absent in older manifests: the project name. */
  image?: string;
  repository: string;
  contentHash: string;
  tags: string[];
  /** Registry digest; null when nothing was pushed (dry run or --no-push). */
  digest: string | null;
  /** `repository@digest`, null when nothing was pushed. */
  ref: string | null;
  status: ImageStatus;
  /** Whether the image exists in the registry now. */
  pushed: boolean;
  platform: string;
  /** The Dockerfile stage built (docker build --target), when not the last. */
  stage?: string;
  /** For a dry run: what a real run would do. */
  plan?: 'build' | 'exists';
  /** Workspace images built FROM: image name → content hash. */
  baseImages: Record<string, string>;
  /** External images built FROM: reference as written → the digest used (and its index, for a multi-platform tag). */
  externalBases?: Record<string, { digest: string; platform: string; index?: string }>;
  /** What of the build context the hash covers, e.g. `COPY/ADD sources: dist` or `whole context: <reason>`. */
  context?: string;
  /**
   * Each named build context (`--build-context`): a directory (workspace-relative) and what of it the hash covers, as
   * `context`; or an image, and the digest the hash covers and the build used (the index's, for several platforms).
   */
  namedContexts?: Record<string, { dir: string; reads: string } | { image: string; digest: string }>;
  /** pruneContext: the folders (workspace-relative) of the projects this image does not depend on, whose sources the context left out. */
  prunedProjects?: string[];
  /**
   * The image's ONBUILD triggers, as written: they run in a build FROM it and read that build's context,
   * so an image built FROM this one hashes what they read.
   */
  onbuild?: string[];
  /** Which builder made (or, for a plan, would make) the image, and why. */
  builder?: { name: 'docker' | 'registry'; reason: string };
}

export class ManifestError extends HashdockError {
  readonly path: string;
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super('MANIFEST_INVALID', `Image manifest ${path}: ${detail}`, options);
    this.path = path;
  }
}

export function manifestPath(directory: string, image: string): string {
  return join(directory, `${image}.json`);
}

/** The image name a manifest is filed under. */
export function manifestName(manifest: Pick<ImageManifest, 'project' | 'image'>): string {
  return manifest.image ?? manifest.project;
}

export async function writeManifest(directory: string, manifest: ImageManifest): Promise<string> {
  if (manifest.status !== 'planned' && manifest.pushed && !manifest.digest)
    throw new ManifestError(manifestPath(directory, manifestName(manifest)), 'a pushed image needs a digest');
  const path = manifestPath(directory, manifestName(manifest));
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}

const HEX16 = /^[0-9a-f]{16}$/;

export function validateManifest(path: string, value: unknown): ImageManifest {
  if (typeof value !== 'object' || value === null) throw new ManifestError(path, 'is not a JSON object');
  const m = value as Record<string, unknown>;
  for (const key of ['project', 'repository', 'contentHash', 'status', 'platform'] as const)
    if (typeof m[key] !== 'string') throw new ManifestError(path, `field "${key}" is missing or not a string`);
  if (!HEX16.test(m.contentHash as string)) throw new ManifestError(path, 'field "contentHash" is not 16 hex digits');
  if (!['built', 'exists', 'planned'].includes(m.status as string)) throw new ManifestError(path, `unknown status "${m.status}"`);
  if (!Array.isArray(m.tags)) throw new ManifestError(path, 'field "tags" is not an array');
  if (m.digest !== null && (typeof m.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(m.digest)))
    throw new ManifestError(path, 'field "digest" is not a sha256 digest');
  if (m.digest && m.ref !== `${m.repository}@${m.digest}`) throw new ManifestError(path, 'field "ref" does not match repository@digest');
  return value as ImageManifest;
}

export async function readManifest(path: string): Promise<ImageManifest> {
  const parsed = await readJsonFile<unknown>(path, (detail, cause) =>
    new ManifestError(path, detail === 'cannot be read' ? 'cannot be read (has its image target run?)' : detail, { cause }),
  );
  return validateManifest(path, parsed);
}

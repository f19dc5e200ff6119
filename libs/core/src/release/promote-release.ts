import { isAbsolute, join } from 'node:path';
import { RegistryClient } from '../registry/client';
import { parseRepository } from '../registry/reference';
import { promoteImage, PromoteImageResult } from '../registry/promote';
import { EnvironmentsFile, getEnvironment } from './environments';
import { loadExistingRelease, loadRelease, Release, writeRelease } from './release-file';
import { HashdockError } from '../errors';
import { Limiter } from '../registry/limiter';

export interface PromoteReleaseOptions {
  workspaceRoot: string;
  environments: EnvironmentsFile;
  environmentsPath: string;
  from: string;
  to: string;
  /** Only these projects (default: all in the source release). */
  projects?: string[];
  force?: boolean;
  dryRun?: boolean;
  /** Client per registry host (same auth and retry policy for both sides by default). */
  clientFor: (registry: string) => RegistryClient;
  log: (line: string) => void;
  /** Blob transfers in flight at once across every image of the promotion (default 8). */
  concurrency?: number;
}

export interface PromoteReleaseResult {
  release: Release;
  releasePath: string;
  images: Record<string, PromoteImageResult>;
}

/** Mutable tags do not travel: an environment pins digests, and `latest` means "last built". */
const MUTABLE_TAGS = new Set(['latest']);

/**
 * Promote the source environment's release to the target: every image made
 * available in the target registry by digest, then the target release file
 * written atomically (only after every image succeeded, so an interrupted run
 * leaves the old release and a rerun converges).
 */
export async function promoteRelease(options: PromoteReleaseOptions): Promise<PromoteReleaseResult> {
  if (options.from === options.to) throw new HashdockError('INVALID_OPTION', `--from and --to are both "${options.from}"`);
  const resolve = (path: string) => (isAbsolute(path) ? path : join(options.workspaceRoot, path));
  const sourceEnv = getEnvironment(options.environments, options.environmentsPath, options.from);
  const targetEnv = getEnvironment(options.environments, options.environmentsPath, options.to);
  const source = await loadRelease(options.from, resolve(sourceEnv.release));
  const targetPath = resolve(targetEnv.release);
  const projects = options.projects?.length ? options.projects : Object.keys(source.images).sort();
  const missing = projects.filter((project) => !source.images[project]);
  if (missing.length) throw new HashdockError('INVALID_OPTION', `Not in the "${options.from}" release: ${missing.join(', ')}`);

  // Start from the target's current release so promoting some projects keeps the others;
  // an unreadable one stops here, before anything is promoted or written.
  const current = await loadExistingRelease(options.to, targetPath);
  const release: Release = { schemaVersion: 1, environment: options.to, images: { ...(current?.images ?? {}) } };
  const images: Record<string, PromoteImageResult> = {};
  const limiter = new Limiter(options.concurrency ?? 8);
  const lines: Record<string, string> = {};
  await Promise.all(projects.map(async (project) => {
    const entry = source.images[project];
    const repository = `${targetEnv.registry}/${targetEnv.namespace}/${project}`;
    const tags = entry.tags.filter((tag) => !MUTABLE_TAGS.has(tag));
    const result = await promoteImage({
      source: { client: options.clientFor(parseRepository(entry.repository).registry), repository: entry.repository, digest: entry.digest },
      target: { client: options.clientFor(targetEnv.registry), repository },
      tags,
      force: options.force,
      dryRun: options.dryRun,
      log: options.log,
      limiter,
    });
    images[project] = result;
    const b = result.blobs;
    lines[project] = (
      `hashdock ${options.dryRun ? 'plan' : 'promoted'} ${project.padEnd(10)} ${entry.ref} -> ${repository}@${entry.digest} ` +
        `blobs: ${b.present} present, ${b.mounted} mounted, ${b.copied} copied (${result.blobBytesCopied} bytes); tags: ${Object.entries(result.tags).map(([t, s]) => `${t}=${s}`).join(' ')}`
    );
    release.images[project] = { ...entry, repository, ref: `${repository}@${entry.digest}`, tags, source: { environment: options.from, ref: entry.ref } };
  }));
  for (const project of projects) options.log(lines[project]);
  release.images = Object.fromEntries(Object.entries(release.images).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (!options.dryRun) await writeRelease(targetPath, release);
  return { release, releasePath: targetPath, images };
}

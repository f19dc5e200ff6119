import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../errors';
import { ImageManifest, manifestName, readManifest } from '../manifest/image-manifest';
import { RegistryClient } from '../registry/client';
import { TagConflictError } from '../registry/errors';
import { validateTag } from '../registry/reference';
import { retag } from '../registry/retag';
import { hasTag } from '../registry/tag-exists';
import { listTags } from '../registry/list-tags';
import { aliasDecisions, checkAliasTemplates, releasedVersions } from './alias-tags';
import { ReleaseError } from './release-file';
import { recordVersionTags } from './version-records';

/** What `nx release` hands its publish executors: each released project's new version (null: none this time). */
export type NxReleaseVersionData = Record<string, { newVersion?: string | null } | undefined>;

export interface ReleaseVersionSources {
  project: string;
  /** Given on the command line or in the target (wins over the rest). */
  version?: string;
  /** From `nx release` (version, then publish, in one run). */
  versionData?: NxReleaseVersionData;
  /** The project's package.json version: what `nx release version` wrote, for a publish run on its own. */
  packageVersion?: string;
  /** Where that version was looked for, for the message when there is none. */
  packageJsonPath: string;
}

/** The version to release the project's images as; null when nx release resolved no new version for it. */
export function releaseVersionOf(sources: ReleaseVersionSources): string | null {
  if (sources.version) return sources.version;
  const entry = sources.versionData?.[sources.project];
  if (entry) return entry.newVersion ?? null;
  if (sources.packageVersion) return sources.packageVersion;
  throw new InvalidOptionError(
    'version',
    `No release version for ${sources.project}: publish it through nx release (nx release, or nx release publish after nx release version), ` +
      `pass --version, or give ${sources.packageJsonPath} a "version"`,
  );
}

/** The "version" field of a package.json, or undefined when there is no such file or field. */
export async function packageVersionAt(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let version: unknown;
  try {
    version = (JSON.parse(text) as { version?: unknown }).version;
  } catch (error) {
    throw new InvalidOptionError('version', `${path} is not JSON (${(error as Error).message}); its "version" names the release`, { cause: error });
  }
  return typeof version === 'string' && version ? version : undefined;
}

/**
 * The tags a release version gives each image: every template with `{version}` filled in (`v{version}` → `v1.4.0`).
 * A template without `{version}` would name every release, so it is refused.
 */
export function versionTagsFor(templates: readonly string[], version: string): string[] {
  if (templates.length === 0) throw new InvalidOptionError('versionTags', 'versionTags is empty: give at least one template, e.g. "{version}"');
  const tags = templates.map((template) => {
    if (!template.includes('{version}')) throw new InvalidOptionError('versionTags', `Version tag template "${template}" has no {version}: it would name every release`);
    const tag = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name !== 'version') throw new InvalidOptionError('versionTags', `Unknown placeholder {${name}} in version tag template "${template}"; use {version}`);
      return version;
    });
    return validateTag(tag, `version tag "${tag}" (template "${template}", version ${version})`);
  });
  return [...new Set(tags)];
}

/** The pushed images of one project: every manifest in `directory` that names it. */
export async function projectManifests(directory: string, project: string): Promise<ImageManifest[]> {
  const files = (await readdir(directory).catch(() => [] as string[])).filter((file) => file.endsWith('.json')).sort();
  const manifests: ImageManifest[] = [];
  for (const file of files) {
    const manifest = await readManifest(join(directory, file)).catch(() => undefined);
    if (manifest?.project !== project) continue;
    if (!manifest.digest)
      throw new ReleaseError(join(directory, file), `image "${manifestName(manifest)}" of ${project} was not pushed (status ${manifest.status}); run its image target without --no-push or --dryRun first`);
    manifests.push(manifest);
  }
  if (manifests.length === 0)
    throw new ReleaseError(directory, `holds no image manifest of ${project}; its nx-release-publish target needs dependsOn: ["image"] (the image target runs first)`);
  return manifests;
}

/** `kept`: an alias left where it is, on a higher release of its line. */
export type VersionTagState = 'created' | 'unchanged' | 'moved' | 'conflict' | 'kept';

export interface VersionTagResult {
  image: string;
  repository: string;
  digest: string;
  tags: Record<string, VersionTagState>;
  /** Which of `tags` are aliases (they move with their line's newest release; a version tag never does). */
  aliases: string[];
}

export interface TagReleaseOptions {
  client: RegistryClient;
  manifests: readonly ImageManifest[];
  tags: readonly string[];
  /** Move a version tag that names another image (never the default: a version names one image). */
  force?: boolean;
  /** Say what would happen; write nothing. */
  dryRun?: boolean;
  /** Alias tags (`{major}.{minor}`, `{major}`, `latest`) of this release, each moved here unless its line has a higher release in the repository. */
  aliases?: { version: string; templates: readonly string[]; versionTemplates: readonly string[] };
}

/**
 * Give each image its release tags in its own repository, by digest: the exact stored manifest PUT under each
 * tag, nothing built or pushed again. Every tag of every image is looked at first, so a tag that names another
 * image refuses the release before anything is written.
 */
export async function tagReleaseImages(options: TagReleaseOptions): Promise<VersionTagResult[]> {
  const conflicts: { reference: string; existing: string; digest: string }[] = [];
  const results = await Promise.all(
    options.manifests.map(async (manifest): Promise<VersionTagResult> => {
      const digest = manifest.digest;
      if (!digest) throw new ReleaseError(manifest.repository, `image "${manifestName(manifest)}" was not pushed (status ${manifest.status}); it has no digest to release`);
      const tags: Record<string, VersionTagState> = {};
      const aliases: string[] = [];
      for (const tag of options.tags) {
        const current = await hasTag(options.client, manifest.repository, tag, 'push');
        if (!current) tags[tag] = 'created';
        else if (current === digest) tags[tag] = 'unchanged';
        else if (options.force) tags[tag] = 'moved';
        else {
          tags[tag] = 'conflict';
          conflicts.push({ reference: `${manifest.repository}:${tag}`, existing: current, digest });
        }
      }
      if (options.aliases?.templates.length) {
        const { version, templates, versionTemplates } = options.aliases;
        // The releases this repository has, by their version tags: an alias stays on a higher one of its line.
        const released = releasedVersions(await listTags(options.client, manifest.repository), versionTemplates);
        for (const decision of aliasDecisions(templates, version, released)) {
          if (tags[decision.tag] !== undefined) continue;
          aliases.push(decision.tag);
          if (!decision.move) tags[decision.tag] = 'kept';
          else {
            const current = await hasTag(options.client, manifest.repository, decision.tag, 'push');
            tags[decision.tag] = !current ? 'created' : current === digest ? 'unchanged' : 'moved';
          }
        }
      }
      return { image: manifestName(manifest), repository: manifest.repository, digest, tags, aliases };
    }),
  );
  if (options.dryRun) return results;
  if (conflicts.length > 0) {
    const [first, ...rest] = conflicts;
    const others = rest.length ? ` So do ${rest.map((conflict) => conflict.reference).join(', ')}.` : '';
    throw new TagConflictError(first.reference, first.existing, first.digest, `A release version names one image: release another version, or pass --force to move it.${others}`);
  }
  for (const result of results) {
    // Version tags first, then aliases (not the record's key order, which puts an alias such as `1` first).
    for (const tag of [...options.tags, ...result.aliases]) {
      const state = result.tags[tag];
      // An alias moves with its line's newest release; a version tag moves only when forced.
      if (state === 'moved' || (state === 'created' && result.aliases.includes(tag))) await retag(options.client, result.repository, result.digest, tag);
      // Another release of this version at the same moment fails this one, naming it, rather than moving it.
      else if (state === 'created') await retag(options.client, result.repository, result.digest, tag, { onlyIfAbsent: { why: 'Another release wrote this version at the same moment: a version names one image.' } });
    }
  }
  return results;
}

export interface PublishReleaseVersionOptions {
  client: RegistryClient;
  /** Absolute directory of the image manifests. */
  manifestDir: string;
  project: string;
  version: string;
  /** Tag templates with {version} (default: the version itself). */
  templates?: readonly string[];
  /** Alias tag templates (`{major}.{minor}`, `{major}`, `latest`; none by default): see aliasDecisions. */
  aliasTemplates?: readonly string[];
  force?: boolean;
  dryRun?: boolean;
}

/**
 * `nx release publish` for a project's images: every image its image targets pushed gets the release version's
 * tags, by digest, and the tags are recorded beside the manifests (so promotion from them carries the version);
 * then its alias tags, where the release is its line's newest.
 */
export async function publishReleaseVersion(options: PublishReleaseVersionOptions): Promise<VersionTagResult[]> {
  const versionTemplates = options.templates ?? ['{version}'];
  const tags = versionTagsFor(versionTemplates, options.version);
  const aliasTemplates = options.aliasTemplates ?? [];
  checkAliasTemplates(aliasTemplates);
  const manifests = await projectManifests(options.manifestDir, options.project);
  const aliases = aliasTemplates.length ? { version: options.version, templates: aliasTemplates, versionTemplates } : undefined;
  const results = await tagReleaseImages({ client: options.client, manifests, tags, force: options.force, dryRun: options.dryRun, aliases });
  // Only the version tags travel with a promotion: an alias names the newest release of the registry it is in.
  if (!options.dryRun) for (const result of results) await recordVersionTags(options.manifestDir, result.image, result.digest, Object.keys(result.tags).filter((tag) => !result.aliases.includes(tag)));
  return results;
}

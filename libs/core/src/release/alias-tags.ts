import { InvalidOptionError } from '../errors';
import { validateTag } from '../registry/reference';
import { compareSemVer, parseSemVer, SemVer } from './semver';

const ALIAS_PLACEHOLDERS = new Set(['major', 'minor', 'patch']);
const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * Alias tag templates (`{major}.{minor}`, `{major}`, `latest`): tags that name the newest release of their line
 * and move with it, as docker/metadata-action's semver patterns do. A template with `{version}` is a version tag
 * (versionTags: a version names one image), and any other placeholder is refused.
 */
export function checkAliasTemplates(templates: readonly string[]): void {
  for (const template of templates) {
    for (const [, name] of template.matchAll(PLACEHOLDER)) {
      if (name === 'version') throw new InvalidOptionError('aliasTags', `Alias tag template "${template}" has {version}: a version tag names one release and never moves; put it in versionTags`);
      if (!ALIAS_PLACEHOLDERS.has(name)) throw new InvalidOptionError('aliasTags', `Unknown placeholder {${name}} in alias tag template "${template}"; use {major}, {minor}, {patch}`);
    }
  }
}

/**
 * The alias a template gives a version, or none: a pre-release gets no alias (it is no line's newest release), and
 * a template of `{major}` without `{minor}` gives none to a 0.x version (0.x promises nothing across minors).
 */
export function aliasOf(template: string, version: SemVer): string | undefined {
  if (version.prerelease.length) return undefined;
  const names = [...template.matchAll(PLACEHOLDER)].map(([, name]) => name);
  if (version.major === 0 && names.includes('major') && !names.includes('minor') && !names.includes('patch')) return undefined;
  return template.replace(PLACEHOLDER, (_, name: 'major' | 'minor' | 'patch') => String(version[name]));
}

/** The versions a repository's tags name, read through the version tag templates (`v{version}`: `v1.4.0` is 1.4.0). */
export function releasedVersions(tags: readonly string[], versionTemplates: readonly string[]): SemVer[] {
  const patterns = versionTemplates.map((template) => new RegExp(`^${template.split('{version}').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+)')}$`));
  const versions: SemVer[] = [];
  for (const tag of tags) {
    for (const pattern of patterns) {
      const match = pattern.exec(tag);
      const version = match && match.slice(1).every((part) => part === match[1]) ? parseSemVer(match[1]) : undefined;
      if (version) {
        versions.push(version);
        break;
      }
    }
  }
  return versions;
}

export type AliasDecision = { tag: string; move: true } | { tag: string; move: false; newer: string };

function format(version: SemVer): string {
  return `${version.major}.${version.minor}.${version.patch}${version.prerelease.length ? `-${version.prerelease.join('.')}` : ''}`;
}

/**
 * Each alias this release gets, and whether it moves here: it does unless a released version with the same alias is
 * higher (releasing 1.3.5 after 1.4.0 moves `1.3`, and leaves `1` and `latest` on 1.4.0).
 */
export function aliasDecisions(templates: readonly string[], version: string, released: readonly SemVer[]): AliasDecision[] {
  checkAliasTemplates(templates);
  const parsed = parseSemVer(version);
  if (!parsed) {
    if (templates.length === 0) return [];
    throw new InvalidOptionError('aliasTags', `Release version "${version}" is not semver (x.y.z), so it has no {major}/{minor} line to alias; release a semver version or drop aliasTags`);
  }
  const decisions = new Map<string, AliasDecision>();
  for (const template of templates) {
    const tag = aliasOf(template, parsed);
    if (tag === undefined || decisions.has(tag)) continue;
    validateTag(tag, `alias tag "${tag}" (template "${template}", version ${version})`);
    const newer = released.filter((other) => aliasOf(template, other) === tag && compareSemVer(other, parsed) > 0).sort(compareSemVer).at(-1);
    decisions.set(tag, newer ? { tag, move: false, newer: format(newer) } : { tag, move: true });
  }
  return [...decisions.values()];
}

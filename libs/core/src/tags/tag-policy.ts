import { InvalidOptionError } from '../errors';
import { validateTag } from '../registry/reference';

export interface TagValues {
  contentHash: string;
  gitSha?: string;
  version?: string;
  /** The branch being built, already made a valid tag (see gitBranch). */
  branch?: string;
}

/** Default policy: the immutable content hash, the commit, an optional version, and `latest`. */
export const DEFAULT_TAG_TEMPLATES = ['{contentHash}', 'git-{gitSha}', '{version}', 'latest'] as const;

const PLACEHOLDER = /\{(\w+)\}/g;
const KNOWN = new Set(['contentHash', 'gitSha', 'version', 'branch']);

export interface ResolvedTags {
  /** The content-hash tag: immutable, the one existence is checked by. */
  immutable: string;
  /** Every tag to push, the immutable one first, no duplicates. */
  all: string[];
}

/**
 * Expand tag templates. A template whose value is missing (no git, no
 * version) is skipped; the bare `{contentHash}` tag is always present.
 */
export function resolveTags(templates: readonly string[], values: TagValues, repository = ''): ResolvedTags {
  const immutable = values.contentHash;
  const all = [immutable];
  for (const template of templates) {
    let missing = false;
    const tag = template.replace(PLACEHOLDER, (_, name: string) => {
      if (!KNOWN.has(name))
        throw new InvalidOptionError('tags', `Unknown placeholder {${name}} in tag template "${template}"; use {contentHash}, {gitSha}, {version} or {branch}`);
      const value = values[name as keyof TagValues];
      if (!value) missing = true;
      return value ?? '';
    });
    if (missing) continue;
    validateTag(tag, repository ? `${repository}:${tag}` : tag);
    if (!all.includes(tag)) all.push(tag);
  }
  return { immutable, all };
}

/** Every placeholder a template uses that resolveTags does not know (checked when options are read, not at the first push). */
export function unknownPlaceholders(templates: readonly string[]): string[] {
  return [...new Set(templates.flatMap((template) => [...template.matchAll(PLACEHOLDER)].map((match) => match[1]).filter((name) => !KNOWN.has(name))))];
}

export function templatesUse(templates: readonly string[], name: keyof TagValues): boolean {
  return templates.some((template) => template.includes(`{${name}}`));
}

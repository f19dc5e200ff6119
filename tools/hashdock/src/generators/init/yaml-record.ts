import { CollectionTag, isScalar, parse } from 'yaml';

/** GitLab's `!reference [job, key, …]`: the path of what it names, for the reader that knows the jobs to resolve. */
export class YamlReference {
  constructor(readonly path: readonly string[]) {}
}

const REFERENCE_TAG: CollectionTag = {
  tag: '!reference',
  collection: 'seq',
  resolve: (seq) => new YamlReference(('items' in seq ? (seq.items as unknown[]) : []).map((item) => String(isScalar(item) ? item.value : item))),
};

/** A value that is a mapping (not a list, not a scalar), as a record; undefined otherwise. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * A YAML document that is a mapping (merge keys `<<` applied, `!reference` read as a YamlReference, other
 * tags of other tools, `!Ref`, as their plain values without a warning on the user's console); undefined
 * for none, another shape, or text that is not YAML.
 */
export function parseYamlRecord(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return record(parse(text, { merge: true, customTags: [REFERENCE_TAG], logLevel: 'error' }));
  } catch {
    return undefined;
  }
}

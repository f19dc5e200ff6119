import { parse } from 'yaml';

/** A value that is a mapping (not a list, not a scalar), as a record; undefined otherwise. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A YAML document that is a mapping (merge keys `<<` applied); undefined for none, another shape, or text that is not YAML. */
export function parseYamlRecord(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return record(parse(text, { merge: true }));
  } catch {
    return undefined;
  }
}

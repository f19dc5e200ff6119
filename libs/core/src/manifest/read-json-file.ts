import { readFile } from 'node:fs/promises';

/** Parse a JSON file; any read or parse failure becomes the caller's typed error (cause kept). */
export async function readJsonFile<T>(path: string, fail: (detail: string, cause: unknown) => Error): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw fail('cannot be read', cause);
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw fail('is not valid JSON', cause);
  }
}

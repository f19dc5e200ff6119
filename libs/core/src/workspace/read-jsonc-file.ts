import { readFileSync } from 'node:fs';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { HashdockError } from '../errors';

export class ConfigFileError extends HashdockError {
  readonly path: string;
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super('CONFIG_FILE_INVALID', `${path}: ${detail}`, options);
    this.path = path;
  }
}

/** Line and column of a character offset, 1-based, for messages. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * A JSON file as Nx reads project.json, package.json and nx.json: comments and
 * trailing commas allowed. Undefined when the file does not exist; a syntax
 * error names the file and the place.
 */
export function readJsoncFile<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigFileError(path, 'cannot be read', { cause: error });
  }
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0)
    throw new ConfigFileError(path, `invalid JSON (${printParseErrorCode(errors[0].error)} at ${position(text, errors[0].offset)})`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigFileError(path, 'is not a JSON object');
  return value as T;
}

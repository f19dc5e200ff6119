import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../files/write-file-atomic';
import { repositoryCacheFile } from '../hash/cache-dir';

/** The first line of a local copy: its format and the content hash it describes. */
const HEADER = 'hashdock-inputs-v1';

/**
 * The inputs record of an image's last build here, kept beside the checkout's
 * other caches (one file per repository, replaced by every build). The next
 * build of that image reads why it is rebuilt from it instead of from the
 * registry (two requests fewer on a registry that answers one at a time);
 * a fresh checkout has none and asks the registry, as before.
 */
export function localInputsFile(workspaceRoot: string, repository: string): string {
  return repositoryCacheFile(workspaceRoot, 'inputs', repository, '.txt');
}

/** The record kept for `contentHash`, or undefined (none, another hash's, unreadable). */
export async function readLocalInputs(file: string, contentHash: string): Promise<string | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  const header = `${HEADER} ${contentHash}\n`;
  return text?.startsWith(header) ? text.slice(header.length) : undefined;
}

/** Keep `record` as this repository's latest (written whole or not at all). */
export function writeLocalInputs(file: string, contentHash: string, record: string): Promise<void> {
  return writeFileAtomic(file, `${HEADER} ${contentHash}\n${record}`);
}

import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { RegistryClient } from '../registry/client';
import { fetchArtifact, imageLabels, INPUTS_ARTIFACT_TYPE, pushArtifact } from '../registry/artifact';
import { hasTag } from '../registry/tag-exists';

/** Tag under which an image's canonical inputs are stored, beside the image. */
export const inputsTag = (contentHash: string) => `${contentHash}.inputs`;

export interface InputChange {
  /** `file:<path>` (context), `context:<name>:<path>` (a named build context), `source:<path>` (what the bundle was built from), `dockerfile`, `arg:<name>`, `label:<name>`, `base:<name>`, `platform` or `stage`. */
  input: string;
  change: 'added' | 'removed' | 'changed';
}

function parseCanonical(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    if (!line) continue;
    const [kind, ...rest] = line.split(' ');
    if (kind === 'platform' || kind === 'dockerfile' || kind === 'stage') entries.set(kind, rest.join(' '));
    else if (kind === 'arg' || kind === 'label' || kind === 'base' || kind === 'source') entries.set(`${kind}:${JSON.parse(rest[0])}`, rest.slice(1).join(' '));
    else if (kind === 'in') entries.set(`context:${JSON.parse(rest[0])}:${JSON.parse(rest.slice(3).join(' '))}`, `${rest[1]} ${rest[2]}`);
    else entries.set(`file:${JSON.parse(rest.slice(1).join(' '))}`, `${kind} ${rest[0]}`);
  }
  return entries;
}

/** What differs between two canonical input descriptions (see contentHash). */
export function diffCanonical(before: string, after: string): InputChange[] {
  const old = parseCanonical(before);
  const now = parseCanonical(after);
  const changes: InputChange[] = [];
  for (const [input, value] of now) {
    if (!old.has(input)) changes.push({ input, change: 'added' });
    else if (old.get(input) !== value) changes.push({ input, change: 'changed' });
  }
  for (const input of old.keys()) if (!now.has(input)) changes.push({ input, change: 'removed' });
  return changes.sort((a, b) => (a.input < b.input ? -1 : 1));
}

/**
 * Why an image is being rebuilt: compare its inputs with those of the image
 * the registry has under `previousTag` (found through its content-hash label).
 * Undefined when there is no previous image or it carries no inputs record.
 */
export async function rebuildReasons(client: RegistryClient, repository: string, previousTag: string, canonical: string, labelName: string): Promise<{ previousHash: string; changes: InputChange[] } | undefined> {
  const previous = await hasTag(client, repository, previousTag);
  if (!previous) return undefined;
  const previousHash = (await imageLabels(client, repository, previous))[labelName];
  if (!previousHash) return undefined;
  return reasonsSince(client, repository, previousHash, canonical);
}

/**
 * The same, when the previous image's content hash is known (its manifest file
 * says so): a content-hash tag never moves, so only its inputs record is read.
 */
export async function reasonsSince(client: RegistryClient, repository: string, previousHash: string, canonical: string): Promise<{ previousHash: string; changes: InputChange[] } | undefined> {
  const stored = await fetchArtifact(client, repository, inputsTag(previousHash));
  if (!stored) return undefined;
  return { previousHash, changes: diffCanonical(Buffer.from(stored).toString('utf8'), canonical) };
}

export async function storeInputs(client: RegistryClient, repository: string, contentHash: string, canonical: string): Promise<void> {
  await pushArtifact(client, repository, inputsTag(contentHash), INPUTS_ARTIFACT_TYPE, new Uint8Array(Buffer.from(canonical)));
}

/**
 * Provenance lines for the inputs record: the workspace files a bundler read
 * (esbuild's metafile `inputs`), each with its hash. Not part of the content
 * hash (the bundle is), but they let a report name the source file that changed.
 */
export async function sourceLines(workspaceRoot: string, metafile: string, hash: (bytes: Uint8Array) => string, bundlerDir = workspaceRoot): Promise<string> {
  let inputs: string[];
  try {
    inputs = Object.keys((JSON.parse(await readFile(metafile, 'utf8')) as { inputs?: Record<string, unknown> }).inputs ?? {}).sort();
  } catch {
    return '';
  }
  const lines: string[] = [];
  // esbuild writes input paths relative to the directory it ran in (the workspace or the project).
  for (const input of inputs) {
    for (const base of [bundlerDir, workspaceRoot]) {
      const absolute = resolve(base, input);
      const bytes = await readFile(absolute).catch(() => undefined);
      if (!bytes) continue;
      lines.push(`source ${JSON.stringify(relative(workspaceRoot, absolute))} ${hash(bytes)}`);
      break;
    }
  }
  lines.sort();
  return lines.length ? `${lines.join('\n')}\n` : '';
}

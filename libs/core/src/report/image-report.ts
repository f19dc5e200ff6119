import { readdirSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildImageResult } from '../image/build-image';
import { InputChange } from '../image/rebuild-reasons';
import { writeFileAtomic } from '../files/write-file-atomic';
import { ImageManifest, manifestName, validateManifest } from '../manifest/image-manifest';

/**
 * One image's line in the run report: `dist/images/.reports/<image>.json`,
 * written by the run that made the manifest. It is not a task output (Nx
 * would copy it back on every cache hit, a second file per image task); the
 * manifest is the truth, and a report counts only while it names the
 * manifest's content hash.
 */
export interface ImageReport {
  project: string;
  /** Image name; names the report file. */
  image?: string;
  status: string;
  contentHash: string;
  tags: string[];
  digest: string | null;
  /** Absent when the run that made the manifest left no report here (e.g. Nx restored it from a remote cache). */
  seconds?: number;
  previousHash?: string;
  changes?: InputChange[];
  /** What of the build context the hash covers, and why (see the manifest's `context`). */
  context?: string;
  /** Seconds per phase (setup, bases, hash, lookup, build, publish) and the process's age when the image began. */
  phases?: Record<string, number>;
}

export const reportDir = (manifestDir: string) => join(manifestDir, '.reports');

export async function writeImageReport(manifestDir: string, result: BuildImageResult): Promise<void> {
  const report: ImageReport = {
    ...reportFromManifest(result.manifest),
    seconds: Math.round(result.seconds * 10) / 10,
    phases: result.phases,
    ...(result.reasons ? { previousHash: result.reasons.previousHash, changes: result.reasons.changes } : {}),
  };
  await writeFileAtomic(join(reportDir(manifestDir), `${manifestName(result.manifest)}.json`), `${JSON.stringify(report, null, 2)}\n`);
}

/** What a manifest alone says, for an image whose report is missing or belongs to another content hash. */
export function reportFromManifest(manifest: ImageManifest): ImageReport {
  return {
    project: manifest.project,
    image: manifestName(manifest),
    status: manifest.status === 'planned' ? `planned (${manifest.plan})` : manifest.status,
    contentHash: manifest.contentHash,
    tags: manifest.tags,
    digest: manifest.digest,
    ...(manifest.context ? { context: manifest.context } : {}),
  };
}

/** A small JSON file, or undefined when it is missing or not JSON. Synchronous: a run report reads two per image, and a few hundred small reads take a tenth as long this way. */
function readJsonSync(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * One line per manifest in `manifestDir`: its report when that names the
 * same content hash and digest, else what the manifest says.
 */
export async function readImageReports(manifestDir: string): Promise<ImageReport[]> {
  let files: string[];
  try {
    files = readdirSync(manifestDir).filter((file) => file.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const reports: ImageReport[] = [];
  for (const file of files) {
    let manifest: ImageManifest;
    try {
      manifest = validateManifest(join(manifestDir, file), readJsonSync(join(manifestDir, file)));
    } catch {
      continue; // not a manifest (or half of one): no line
    }
    const report = readJsonSync(join(reportDir(manifestDir), `${manifestName(manifest)}.json`)) as ImageReport | undefined;
    reports.push(report && report.contentHash === manifest.contentHash && report.digest === manifest.digest ? report : reportFromManifest(manifest));
  }
  return reports;
}

const MAX_CHANGES = 20;

/**
 * The "why rebuilt" report: every image with status, hash, tags, digest and
 * seconds; for a rebuilt image the inputs that differ from the registry's
 * previous version. `cached` names images whose task Nx restored from cache.
 */
export function renderImageReport(reports: readonly ImageReport[], cached: ReadonlySet<string> = new Set()): string {
  const lines = ['# Hashdock images', '', '| image | status | content hash | tags | digest | seconds |', '|---|---|---|---|---|---|'];
  for (const r of reports) {
    const status = cached.has(r.project) ? `cached (${r.status})` : r.status;
    lines.push(`| ${r.image ?? r.project} | ${status} | \`${r.contentHash}\` | ${r.tags.map((t) => `\`${t}\``).join(' ')} | ${r.digest ? `\`${r.digest.slice(0, 19)}…\`` : '—'} | ${r.seconds === undefined ? '—' : r.seconds.toFixed(1)} |`);
  }
  const rebuilt = reports.filter((r) => r.status === 'built' && !cached.has(r.project));
  if (rebuilt.length) lines.push('', '## Why rebuilt');
  for (const r of rebuilt) {
    lines.push('', `### ${r.image ?? r.project}`);
    if (r.context) lines.push('', `Hashed: ${r.context}.`);
    if (!r.changes) {
      lines.push('', 'No earlier version with an inputs record in the registry: the first build of this image, or one built before Hashdock recorded inputs.');
      continue;
    }
    lines.push('', `Compared with \`${r.previousHash}\` in the registry:`, '');
    for (const change of r.changes.slice(0, MAX_CHANGES)) lines.push(`- ${change.change}: \`${change.input}\``);
    if (r.changes.length > MAX_CHANGES) lines.push(`- … and ${r.changes.length - MAX_CHANGES} more`);
  }
  return `${lines.join('\n')}\n`;
}

/** Write dist/images/report.md and, on GitHub Actions, the step summary. */
export async function writeRunReport(manifestDir: string, cached: ReadonlySet<string>, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const reports = await readImageReports(manifestDir);
  if (reports.length === 0) return undefined;
  const markdown = renderImageReport(reports, cached);
  const path = join(manifestDir, 'report.md');
  await writeFileAtomic(path, markdown);
  if (env.GITHUB_STEP_SUMMARY) {
    await appendFile(env.GITHUB_STEP_SUMMARY, markdown);
  }
  return path;
}

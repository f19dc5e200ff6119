import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImageManifest, writeManifest } from '../manifest/image-manifest';
import { readImageReports, reportDir, writeRunReport } from './image-report';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
function manifest(project: string, contentHash: string, d: string): ImageManifest {
  const repository = `localhost:5000/acme/${project}`;
  return { schemaVersion: 1, project, repository, contentHash, tags: [contentHash], digest: digest(d), ref: `${repository}@${digest(d)}`, status: 'built', pushed: true, platform: 'linux/amd64', baseImages: {}, context: 'COPY/ADD sources: dist' };
}

describe('run report', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-report-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writeReport = (image: string, report: object) => mkdir(reportDir(dir), { recursive: true }).then(() => writeFile(join(reportDir(dir), `${image}.json`), JSON.stringify(report)));

  it('uses a report only while it names its manifest content hash and digest; otherwise the manifest speaks', async () => {
    await writeManifest(dir, manifest('api', 'a'.repeat(16), 'b'));
    await writeManifest(dir, manifest('web', 'c'.repeat(16), 'd'));
    await writeManifest(dir, manifest('jobs', 'e'.repeat(16), 'f'));
    // api: this checkout's own run; web: a report left by an earlier build of another hash (Nx restored web's
    // manifest from a remote cache); jobs: no report at all.
    await writeReport('api', { project: 'api', image: 'api', status: 'built', contentHash: 'a'.repeat(16), tags: ['a'.repeat(16)], digest: digest('b'), seconds: 2.5, previousHash: '1'.repeat(16), changes: [{ input: 'file:dist/main.js', change: 'changed' }] });
    await writeReport('web', { project: 'web', image: 'web', status: 'built', contentHash: '9'.repeat(16), tags: ['9'.repeat(16)], digest: digest('9'), seconds: 7 });
    await writeFile(join(dir, 'release.json'), JSON.stringify({ images: {} }));

    const reports = await readImageReports(dir);
    expect(reports.map((r) => [r.project, r.status, r.contentHash, r.seconds])).toEqual([
      ['api', 'built', 'a'.repeat(16), 2.5],
      ['jobs', 'built', 'e'.repeat(16), undefined],
      ['web', 'built', 'c'.repeat(16), undefined],
    ]);

    const path = await writeRunReport(dir, new Set(['web', 'jobs']), {});
    const markdown = await readFile(path!, 'utf8');
    expect(markdown).toContain(`| api | built | \`${'a'.repeat(16)}\` | \`${'a'.repeat(16)}\` | \`sha256:bbbbbbbbbbbb…\` | 2.5 |`);
    expect(markdown).toContain(`| web | cached (built) | \`${'c'.repeat(16)}\` | \`${'c'.repeat(16)}\` | \`sha256:dddddddddddd…\` | — |`);
    expect(markdown).toContain('| jobs | cached (built) |');
    expect(markdown).toContain('- changed: `file:dist/main.js`');
    expect(markdown).not.toContain('9'.repeat(16));
  });

  it('writes nothing when there is no manifest', async () => {
    await writeReport('api', { project: 'api', status: 'built', contentHash: 'a'.repeat(16), tags: [], digest: null, seconds: 1 });
    expect(await writeRunReport(dir, new Set(), {})).toBeUndefined();
  });
});

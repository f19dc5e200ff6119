import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment } from './support/environment';
import { SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();

describe.skipIf(!environment.available)('"why rebuilt" report', () => {
  let ws: SandboxWorkspace;
  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-report-${Date.now().toString(36)}`);
  });
  afterAll(() => ws?.remove());

  const report = () => readFile(join(ws.root, 'dist/images/report.md'), 'utf8');

  it('lists every image; a first build says so', async () => {
    const run = await ws.nx(['run-many', '-t', 'image']);
    expect(run.exitCode, run.output).toBe(0);
    const text = await report();
    for (const project of ['api', 'base', 'indexer', 'status']) expect(text).toMatch(new RegExp(`\\| ${project} \\| built \\| \`[0-9a-f]{16}\` \\|`));
    expect(text).toContain('the first build of this image');
  });

  it('after a change in shared: api and indexer rebuilt because of that file, the others exist', async () => {
    await ws.edit('libs/shared/src/text.ts', (text) => text.replace('/[a-z0-9]+/g', '/[a-z0-9]+/gu'));
    await ws.commit('shared: unicode-aware tokenizer');
    const summary = join(ws.root, '.hashdock', 'step-summary.md');
    const run = await ws.nx(['run-many', '-t', 'image'], { GITHUB_STEP_SUMMARY: summary });
    expect(run.exitCode, run.output).toBe(0);
    const text = await report();
    expect(text).toMatch(/\| api \| built \|/);
    expect(text).toMatch(/\| indexer \| built \|/);
    expect(text).toMatch(/\| base \| exists \|/);
    expect(text).toMatch(/\| status \| exists \|/);
    for (const project of ['api', 'indexer']) {
      const section = text.split(`### ${project}\n`)[1].split('###')[0];
      expect(section).toContain('- changed: `source:libs/shared/src/text.ts`');
      expect(section).toContain('- changed: `file:dist/main.js`');
      expect(section).not.toContain('apps/status');
    }
    expect(text).not.toContain('### status');
    expect(await readFile(summary, 'utf8')).toContain('| api | built |');
  });
});

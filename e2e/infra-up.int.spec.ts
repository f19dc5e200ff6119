import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment } from './support/environment';
import { SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();

describe.skipIf(!environment.available)('nx run infra:up / infra:preview', () => {
  let ws: SandboxWorkspace;
  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-up-${Date.now().toString(36)}`);
  });
  afterAll(() => ws?.remove());

  it.each(['up', 'preview'])('infra:%s runs every image target first, then fails naming the missing pulumi CLI', async (target) => {
    // PULUMI_BINARY points nowhere, so the result is the same on a machine that has pulumi.
    const run = await ws.nx(['run', `infra:${target}`, '--stack=staging'], { PULUMI_BINARY: '/nonexistent/pulumi' });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain('The pulumi CLI (/nonexistent/pulumi) is not installed or not on PATH. Install it: https://www.pulumi.com/docs/iac/download-install/');
    for (const project of ['api', 'base', 'indexer', 'status']) expect(await ws.manifestExists(project)).toBe(true);
    const lastImage = Math.max(...['api', 'base', 'indexer', 'status'].map((p) => run.output.search(new RegExp(`hashdock (built|exists)\\s+${p} `))));
    expect(lastImage).toBeGreaterThan(-1);
    expect(lastImage).toBeLessThan(run.output.indexOf('The pulumi CLI'));
  });
});

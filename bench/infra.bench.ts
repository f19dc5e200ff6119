import { buildWorkspaceImages, DockerDriver, RegistryClient, loadRelease, verifyReleaseDigests } from '@hashdock/core';
import { SandboxWorkspace } from '../e2e/support/sandbox-workspace';
import { medianSeconds, Row } from './support';
import { join } from 'node:path';

/** What a deploy waits for before Pulumi sees a resource: decoupled (read release + verify) vs integrated (hash + build/check). */
export async function benchInfraModes(): Promise<Row[]> {
  const ws = await SandboxWorkspace.create(`bench-infra-${Date.now().toString(36)}`);
  const saved = { ...process.env };
  try {
    const run = await ws.nx(['run-many', '-t', 'image']);
    if (run.exitCode !== 0) throw new Error(run.output);
    Object.assign(process.env, ws.env());
    const client = new RegistryClient();
    const deps = { docker: new DockerDriver(), registry: client, log: () => undefined };
    const decoupled = await medianSeconds(5, async () => {
      const release = await loadRelease('dev', join(ws.root, 'dist/images'));
      await verifyReleaseDigests(Object.values(release.images), () => client, 'dist/images');
    });
    const integratedPreview = await medianSeconds(5, () => buildWorkspaceImages({ workspaceRoot: ws.root, overrides: { dryRun: true, manifestDir: 'dist/pulumi/bench' } }, deps));
    const integratedUp = await medianSeconds(5, () => buildWorkspaceImages({ workspaceRoot: ws.root, overrides: { manifestDir: 'dist/pulumi/bench' } }, deps));
    return [
      { benchmark: 'infra images step, all built', subject: 'integrated preview', baseline: 'decoupled', subjectSeconds: integratedPreview, baselineSeconds: decoupled, goal: 'report', met: true },
      { benchmark: 'infra images step, all built', subject: 'integrated up', baseline: 'decoupled', subjectSeconds: integratedUp, baselineSeconds: decoupled, goal: 'report', met: true },
    ];
  } finally {
    process.env = saved;
    await ws.remove();
  }
}

import { promoteImage, RegistryClient, runCommand } from '@hashdock/core';
import { SandboxWorkspace } from '../e2e/support/sandbox-workspace';
import { Row } from './support';

const DOCKER = '/usr/bin/docker';
const PROJECTS = ['api', 'base', 'indexer', 'status'];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Promotion of every sample image within one registry: Hashdock vs pull/tag/push vs skopeo copy --all. */
export async function benchPromotion(): Promise<Row[]> {
  const ws = await SandboxWorkspace.create(`bench-promo-${Date.now().toString(36)}`);
  try {
    const run = await ws.nx(['run-many', '-t', 'image']);
    if (run.exitCode !== 0) throw new Error(run.output);
    const refs = Object.fromEntries(await Promise.all(PROJECTS.map(async (p) => [p, (await ws.manifest(p)).ref!] as const)));
    const digests = Object.fromEntries(PROJECTS.map((p) => [p, refs[p].split('@')[1]]));
    const client = new RegistryClient();
    let blobBytes = 0;
    const hashdock = await timed(async () => {
      await Promise.all(PROJECTS.map(async (project) => {
        const result = await promoteImage({
          source: { client, repository: refs[project].split('@')[0], digest: digests[project] },
          target: { client, repository: `localhost:5000/${ws.namespace}-hd/${project}` },
          tags: ['promoted'],
        });
        blobBytes += result.blobBytesCopied;
      }));
    });
    // docker pull/tag/push from a daemon that does not have the images (as on a promotion runner).
    // Every image from the local registry goes, base layers included: a promotion runner has none of them.
    const { stdout } = await runCommand(DOCKER, ['image', 'ls', '--format', '{{.Repository}} {{.ID}}']);
    const local = [...new Set(stdout.split('\n').filter((line) => line.startsWith('localhost:5000/')).map((line) => line.split(' ')[1]))];
    if (local.length) await runCommand(DOCKER, ['rmi', '--force', ...local]);
    const pullTagPush = await timed(async () => {
      for (const project of PROJECTS) {
        const target = `localhost:5000/${ws.namespace}-docker/${project}:promoted`;
        await runCommand(DOCKER, ['pull', '--quiet', refs[project]]);
        await runCommand(DOCKER, ['tag', refs[project], target]);
        await runCommand(DOCKER, ['push', '--quiet', target]);
      }
    });
    const skopeo = await timed(async () => {
      for (const project of PROJECTS)
        await runCommand('skopeo', ['copy', '--all', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${refs[project]}`, `docker://localhost:5000/${ws.namespace}-skopeo/${project}:promoted`]);
    });
    console.log(`promotion bench: ${PROJECTS.length} images, Hashdock copied ${blobBytes} blob bytes`);
    return [
      { benchmark: 'promote 4 images, one registry', subject: 'hashdock (mount)', baseline: 'docker pull/tag/push', subjectSeconds: hashdock, baselineSeconds: pullTagPush, goal: '≤ 0.2 (≥5× faster)', met: hashdock * 5 <= pullTagPush && blobBytes === 0 },
      { benchmark: 'promote 4 images, one registry', subject: 'hashdock (mount)', baseline: 'skopeo copy --all', subjectSeconds: hashdock, baselineSeconds: skopeo, goal: 'report', met: true },
    ];
  } finally {
    await ws.remove();
  }
}

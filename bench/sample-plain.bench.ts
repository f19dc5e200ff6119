import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '@hashdock/core';
import { localRootImage } from '../e2e/support/environment';
import { SandboxWorkspace } from '../e2e/support/sandbox-workspace';
import { median, Row, timed } from './support';

const SERVICES = ['api', 'indexer', 'status'];
const ROUNDS = 3;

async function ok(run: Promise<{ exitCode: number; output: string }>): Promise<void> {
  const result = await run;
  if (result.exitCode !== 0) throw new Error(result.output.slice(-3000));
}

/**
 * The plain CI script a team writes without a tool: build every bundle, then
 * `docker build --cache-from <last> && docker push` per image, base first.
 */
async function plainScript(ws: SandboxWorkspace): Promise<void> {
  await ok(ws.nx(['run-many', '-t', 'build', '--skip-nx-cache']));
  const ref = (name: string) => `localhost:5000/${ws.namespace}/${name}:plain`;
  const image = async (name: string, args: string[]) => {
    await runCommand('/usr/bin/docker', ['build', '-q', '--cache-from', ref(name), '-f', `apps/${name}/Dockerfile`, ...args, '-t', ref(name), `apps/${name}`], { cwd: ws.root, timeoutMs: 300_000 });
    await runCommand('/usr/bin/docker', ['push', '-q', ref(name)], { timeoutMs: 300_000 });
  };
  await image('base', ['--build-arg', `ROOT_IMAGE=${await localRootImage()}`]);
  for (const name of SERVICES) await image(name, ['--build-arg', `BASE_IMAGE=${ref('base')}`]);
}

/**
 * The sample workspace (base + 3 services), `nx run-many -t image` with the
 * default builder vs the plain script, each in its own sandbox and registry
 * namespace: cold (nothing built, nothing pushed) and a fresh runner (Nx cache
 * and dist wiped, registry full; the plain script builds and pushes again on
 * the shared daemon's layer cache, so its fresh time is a lower bound).
 * Interleaved, 3 rounds, medians.
 */
export async function benchSamplePlain(): Promise<Row[]> {
  const times = { hashdockCold: [] as number[], plainCold: [] as number[], hashdockFresh: [] as number[], plainFresh: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const stamp = `${Date.now().toString(36)}-${round}`;
    const hashdock = await SandboxWorkspace.create(`bench-sample-hd-${stamp}`);
    const plain = await SandboxWorkspace.create(`bench-sample-plain-${stamp}`);
    try {
      const auto = { HASHDOCK_BUILDER: 'auto' };
      times.hashdockCold.push(await timed(() => ok(hashdock.nx(['run-many', '-t', 'image'], auto))));
      times.plainCold.push(await timed(() => plainScript(plain)));
      for (const ws of [hashdock, plain]) {
        await rm(join(ws.root, '.nx'), { recursive: true, force: true });
        for (const name of ['base', ...SERVICES]) await rm(join(ws.root, 'apps', name, 'dist'), { recursive: true, force: true });
        await rm(join(ws.root, 'dist'), { recursive: true, force: true });
      }
      times.hashdockFresh.push(await timed(() => ok(hashdock.nx(['run-many', '-t', 'image'], auto))));
      times.plainFresh.push(await timed(() => plainScript(plain)));
    } finally {
      await hashdock.remove();
      await plain.remove();
    }
  }
  return [
    { benchmark: 'sample workspace (4 images), cold: nx run-many -t image vs the plain CI script (bundles, then docker build && push each)', subject: 'hashdock', baseline: 'plain script', subjectSeconds: median(times.hashdockCold), baselineSeconds: median(times.plainCold), goal: '≤ 1.0', met: median(times.hashdockCold) <= median(times.plainCold) },
    { benchmark: 'sample workspace, fresh runner (Nx cache and dist wiped, registry full) vs the plain script again', subject: 'hashdock', baseline: 'plain script', subjectSeconds: median(times.hashdockFresh), baselineSeconds: median(times.plainFresh), goal: '≤ 1.0', met: median(times.hashdockFresh) <= median(times.plainFresh) },
  ];
}

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, DockerDriver, RegistryClient } from '@hashdock/core';
import { localRootImage } from '../e2e/support/environment';
import { imageBuildOptions } from '../e2e/support/image-options';
import { median, Row } from './support';

const SERVICES = 50;
/** Timed rounds of the one-line change (HASHDOCK_BENCH_ROUNDS; medians). */
const ROUNDS = Number(process.env.HASHDOCK_BENCH_ROUNDS ?? 7);

/** A service as the sample has them: a bundle of ~200 KiB under dist/, copied onto a base, a CMD. */
async function writeService(dir: string, version: number): Promise<void> {
  await mkdir(join(dir, 'dist'), { recursive: true });
  await writeFile(join(dir, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nWORKDIR /app\nCOPY dist/ /app/\nCMD ["node", "/app/main.js"]\n');
  const body = Array.from({ length: 4000 }, (_, i) => `exports.f${i} = (x) => x * ${i} + ${i % 7};`).join('\n');
  await writeFile(join(dir, 'dist/main.js'), `// build ${version}\n${body}\n`);
}

/**
 * The image step of a one-line change in a service (`buildImage`, what
 * `nx run <service>:image` runs after its build), registry builder vs docker
 * builder in the same run, interleaved, 7 rounds; then 50 services changed
 * at once, each builder building all of them (4 at a time, as Nx's parallel 4).
 */
export async function benchRegistryBuilder(): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'hashdock-bench-regb-'));
  const ns = `bench-regb-${Date.now().toString(36)}`;
  const base = await localRootImage();
  const deps = { docker: new DockerDriver(), registry: new RegistryClient(), log: () => undefined };
  let version = 0;
  const build = async (dir: string, name: string, builder: 'docker' | 'registry') => {
    const options = imageBuildOptions(name, dir, `localhost:5000/${ns}-${builder}/${name}`, { builder, buildArgs: { BASE_IMAGE: base } });
    const start = performance.now();
    const result = await buildImage(options, deps);
    if (result.manifest.status !== 'built') throw new Error(`${name} (${builder}): ${result.manifest.status}, expected built`);
    phases[builder].push(result.phases);
    return (performance.now() - start) / 1000;
  };
  const phases = { docker: [] as Record<string, number>[], registry: [] as Record<string, number>[] };
  try {
    // One checkout per builder, as a user has one: each run finds its own previous manifest there.
    const one = { docker: join(root, 'one-docker'), registry: join(root, 'one-registry') };
    // Warm-up: both builders have their base and cache state.
    for (const builder of ['docker', 'registry'] as const) {
      await writeService(one[builder], ++version);
      await build(one[builder], 'svc', builder);
    }
    const times = { docker: [] as number[], registry: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const builder of ['registry', 'docker'] as const) {
        await writeService(one[builder], ++version);
        times[builder].push(await build(one[builder], 'svc', builder));
      }
    }
    // Where the image step's time goes (median per phase over the timed rounds).
    for (const builder of ['registry', 'docker'] as const) {
      const timed = phases[builder].slice(-ROUNDS);
      const names = Object.keys(timed[0]).filter((name) => name !== 'process');
      console.log(`registry-builder bench: ${builder} phases (ms): ${names.map((name) => `${name} ${(median(timed.map((p) => p[name] ?? 0)) * 1000).toFixed(1)}`).join(', ')}`);
    }
    const many = { docker: 0, registry: 0 };
    for (const builder of ['registry', 'docker'] as const) {
      const dirs = Array.from({ length: SERVICES }, (_, i) => join(root, `svc-${i}`));
      ++version;
      for (const dir of dirs) await writeService(dir, version);
      const start = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (next < dirs.length) {
          const i = next++;
          await build(dirs[i], `svc-${i}`, builder);
        }
      }));
      many[builder] = (performance.now() - start) / 1000;
    }
    return [
      { benchmark: 'one-line change in a service: the image step (hash, build, push, claim, manifest)', subject: 'registry builder', baseline: 'docker builder', subjectSeconds: median(times.registry), baselineSeconds: median(times.docker), goal: '≤ 0.1 (10× faster)', met: median(times.registry) <= median(times.docker) / 10 },
      { benchmark: `${SERVICES} services changed at once, 4 at a time`, subject: 'registry builder', baseline: 'docker builder', subjectSeconds: many.registry, baselineSeconds: many.docker, goal: 'report', met: true },
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

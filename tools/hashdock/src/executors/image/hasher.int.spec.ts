import type { Hash, HasherContext, Task, TaskGraph, TaskHasher } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { BASE_DIGESTS_METADATA } from '@hashdock/core/names';
import { getManifest, hostPlatform, RegistryClient } from '@hashdock/core';
import { checkEnvironment, localRootImage } from '../../../../../e2e/support/environment';
import hashImageTask from './hasher';

const environment = await checkEnvironment();

const task = { id: 'svc:image', target: { project: 'svc', target: 'image' }, overrides: {}, outputs: [], parallelism: true } as unknown as Task;

/** What Nx gives an executor's hasher: its own hasher (answering a fixed hash here) and a graph holding the target's metadata. */
function contextFor(metadata: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = {}): HasherContext {
  const hasher = { hashTasks: async (tasks: Task[]): Promise<Hash[]> => tasks.map(() => ({ value: 'nx-hash', details: { command: 'c', nodes: { 'svc:{projectRoot}/Dockerfile': 'f' } } })) } as unknown as TaskHasher;
  const projectGraph = { nodes: { svc: { name: 'svc', type: 'app', data: { root: 'apps/svc', targets: { image: { executor: '@hashdock/nx-plugin:image', metadata } } } } }, dependencies: {} };
  return { hasher, projectGraph, taskGraph: { tasks: {}, dependencies: {}, roots: [] } as unknown as TaskGraph, env } as unknown as HasherContext;
}

describe.skipIf(!environment.available)('the image executor\'s Nx hasher (real registry)', () => {
  it('adds each external base\'s digest now to Nx\'s hash, named in the details by the command that prints the same', async () => {
    const root = await localRootImage();
    const colon = root.lastIndexOf(':');
    const digest = (await getManifest(new RegistryClient(), root.slice(0, colon), root.slice(colon + 1))).digest;
    // No external base: Nx's own hash, untouched.
    expect(await hashImageTask(task, contextFor(undefined))).toEqual({ value: 'nx-hash', details: { command: 'c', nodes: { 'svc:{projectRoot}/Dockerfile': 'f' } } });
    const withBase = await hashImageTask(task, contextFor({ [BASE_DIGESTS_METADATA]: [{ reference: 'local/missing:1', arg: 'ROOT_IMAGE' }] }, { HASHDOCK_BUILD_ARG_ROOT_IMAGE: root }));
    expect(withBase.value).not.toBe('nx-hash');
    expect(withBase.details.nodes).toEqual({ 'svc:{projectRoot}/Dockerfile': 'f' });
    // The override in the task's environment names the image the build will use.
    expect(withBase.details.runtime).toEqual({ 'hashdock base-digest local/missing:1 --arg ROOT_IMAGE': `${root} ${hostPlatform()} ${digest}` });
    // Read again: the same hash while the base is the same.
    expect((await hashImageTask(task, contextFor({ [BASE_DIGESTS_METADATA]: [{ reference: 'local/missing:1', arg: 'ROOT_IMAGE' }] }, { HASHDOCK_BUILD_ARG_ROOT_IMAGE: root }))).value).toBe(withBase.value);
  });

  it('a base no registry answers for goes into the hash as its error, without failing the hashing: the executor then names it', async () => {
    const unreachable = '127.0.0.1:5999/nowhere/base:1';
    const hash = await hashImageTask(task, contextFor({ [BASE_DIGESTS_METADATA]: [{ reference: unreachable }] }));
    expect(hash.value).not.toBe('nx-hash');
    expect(hash.details.runtime?.[`hashdock base-digest ${unreachable}`]).toMatch(/^hashdock base-digest 127\.0\.0\.1:5999\/nowhere\/base:1 failed: .*127\.0\.0\.1:5999/);
  }, 60_000);
});

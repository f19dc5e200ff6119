import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverImageTargets } from '../workspace/discover-images';
import { normalizeHashdockOptions } from '../workspace/hashdock-config';
import { orderImageTargets } from './build-workspace-images';

describe('orderImageTargets', () => {
  let root = '';
  const config = normalizeHashdockOptions({ namespace: 'acme' });
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-order-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function project(dir: string, name: string, dockerfile: string): Promise<void> {
    await mkdir(join(root, dir), { recursive: true });
    await writeFile(join(root, dir, 'project.json'), JSON.stringify({ name }));
    await writeFile(join(root, dir, 'Dockerfile'), dockerfile);
  }

  it('puts bases first and finds targets the way the plugin does', async () => {
    await project('apps/api', 'api', 'ARG BASE_IMAGE=acme/runtime\nFROM ${BASE_IMAGE}\n');
    await project('images/runtime', 'runtime', 'ARG BASE=acme/os\nFROM ${BASE}\n');
    await project('images/os', 'os', 'FROM scratch\n');
    await mkdir(join(root, 'node_modules/x'), { recursive: true });
    await writeFile(join(root, 'node_modules/x/Dockerfile'), 'FROM scratch\n');
    const targets = await discoverImageTargets(root, config);
    expect(targets.map((t) => [t.project, t.projectRoot])).toEqual([['api', 'apps/api'], ['os', 'images/os'], ['runtime', 'images/runtime']]);
    expect(orderImageTargets(targets).map((t) => t.name)).toEqual(['os', 'runtime', 'api']);
    expect(orderImageTargets(targets, ['runtime']).map((t) => [t.name, t.bases.map((b) => b.name)])).toEqual([['os', []], ['runtime', ['os']]]);
  });

  it('names a cycle and an unknown project', async () => {
    await project('a', 'a', 'ARG X=acme/b\nFROM ${X}\n');
    await project('b', 'b', 'ARG X=acme/a\nFROM ${X}\n');
    const targets = await discoverImageTargets(root, config);
    expect(() => orderImageTargets(targets)).toThrow('Images build FROM each other in a cycle: a → b → a');
    expect(() => orderImageTargets(targets, ['zeta'])).toThrow('No image project named "zeta" (known: a, b)');
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverImageProjects } from '../workspace/discover-images';
import { orderImageProjects } from './build-workspace-images';

describe('orderImageProjects', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-order-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  async function project(dir: string, name: string, dockerfile: string): Promise<void> {
    await mkdir(join(root, dir), { recursive: true });
    await writeFile(join(root, dir, 'project.json'), JSON.stringify({ name }));
    await writeFile(join(root, dir, 'Dockerfile'), dockerfile);
  }

  it('puts bases first and finds projects the way the plugin does', async () => {
    await project('apps/api', 'api', 'ARG BASE_IMAGE=acme/runtime\nFROM ${BASE_IMAGE}\n');
    await project('images/runtime', 'runtime', 'ARG BASE=acme/os\nFROM ${BASE}\n');
    await project('images/os', 'os', 'FROM scratch\n');
    await mkdir(join(root, 'node_modules/x'), { recursive: true });
    await writeFile(join(root, 'node_modules/x/Dockerfile'), 'FROM scratch\n');
    const projects = discoverImageProjects(root);
    expect(projects.map((p) => [p.name, p.root])).toEqual([['api', 'apps/api'], ['os', 'images/os'], ['runtime', 'images/runtime']]);
    expect(orderImageProjects(root, 'acme', projects).map((entry) => entry.project.name)).toEqual(['os', 'runtime', 'api']);
    expect(orderImageProjects(root, 'acme', projects, ['runtime']).map((entry) => [entry.project.name, entry.bases])).toEqual([['os', []], ['runtime', ['os']]]);
  });

  it('names a cycle and an unknown project', async () => {
    await project('a', 'a', 'ARG X=acme/b\nFROM ${X}\n');
    await project('b', 'b', 'ARG X=acme/a\nFROM ${X}\n');
    const projects = discoverImageProjects(root);
    expect(() => orderImageProjects(root, 'acme', projects)).toThrow('Images build FROM each other in a cycle: a → b → a');
    expect(() => orderImageProjects(root, 'acme', projects, ['zeta'])).toThrow('No image project named "zeta" (known: a, b)');
  });
});

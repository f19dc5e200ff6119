import type { ProjectGraph, TaskGraph } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { dependencyOutputs, taskDependencyIds } from './task-dependencies';

const task = (project: string, target: string, configuration?: string) => ({
  id: [project, target, configuration].filter(Boolean).join(':'),
  target: { project, target, ...(configuration ? { configuration } : {}) },
  overrides: {},
  outputs: [],
  projectRoot: `apps/${project}`,
  parallelism: true,
});

describe('the task graph as each Nx lists it', () => {
  const tasks = Object.fromEntries([task('base', 'image'), task('web', 'image'), task('web', 'build', 'production')].map((t) => [t.id, t]));
  const projectGraph = {
    nodes: {
      web: { name: 'web', type: 'app', data: { root: 'apps/web', targets: { build: { options: { outputPath: 'dist/apps/web' }, outputs: ['{options.outputPath}'], configurations: { production: {} } } } } },
      base: { name: 'base', type: 'app', data: { root: 'images/base', targets: { image: { executor: '@hashdock/nx-plugin:image', outputs: ['{workspaceRoot}/dist/images/base.json'] } } } },
    },
    dependencies: {},
  } as unknown as ProjectGraph;

  it('reads dependencies as ids (Nx 22, 23) or { id } objects (Nx 24), the same', () => {
    const older = { tasks, dependencies: { 'web:image': ['base:image', 'web:build:production'], 'base:image': [] }, roots: [] } as unknown as TaskGraph;
    const nx24 = { tasks, dependencies: { 'web:image': [{ id: 'base:image' }, { id: 'web:build:production' }], 'base:image': [] }, roots: [] } as unknown as TaskGraph;
    for (const graph of [older, nx24]) {
      expect(taskDependencyIds(graph, 'web:image')).toEqual(['base:image', 'web:build:production']);
      expect(taskDependencyIds(graph, 'base:image')).toEqual([]);
      expect(taskDependencyIds(graph, 'api:image')).toEqual([]);
      // Each dependency's outputs as Nx resolves them ({options.outputPath}); a base image's (its manifest) left out.
      expect(dependencyOutputs('web:image', graph, projectGraph)).toEqual([{ task: 'web:build:production', paths: ['dist/apps/web'] }]);
    }
    expect(dependencyOutputs('web:image', undefined, projectGraph)).toEqual([]);
  });
});

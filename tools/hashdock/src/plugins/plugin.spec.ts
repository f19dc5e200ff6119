import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDockerignore } from '@hashdock/core';
import { createDependencies, createNodes } from './plugin';
import { contextInputs } from './dockerignore-inputs';

describe('hashdock plugin', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-plugin-'));
    const files: Record<string, string> = {
      'apps/base/Dockerfile': 'ARG ROOT_IMAGE=node:24-slim\nFROM ${ROOT_IMAGE}\n',
      'apps/base/project.json': '{"name":"base"}',
      'apps/api/Dockerfile': 'ARG BASE_IMAGE=acme/base\nFROM ${BASE_IMAGE}\nCOPY dist/ /app/\n',
      'apps/api/.dockerignore': 'src\n*.md\n',
      'apps/api/project.json': '{"name":"api","targets":{"build":{}}}',
      'docs/Dockerfile': 'FROM scratch\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const run = (options: Record<string, unknown>) =>
    createNodes[1](['apps/base/Dockerfile', 'apps/api/Dockerfile', 'docs/Dockerfile'], options, { workspaceRoot: root, nxJsonConfiguration: {} });

  it('infers a described, cached image target for each project with a Dockerfile', async () => {
    const results = Object.fromEntries(await run({ namespace: 'acme', buildArgs: { ROOT_IMAGE: 'local/root:1' } }));
    expect(Object.keys(results)).toEqual(['apps/base/Dockerfile', 'apps/api/Dockerfile', 'docs/Dockerfile']);
    expect(results['docs/Dockerfile']).toEqual({});
    const api = results['apps/api/Dockerfile'].projects!['apps/api'].targets!.image;
    expect(api).toMatchObject({
      executor: '@hashdock/nx-plugin:image',
      cache: true,
      dependsOn: ['build', '^image'],
      outputs: ['{workspaceRoot}/dist/images/api.json', '{workspaceRoot}/dist/images/.reports/api.json'],
      options: { context: '{projectRoot}', dockerfile: '{projectRoot}/Dockerfile', namespace: 'acme', buildArgs: {} },
    });
    expect(api.metadata?.description).toMatch(/acme\/api/);
    expect(api.inputs).toEqual([
      '{projectRoot}/**/*',
      '!{projectRoot}/src',
      '!{projectRoot}/src/**',
      '!{projectRoot}/*.md',
      '!{projectRoot}/*.md/**',
      '{projectRoot}/Dockerfile',
      { dependentTasksOutputFiles: '**/*' },
      { env: 'HASHDOCK_REGISTRY' },
      { env: 'HASHDOCK_NAMESPACE' },
      { env: 'HASHDOCK_BUILD_ARG_BASE_IMAGE' },
      { runtime: 'git rev-parse --short=12 HEAD' },
    ]);
    const base = results['apps/base/Dockerfile'].projects!['apps/base'].targets!.image;
    expect(base.dependsOn).toEqual(['^image']);
    // Only args the Dockerfile declares are passed (and hashed).
    expect(base.options.buildArgs).toEqual({ ROOT_IMAGE: 'local/root:1' });
  });

  it('declares no git input when no tag uses the commit', async () => {
    const results = Object.fromEntries(await run({ tags: ['{contentHash}', 'latest'] }));
    const inputs = results['apps/base/Dockerfile'].projects!['apps/base'].targets!.image.inputs as unknown[];
    expect(inputs).not.toContainEqual({ runtime: 'git rev-parse --short=12 HEAD' });
  });

  it('infers image → image dependencies from FROM lines', async () => {
    const projects = { api: { root: 'apps/api' }, base: { root: 'apps/base' }, docs: { root: 'docs' } };
    const dependencies = await createDependencies({ namespace: 'acme' }, {
      projects,
      workspaceRoot: root,
      nxJsonConfiguration: {},
      externalNodes: {},
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
    });
    expect(dependencies).toEqual([{ source: 'api', target: 'base', type: 'static', sourceFile: 'apps/api/Dockerfile' }]);
  });

  it('counts the whole context when .dockerignore re-includes with "!"', () => {
    expect(contextInputs('{projectRoot}', parseDockerignore('*\n!dist\n'))).toEqual(['{projectRoot}/**/*']);
    expect(contextInputs('{projectRoot}', undefined)).toEqual(['{projectRoot}/**/*']);
  });
});

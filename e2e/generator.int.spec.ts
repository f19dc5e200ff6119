import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment } from './support/environment';
import { requestFromImage } from './support/run-container';
import { builtProjects, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();

describe.skipIf(!environment.available)('nx g @hashdock/nx-plugin:service', () => {
  let ws: SandboxWorkspace;
  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-gen-${Date.now().toString(36)}`);
  });
  afterAll(() => ws?.remove());

  it('adds a service whose image builds FROM the workspace base, pushes, and answers /health', async () => {
    const generated = await ws.nx(['g', '@hashdock/nx-plugin:service', 'billing', '--baseImage=hashdock/base', '--no-interactive']);
    expect(generated.exitCode, generated.output).toBe(0);
    expect(await readFile(join(ws.root, 'apps/billing/Dockerfile'), 'utf8')).toContain('ARG BASE_IMAGE=hashdock/base');
    expect(await readFile(join(ws.root, 'apps/billing/.dockerignore'), 'utf8')).toContain('**/*.spec.mjs');
    // nx run billing:run-image runs what the image target made, on the service's port.
    const show = await ws.nx(['show', 'project', 'billing', '--json']);
    expect(JSON.parse(show.output.slice(show.output.indexOf('{'))).targets['run-image']).toMatchObject({
      executor: '@hashdock/nx-plugin:run',
      dependsOn: ['image'],
      continuous: true,
      options: { ports: ['127.0.0.1:3000:3000'] },
    });
    const graph = await ws.nx(['graph', '--file=graph.json']);
    expect(graph.exitCode, graph.output).toBe(0);
    const { graph: g } = JSON.parse(await readFile(join(ws.root, 'graph.json'), 'utf8'));
    expect(g.dependencies.billing.map((d: { target: string }) => d.target)).toContain('base');
    const run = await ws.nx(['run', 'billing:image']);
    expect(run.exitCode, run.output).toBe(0);
    expect(builtProjects(await ws.takeDockerCalls())).toEqual(['base', 'billing']);
    const manifest = await ws.manifest('billing');
    expect(await requestFromImage(manifest.ref!, 3000, '/health')).toEqual({ status: 200, body: { status: 'ok', service: 'billing' } });
    const invalid = await ws.nx(['g', '@hashdock/nx-plugin:service', 'Bad_Name', '--no-interactive']);
    expect(invalid.exitCode).not.toBe(0);
    expect(invalid.output).toContain('Service name "Bad_Name" must be lowercase letters and digits separated by "-"');
  });
});

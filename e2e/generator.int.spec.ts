import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';
import { checkEnvironment } from './support/environment';
import { builtProjects, SandboxWorkspace } from './support/sandbox-workspace';

const environment = await checkEnvironment();

describe.skipIf(!environment.available)('nx g @hashdock/nx-plugin:service', () => {
  let ws: SandboxWorkspace;
  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-gen-${Date.now().toString(36)}`);
  });
  afterAll(() => ws?.remove());

  it('adds a service whose image builds FROM base, pushes, and answers /health', async () => {
    const generated = await ws.nx(['g', '@hashdock/nx-plugin:service', 'billing', '--no-interactive']);
    expect(generated.exitCode, generated.output).toBe(0);
    expect(await readFile(join(ws.root, 'apps/billing/Dockerfile'), 'utf8')).toContain('ARG BASE_IMAGE=hashdock/base');
    expect(await readFile(join(ws.root, 'apps/billing/.dockerignore'), 'utf8')).toContain('dist/meta.json');
    const graph = await ws.nx(['graph', '--file=graph.json']);
    expect(graph.exitCode, graph.output).toBe(0);
    const { graph: g } = JSON.parse(await readFile(join(ws.root, 'graph.json'), 'utf8'));
    expect(g.dependencies.billing.map((d: { target: string }) => d.target)).toContain('base');
    const run = await ws.nx(['run', 'billing:image']);
    expect(run.exitCode, run.output).toBe(0);
    expect(builtProjects(await ws.takeDockerCalls())).toEqual(['base', 'billing']);
    const manifest = await ws.manifest('billing');
    const { stdout: id } = await runCommand('/usr/bin/docker', ['run', '--detach', '--publish', '127.0.0.1::3000', manifest.ref!]);
    try {
      const { stdout: port } = await runCommand('/usr/bin/docker', ['port', id.trim(), '3000/tcp']);
      let body: unknown;
      for (let i = 0; i < 50 && !body; i++) {
        body = await fetch(`http://${port.trim().split('\n')[0]}/health`).then((r) => r.json(), () => undefined);
        if (!body) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(body).toEqual({ status: 'ok', service: 'billing' });
    } finally {
      await runCommand('/usr/bin/docker', ['rm', '--force', id.trim()]);
    }
    const invalid = await ws.nx(['g', '@hashdock/nx-plugin:service', 'Bad_Name', '--no-interactive']);
    expect(invalid.exitCode).not.toBe(0);
    expect(invalid.output).toContain('Service name "Bad_Name" must be lowercase letters and digits separated by "-"');
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment } from '../e2e/support/environment';
import { builtProjects, SandboxWorkspace } from '../e2e/support/sandbox-workspace';
import { RegistryClient, hasTag } from '@hashdock/core';
import type { ImageManifest } from '@hashdock/core';

const environment = await checkEnvironment();

const mocks: pulumi.runtime.Mocks = {
  newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, metadata: { ...(args.inputs.metadata ?? {}), name: args.inputs.metadata?.name ?? args.name } } }),
  call: (args) => args.inputs,
};

const promiseOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe.skipIf(!environment.available)('infra integrated mode: the program builds through the core library', () => {
  let ws: SandboxWorkspace;
  const saved = { ...process.env };

  beforeAll(async () => {
    ws = await SandboxWorkspace.create(`e2e-int-${Date.now().toString(36)}`);
    const build = await ws.nx(['run-many', '-t', 'build']);
    expect(build.exitCode, build.output).toBe(0);
    Object.assign(process.env, ws.env());
  });
  afterAll(async () => {
    process.env = saved;
    await ws?.remove();
  });

  async function run(preview: boolean) {
    pulumi.runtime.setMocks(mocks, 'hashdock-infra', 'dev', preview);
    pulumi.runtime.setAllConfig({ 'hashdock-infra:namespace': 'hashdock-dev', 'hashdock-infra:registry': 'localhost:5000', 'hashdock-infra:integrated': 'true' });
    const { runProgram } = await import('./program');
    const { readStackSettings } = await import('./stack-settings');
    const { liveDeps } = await import('./live-deps');
    const settings = readStackSettings();
    const outputs = await runProgram(settings, liveDeps(settings, ws.root));
    await promiseOf(outputs.ready);
    return outputs;
  }

  const manifest = async (dir: string, project: string): Promise<ImageManifest> => JSON.parse(await readFile(join(ws.root, dir, `${project}.json`), 'utf8'));

  it('a preview (dry run) builds and pushes nothing', async () => {
    const outputs = await run(true);
    expect((await ws.takeDockerCalls()).filter((call) => /^(build|push) /.test(call))).toEqual([]);
    const api = await manifest('dist/pulumi/dev/images', 'api');
    expect(api).toMatchObject({ status: 'planned', digest: null });
    expect(await hasTag(new RegistryClient(), api.repository, api.contentHash)).toBeUndefined();
    expect(outputs.images.api).toBe(`${api.repository}:${api.contentHash}`);
  });

  it('a real run pushes the same tag the Nx executor would, and deploys it by digest', async () => {
    const outputs = await run(false);
    expect(builtProjects(await ws.takeDockerCalls())).toEqual(['api', 'base', 'indexer', 'status']);
    const plan = await ws.nx(['run-many', '-t', 'image', '--dryRun']);
    expect(plan.exitCode, plan.output).toBe(0);
    for (const project of ['api', 'indexer', 'status']) {
      const integrated = await manifest('dist/pulumi/dev/images', project);
      const nx = await manifest('dist/images', project);
      expect(integrated.contentHash).toBe(nx.contentHash);
      expect(nx.plan).toBe('exists');
      expect(await hasTag(new RegistryClient(), integrated.repository, integrated.contentHash)).toBe(integrated.digest);
      expect(outputs.images[project]).toBe(integrated.ref);
    }
  });
});

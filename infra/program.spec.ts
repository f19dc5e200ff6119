import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeManifest, writeRelease } from '@hashdock/core';
import type { ReleasedImages } from './program';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

const registered: Registered[] = [];
const mocks: pulumi.runtime.Mocks = {
  newResource: (args) => {
    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
    return { id: `${args.name}-id`, state: { ...args.inputs, metadata: { ...(args.inputs.metadata ?? {}), name: args.inputs.metadata?.name ?? args.name } } };
  },
  call: (args) => args.inputs,
};

const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const PROJECTS = ['api', 'base', 'indexer', 'status'];

function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

async function useStack(stack: string): Promise<void> {
  // Mocks first, then the stack's own Pulumi.<stack>.yaml as config, then the program.
  pulumi.runtime.setMocks(mocks, 'hashdock-infra', stack, false);
  const file = parse(await readFile(join(import.meta.dirname, `Pulumi.${stack}.yaml`), 'utf8')) as { config: Record<string, unknown> };
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(file.config).map(([k, v]) => [k, String(v)])));
}

describe('infra program (pulumi mocks)', () => {
  let workspace = '';
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'hashdock-infra-'));
    await mkdir(join(workspace, 'infra'), { recursive: true });
    await writeFile(
      join(workspace, 'infra/environments.json'),
      JSON.stringify({
        environments: {
          dev: { registry: 'localhost:5000', namespace: 'hashdock', release: 'dist/images' },
          staging: { registry: 'localhost:5000', namespace: 'hashdock-staging', release: 'infra/releases/staging.json' },
          prod: { registry: '127.0.0.1:5001', namespace: 'hashdock-prod', release: 'infra/releases/prod.json' },
        },
      }),
    );
    for (const [index, project] of PROJECTS.entries()) {
      const repository = `localhost:5000/hashdock/${project}`;
      await writeManifest(join(workspace, 'dist/images'), {
        schemaVersion: 1, project, repository, contentHash: `${index}`.repeat(16), tags: [`${index}`.repeat(16)], digest: digest(index + 1),
        ref: `${repository}@${digest(index + 1)}`, status: 'built', pushed: true, platform: 'linux/amd64', baseImages: {},
      });
    }
    for (const [env, registry, offset] of [['staging', 'localhost:5000', 5], ['prod', '127.0.0.1:5001', 5]] as const) {
      const images = Object.fromEntries(PROJECTS.map((project, index) => {
        const repository = `${registry}/hashdock-${env}/${project}`;
        return [project, { project, repository, digest: digest(index + offset), ref: `${repository}@${digest(index + offset)}`, contentHash: 'a'.repeat(16), tags: ['a'.repeat(16)], source: { environment: 'dev', ref: 'x' } }];
      }));
      await writeRelease(join(workspace, `infra/releases/${env}.json`), { schemaVersion: 1, environment: env, images });
    }
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));
  beforeEach(() => {
    registered.length = 0;
  });

  async function deploy(stack: string, verified: ReleasedImages[] = []) {
    await useStack(stack);
    const { runProgram } = await import('./program');
    const { readStackSettings } = await import('./stack-settings');
    const { liveDeps } = await import('./live-deps');
    const live = liveDeps(readStackSettings(), workspace);
    // The registry check is exercised against the real registry in verify-release.int.spec.ts.
    const outputs = await runProgram(readStackSettings(), { ...live, verifyRelease: async (release) => void verified.push(release) });
    // Every resource is registered once the outputs that depend on them resolve.
    await Promise.all([promiseOf(outputs.namespace), promiseOf(outputs.ready)]);
    return outputs;
  }

  const workload = (name: string, type: string) => registered.find((r) => r.name === name && r.type === type)!;
  const imageOf = (r: Registered) => r.inputs.spec.template.spec.containers[0].image;

  it.each([
    ['dev', 'hashdock-dev', 1, 'localhost:5000/hashdock'],
    ['staging', 'hashdock-staging', 2, 'localhost:5000/hashdock-staging'],
    ['prod', 'hashdock-prod', 3, '127.0.0.1:5001/hashdock-prod'],
  ])('stack %s: namespace %s, %i replicas, every workload pinned to its release digest', async (stack, namespace, replicas, prefix) => {
    const verified: ReleasedImages[] = [];
    const outputs = await deploy(stack, verified);
    const release = verified[0];
    expect(verified).toHaveLength(1);
    expect(registered.find((r) => r.type === 'kubernetes:core/v1:Namespace')?.inputs.metadata.name).toBe(namespace);
    const api = workload('api', 'kubernetes:apps/v1:Deployment');
    const status = workload('status', 'kubernetes:apps/v1:Deployment');
    const indexer = workload('indexer', 'kubernetes:apps/v1:StatefulSet');
    for (const [project, resource] of [['api', api], ['status', status], ['indexer', indexer]] as const) {
      expect(imageOf(resource)).toBe(release.images[project].ref);
      expect(imageOf(resource)).toMatch(new RegExp(`^${prefix.replace(/\./g, '\\.')}/${project}@sha256:[0-9a-f]{64}$`));
      expect(resource.inputs.spec.replicas).toBe(replicas);
      expect(resource.inputs.metadata.namespace).toBe(namespace);
    }
    expect(registered.filter((r) => r.type === 'kubernetes:core/v1:Service').map((r) => r.name).sort()).toEqual(['api', 'indexer', 'indexer-headless', 'status']);
    expect(outputs.images).toEqual({ api: imageOf(api), indexer: imageOf(indexer), status: imageOf(status) });
  });

  it('fails naming the project when its manifest is missing', async () => {
    await rm(join(workspace, 'dist/images/indexer.json'));
    await expect(deploy('dev')).rejects.toThrow(new RegExp(`${join(workspace, 'dist/images').replace(/[/.]/g, '\\$&')}: no image for project "indexer"`));
  });

  it('fails naming the file when a manifest is corrupt', async () => {
    await writeFile(join(workspace, 'dist/images/api.json'), '{"project": "api", "digest": ');
    await expect(deploy('dev')).rejects.toThrow(`Image manifest ${join(workspace, 'dist/images/api.json')}: is not valid JSON`);
  });

  it('refuses a release from another registry than the stack deploys from', async () => {
    const release = JSON.parse(await readFile(join(workspace, 'infra/releases/staging.json'), 'utf8'));
    await writeFile(join(workspace, 'infra/releases/prod.json'), JSON.stringify(release));
    await expect(deploy('prod')).rejects.toThrow(/project "api" comes from localhost:5000\/hashdock-staging\/api, but stack prod deploys from 127\.0\.0\.1:5001/);
  });
});

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';
import { checkEnvironment } from '../../../../../e2e/support/environment';
import { BAKE_FILES, bakeBuilds } from './bake-builds';
import { bakeCallBuilds, bakeCallOf } from './bake-calls';
import { namedImage } from './build-settings';

const environment = await checkEnvironment();

/** Bake files as teams write them: templates and inherits, nested groups, variables, JSON with an HCL override. */
const CASES: Record<string, Record<string, string>> = {
  'templates, groups and variables': {
    'docker-bake.hcl': `
variable "SHOP_TAG" { default = "1.0" }
variable "SHOP_NODE" { default = "24" }
group "default" { targets = ["backend", "web"] }
group "backend" { targets = ["api", "worker"] }
target "common" {
  context = "."
  args = { NODE_VERSION = "\${SHOP_NODE}", BUILD = "\${SHOP_TAG}" }
  labels = { "org.opencontainers.image.source" = "https://github.com/acme/shop" }
}
target "api" {
  inherits = ["common"]
  dockerfile = "apps/api/Dockerfile"
  args = { FLAVOUR = "lean" }
  tags = ["ghcr.io/acme/api:\${SHOP_TAG}", "ghcr.io/acme/api:latest"]
  target = "runtime"
  platforms = ["linux/amd64", "linux/arm64"]
}
target "worker" {
  inherits = ["api"]
  dockerfile = "apps/worker/Dockerfile"
  tags = ["ghcr.io/acme/worker:\${SHOP_TAG}"]
}
target "web" {
  context = "apps/web"
  dockerfile = "web.Dockerfile"
}
`,
  },
  'JSON with an HCL override': {
    'docker-bake.json': JSON.stringify({
      variable: { SHOP_REGISTRY: { default: 'registry.acme.dev' } },
      group: { default: { targets: ['api'] } },
      target: { base: { context: '.', args: { A: '1' } }, api: { inherits: ['base'], dockerfile: 'apps/api/Dockerfile', tags: ['${SHOP_REGISTRY}/api'] } },
    }),
    'docker-bake.override.hcl': 'target "api" {\n  args = { B = "2" }\n  labels = { team = "shop" }\n}\n',
  },
};

/**
 * `docker buildx bake --print` (buildx itself, the one this machine's environment installs) as the oracle for
 * what Hashdock reads of a Bake file: each target it would build, with the same context, Dockerfile, args,
 * labels, stage, platforms and image.
 */
/** Bake as CI runs it: files `-f` names (merged in their order), the targets and groups it names, from a folder. */
const CALLS: Record<string, { files: Record<string, string>; cwd: string; words: string[] }> = {
  'a file -f names, and the targets and groups the command names': {
    cwd: '.',
    words: ['docker', 'buildx', 'bake', '--progress', 'plain', '-f', 'deploy/bake.hcl', 'backend', 'web'],
    files: {
      'docker-bake.hcl': 'target "decoy" {\n  dockerfile = "decoy/Dockerfile"\n}\n',
      'deploy/bake.hcl': `
group "default" { targets = ["api"] }
group "backend" { targets = ["api", "worker"] }
target "api" {
  context = "apps/api"
  dockerfile = "Dockerfile.prod"
}
target "worker" {
  context = "apps/worker"
}
target "web" {
  dockerfile = "apps/web/web.Dockerfile"
  args = { FLAVOUR = "lean" }
}
target "docs" {
  context = "docs"
}
`,
    },
  },
  'two -f files merged in their order': {
    cwd: '.',
    words: ['docker', 'buildx', 'bake', '-f', 'bake/base.hcl', '--file=bake/ci.hcl'],
    files: {
      'bake/base.hcl': 'group "default" { targets = ["api"] }\ntarget "api" {\n  context = "apps/api"\n  args = { A = "1" }\n}\n',
      'bake/ci.hcl': 'target "api" {\n  args = { B = "2" }\n  tags = ["registry.acme.dev/api:ci"]\n}\n',
    },
  },
  'run from a folder: its own docker-bake.hcl, contexts read from there': {
    cwd: 'deploy',
    words: ['docker', 'buildx', 'bake'],
    files: {
      'docker-bake.hcl': 'target "decoy" {}\n',
      'deploy/docker-bake.hcl': 'group "default" { targets = ["api"] }\ntarget "api" {\n  context = "../apps/api"\n  dockerfile = "Dockerfile"\n}\n',
    },
  },
};

type Printed = { target: Record<string, { context?: string; dockerfile?: string; args?: Record<string, string>; labels?: Record<string, string>; target?: string; platforms?: string[]; tags?: string[] }> };

/** What `--print` says bake builds, as workspace paths (bake reads contexts from where it runs). */
function printedBuilds(stdout: string, cwd: string) {
  return Object.entries((JSON.parse(stdout) as Printed).target).map(([target, t]) => {
    const context = posix.normalize(posix.join(cwd, t.context ?? '.'));
    return {
      target,
      context,
      dockerfile: posix.join(context, t.dockerfile ?? 'Dockerfile'),
      settings: Object.fromEntries(
        Object.entries({
          buildArgs: t.args,
          labels: t.labels,
          stage: t.target,
          platform: t.platforms?.join(','),
          image: namedImage(t.tags ?? []),
        }).filter(([, value]) => value !== undefined && !(typeof value === 'object' && Object.keys(value).length === 0)),
      ),
    };
  });
}

const byTarget = <T extends { target: string }>(builds: T[]) => builds.sort((a, b) => a.target.localeCompare(b.target));

/**
 * `docker buildx bake --print` (buildx itself, the one this machine's environment installs) as the oracle for
 * what Hashdock reads of a Bake file: each target it would build, with the same context, Dockerfile, args,
 * labels, stage, platforms and image.
 */
describe.skipIf(!environment.available)('Bake files read as docker buildx bake --print reads them', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-bake-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const workspace = async (files: Record<string, string>) => {
    const root = await mkdtemp(join(dir, 'case-'));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), text);
    }
    return root;
  };

  it.each(Object.entries(CASES))('%s', async (name, files) => {
    const root = await workspace(files);
    // A variable the environment sets would be bake's value (npm run sets NODE, for one): these cases' names are set by nothing.
    for (const variable of ['SHOP_TAG', 'SHOP_NODE', 'SHOP_REGISTRY']) expect(process.env[variable], variable).toBeUndefined();
    const { stdout } = await runCommand('/usr/bin/docker', ['buildx', 'bake', '--print'], { cwd: root });
    const read = bakeBuilds(BAKE_FILES.filter((file) => file in files).map((file) => ({ file, text: files[file] }))).map(({ target, context, dockerfile, settings }) => ({ target, context, dockerfile, settings }));
    expect(byTarget(read), name).toEqual(byTarget(printedBuilds(stdout, '.')));
  });

  it.each(Object.entries(CALLS))('the command line: %s', async (name, { files, cwd, words }) => {
    const root = await workspace(files);
    const { stdout } = await runCommand('/usr/bin/docker', [...words.slice(1), '--print'], { cwd: join(root, cwd) });
    const call = bakeCallOf(words, cwd);
    expect(call, name).toBeDefined();
    const read = bakeCallBuilds(call!, (path) => files[path]).map(({ target, context, dockerfile, settings }) => ({ target, context, dockerfile, settings }));
    expect(read.length, name).toBeGreaterThan(0);
    expect(byTarget(read), name).toEqual(byTarget(printedBuilds(stdout, cwd)));
  });
});

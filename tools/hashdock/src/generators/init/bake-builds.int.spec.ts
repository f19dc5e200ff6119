import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '@hashdock/core';
import { checkEnvironment } from '../../../../../e2e/support/environment';
import { BAKE_FILES, bakeBuilds } from './bake-builds';
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
describe.skipIf(!environment.available)('Bake files read as docker buildx bake --print reads them', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-bake-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(Object.entries(CASES))('%s', async (name, files) => {
    const root = await mkdtemp(join(dir, 'case-'));
    for (const [file, text] of Object.entries(files)) await writeFile(join(root, file), text);
    // A variable the environment sets would be bake's value (npm run sets NODE, for one): these cases' names are set by nothing.
    for (const variable of ['SHOP_TAG', 'SHOP_NODE', 'SHOP_REGISTRY']) expect(process.env[variable], variable).toBeUndefined();
    const { stdout } = await runCommand('/usr/bin/docker', ['buildx', 'bake', '--print'], { cwd: root });
    const printed = (JSON.parse(stdout) as { target: Record<string, { context?: string; dockerfile?: string; args?: Record<string, string>; labels?: Record<string, string>; target?: string; platforms?: string[]; tags?: string[] }> }).target;
    const expected = Object.entries(printed).map(([target, t]) => {
      const context = posix.normalize(t.context ?? '.');
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
    const read = bakeBuilds(BAKE_FILES.filter((file) => file in files).map((file) => ({ file, text: files[file] }))).map(({ target, context, dockerfile, settings }) => ({ target, context, dockerfile, settings }));
    expect(read.sort((a, b) => a.target.localeCompare(b.target)), name).toEqual(expected.sort((a, b) => a.target.localeCompare(b.target)));
  });
});

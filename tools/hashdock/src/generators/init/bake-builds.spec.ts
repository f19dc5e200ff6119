import { describe, expect, it } from 'vitest';
import { bakeBuilds } from './bake-builds';
import { parseHcl } from './hcl-body';

const read = (files: Record<string, string>) =>
  bakeBuilds(Object.entries(files).map(([file, text]) => ({ file, text }))).map(({ file, target, context, dockerfile, settings }) => [file, target, dockerfile, context, settings]);

describe('bakeBuilds: the builds docker buildx bake runs from the workspace root', () => {
  it('read as a description (nx add): the default targets first, then the targets CI names (teable\'s db-migrate image), never a template', () => {
    const hcl = `
group "default" { targets = ["teable"] }
target "base" { platforms = ["linux/amd64", "linux/arm64"] }
target "teable" {
  inherits = ["base"]
  context = "."
  dockerfile = "dockers/teable/Dockerfile"
}
target "teable-db-migrate" {
  inherits = ["base"]
  context = "."
  dockerfile = "dockers/teable/Dockerfile.db-migrate"
}
`;
    const files = [{ file: 'docker-bake.hcl', text: hcl }];
    expect(bakeBuilds(files).map((build) => build.target)).toEqual(['teable']);
    const described = bakeBuilds(files, 'described');
    expect(described.map((build) => [build.target, build.dockerfile, build.context])).toEqual([
      ['teable', 'dockers/teable/Dockerfile', '.'],
      ['teable-db-migrate', 'dockers/teable/Dockerfile.db-migrate', '.'],
    ]);
    expect(described[1].settings.platform).toBe('linux/amd64,linux/arm64');
  });

  it('targets of the default group, after inherits; the dockerfile read from the context; variables by their defaults', () => {
    const hcl = `
# Images of the shop
variable "TAG" { default = "1.0" }
variable "NODE" {
  default = "24"
}
group "default" { targets = ["backend", "web"] }
group "backend" { targets = ["api"] }
target "common" {
  context = "."
  args = { NODE_VERSION = "\${NODE}", BUILD = "\${TAG}" }
  labels = { "org.opencontainers.image.source" = "https://github.com/acme/shop" }
}
target "api" {
  inherits = ["common"]
  dockerfile = "apps/api/Dockerfile" // from the root context
  args = {
    FLAVOUR = "lean",
  }
  tags = ["ghcr.io/acme/api:\${TAG}", "ghcr.io/acme/api:latest"]
  target = "runtime"
  platforms = ["linux/amd64", "linux/arm64"]
}
target "web" {
  context = "apps/web"
  dockerfile = "web.Dockerfile"
}
target "tools" {
  dockerfile = "tools/Dockerfile"
}
`;
    expect(read({ 'docker-bake.hcl': hcl })).toEqual([
      [
        'docker-bake.hcl',
        'api',
        'apps/api/Dockerfile',
        '.',
        {
          buildArgs: { NODE_VERSION: '24', BUILD: '1.0', FLAVOUR: 'lean' },
          labels: { 'org.opencontainers.image.source': 'https://github.com/acme/shop' },
          stage: 'runtime',
          platform: 'linux/amd64,linux/arm64',
          image: 'ghcr.io/acme/api',
        },
      ],
      ['docker-bake.hcl', 'web', 'apps/web/web.Dockerfile', 'apps/web', {}],
    ]);
  });

  it('without a default group, every target no other inherits from; JSON files and overrides merged as bake merges them', () => {
    const json = JSON.stringify({
      variable: { REGISTRY: { default: 'registry.acme.dev' } },
      target: {
        base: { context: '.', args: { A: '1' } },
        api: { inherits: ['base'], dockerfile: 'apps/api/Dockerfile', tags: ['${REGISTRY}/api'] },
      },
    });
    const override = 'target "api" {\n  args = { B = "2" }\n  tags = ["registry.acme.dev/api-override"]\n}\n';
    expect(read({ 'docker-bake.json': json, 'docker-bake.override.hcl': override })).toEqual([
      ['docker-bake.override.hcl', 'api', 'apps/api/Dockerfile', '.', { buildArgs: { A: '1', B: '2' }, image: 'registry.acme.dev/api-override' }],
    ]);
  });

  it('what only bake knows when it runs: an arg keeps it as written, a path holding it is left out', () => {
    const hcl = `
variable "REGISTRY" {}
variable "APP" {}
target "api" {
  dockerfile = "apps/api/Dockerfile"
  args = { SHA = notequal("", REGISTRY) ? REGISTRY : "dev", WHERE = "\${REGISTRY}" }
  tags = ["\${REGISTRY}/api"]
}
target "by-variable" {
  dockerfile = "apps/\${APP}/Dockerfile"
}
target "inline" {
  dockerfile-inline = <<EOT
FROM scratch
EOT
}
target "matrix" {
  name = "svc-\${item}"
  matrix = { item = ["a", "b"] }
  dockerfile = "apps/\${item}/Dockerfile"
}
target "remote" {
  context = "https://github.com/acme/shop.git#main"
}
`;
    expect(read({ 'docker-bake.hcl': hcl })).toEqual([
      ['docker-bake.hcl', 'api', 'apps/api/Dockerfile', '.', { buildArgs: { SHA: '${notequal("", REGISTRY) ? REGISTRY : "dev"}', WHERE: '${REGISTRY}' } }],
    ]);
  });

  it('nothing from a file that is neither HCL nor JSON', () => {
    expect(read({ 'docker-bake.hcl': 'target "api" {\n  context = "\n}\n', 'docker-bake.json': '{ nope' })).toEqual([]);
  });
});

describe('parseHcl: the HCL a Bake file is written in', () => {
  it('blocks, attributes, comments, strings with escapes and templates, tuples, objects, heredocs', () => {
    const body = parseHcl('/* shop */\ntarget "a" {\n  x = "say \\"hi\\" ${lower("A")}"\n  n = 3\n  on = true\n  list = [\n    "a", # one\n    "b",\n  ]\n  map = { k = "v", "q.r": 1 }\n  doc = <<-EOT\n    FROM scratch\n  EOT\n}\n');
    expect(body.blocks).toHaveLength(1);
    expect(body.blocks[0].labels).toEqual(['a']);
    expect(body.blocks[0].body.attributes).toEqual({
      x: 'say "hi" ${lower("A")}',
      n: 3,
      on: true,
      list: ['a', 'b'],
      map: { k: 'v', 'q.r': 1 },
      doc: '    FROM scratch\n',
    });
  });
});

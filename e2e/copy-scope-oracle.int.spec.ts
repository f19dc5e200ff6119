import { copyFile, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextScopeOf, entriesInScope, followListedLinks, listContextEntries, runCommand } from '@hashdock/core';
import { checkEnvironment, localRootImage } from './support/environment';

const environment = await checkEnvironment();

/** One context for every case: a workspace root with two apps' builds, sources, lockfiles and a path with a space. */
const CONTEXT: Record<string, string> = {
  'apps/api/dist/main.js': 'api bundle',
  'apps/api/src/main.ts': 'api source',
  'apps/web/dist/index.js': 'web bundle',
  'apps/web/dist/assets/logo.svg': '<svg/>',
  'apps/web/src/main.ts': 'web source',
  'package.json': '{"name":"workspace"}',
  'package-lock.json': '{"lockfileVersion":3}',
  'src dir/a.txt': 'a path with a space',
  'vendor/tool/bin.js': 'tool',
  'docs/readme.md': 'docs',
  'bin/app-amd64.txt': 'amd64 build',
  'bin/app-arm64.txt': 'arm64 build',
};

/** Prints every file the image holds under /app, /srv and /pkg.json with its content: what the build copied. */
const SHOW = `CMD ["node", "-e", "const fs = require('fs'); const walk = (p) => fs.statSync(p).isDirectory() ? fs.readdirSync(p).sort().flatMap((n) => walk(p + '/' + n)) : [p + '=' + fs.readFileSync(p, 'utf8')]; console.log(['/app', '/srv', '/pkg.json'].filter((p) => fs.existsSync(p)).flatMap(walk).join('\\\\n'))"]\n`;

/**
 * Docker is the oracle for what Hashdock hashes of a build context: each Dockerfile is built from the
 * whole context and again from a context holding only what Hashdock's scope reaches (contextScopeOf,
 * the one reading behind the content hash and the Nx inputs). The narrowed build must succeed and give
 * an image with the same files: nothing BuildKit reads is left out of the hash.
 */
describe.skipIf(!environment.available)('the context Hashdock hashes holds everything BuildKit reads (Docker as the oracle)', () => {
  let root = '';
  let full = '';
  let rootImage = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'hashdock-scope-oracle-'));
    full = join(root, 'full');
    for (const [path, text] of Object.entries(CONTEXT)) {
      await mkdir(dirname(join(full, path)), { recursive: true });
      await writeFile(join(full, path), text);
    }
    // Symlinks a COPY source may name: BuildKit copies what a named link points to.
    await mkdir(join(full, 'links'));
    await symlink('../package.json', join(full, 'links/pkg.json'));
    await symlink('../vendor/tool', join(full, 'links/tool'));
    rootImage = await localRootImage();
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const build = async (dockerfile: string, context: string, buildArgs: Record<string, string>) => {
    const args = Object.entries({ ROOT_IMAGE: rootImage, ...buildArgs }).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
    const tag = `hashdock-scope-oracle:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    await runCommand('/usr/bin/docker', ['build', '-q', '-f', dockerfile, ...args, '-t', tag, context], { env: { DOCKER_BUILDKIT: '1' }, timeoutMs: 180_000 });
    try {
      return (await runCommand('/usr/bin/docker', ['run', '--rm', tag], { timeoutMs: 60_000 })).stdout.trim();
    } finally {
      await runCommand('/usr/bin/docker', ['rmi', '-f', tag]).catch(() => undefined);
    }
  };

  it.each([
    ['quoted sources', 'COPY "apps/api/dist/" \'package.json\' /app/\n', {}],
    ['an ARG built from earlier ARGs, a build arg over a default', 'ARG ROOT=apps\nARG APP=web\nARG DIR=${ROOT}/${APP}/dist\nCOPY $DIR /app/\n', { APP: 'api' }],
    ['an ENV with quoted spaces, then one built from an ARG', 'ARG APP=web\nENV GREETING="hello world" OUT=apps/${APP}/dist\nCOPY ${OUT} /app/\n', {}],
    ['defaults and alternatives', 'ARG APP\nARG EXTRA=vendor\nCOPY apps/${APP:-web}/dist ${EXTRA:+vendor/tool} /app/\n', {}],
    ['a RUN bind mount of one file (docker init\'s npm ci)', 'RUN --mount=type=bind,source=package.json,target=/mnt/p.json ["node", "-e", "require(\'fs\').copyFileSync(\'/mnt/p.json\', \'/pkg.json\')"]\nCOPY apps/web/dist /app/\n', {}],
    ['wildcards', 'COPY package*.json /app/\nCOPY apps/*/dist /srv/\n', {}],
    ['the JSON form, a path with a space', 'COPY ["src dir/a.txt", "/app/a.txt"]\n', {}],
    ['an escaped $ and a global ARG taken into the stage', 'ARG ROOT_IMAGE\nARG APP=web\nFROM ${ROOT_IMAGE}\nARG APP\nCOPY apps/$APP/dist /app/\nENV PRICE=\\$5\n', { APP: 'api' }],
    // BuildKit defines TARGETARCH (and the other platform args) for every build: this machine's platform here.
    ["BuildKit's automatic TARGETARCH, declared in the stage", 'ARG TARGETARCH\nCOPY bin/app-${TARGETARCH}.txt /app/\n', {}],
    // Lines joined as BuildKit joins them: a continuation line appended as it is, an empty one inside an instruction skipped.
    ['an ENV continued without a space, an empty continuation line', 'ENV OUT=apps/api/\\\ndist\nCOPY package.json \\\n\n  $OUT /app/\n', {}],
    ['a source that is a symlink (to a file, to a directory)', 'COPY links/pkg.json /app/pkg.json\nCOPY links/tool /app/tool/\n', {}],
    // A stage FROM an earlier one runs its ONBUILD triggers and starts with its ENV.
    ['ONBUILD triggers and ENV a later stage inherits', 'ARG ROOT_IMAGE\nFROM ${ROOT_IMAGE} AS base\nENV OUT=apps/api/dist\nONBUILD COPY package.json /pkg.json\nFROM base\nCOPY $OUT /app/\n', {}],
  ] as const)('%s', async (name, body, buildArgs) => {
    // A case that is a whole Dockerfile says so by its first line; the others are one stage's instructions.
    const text = body.startsWith('ARG ROOT_IMAGE\n') ? body + SHOW : `ARG ROOT_IMAGE\nFROM \${ROOT_IMAGE}\n${body}${SHOW}`;
    const dir = await mkdtemp(join(root, 'case-'));
    const dockerfile = join(dir, 'Dockerfile');
    await writeFile(dockerfile, text);
    const scope = contextScopeOf(text, { ROOT_IMAGE: rootImage, ...buildArgs });
    expect(scope.kind, JSON.stringify(scope)).toBe('sources');
    // The narrowed context: only the files the scope reaches.
    const narrowed = join(dir, 'narrowed');
    await mkdir(narrowed);
    const entries = await listContextEntries(full, []);
    // As the content hash reads them: sources that are symlinks where they lead.
    const kept = entriesInScope(entries, followListedLinks(scope, full, entries)).filter((entry) => entry.kind !== 'dir');
    for (const entry of kept) {
      await mkdir(dirname(join(narrowed, entry.path)), { recursive: true });
      if (entry.kind === 'symlink') await symlink(await readlink(join(full, entry.path)), join(narrowed, entry.path));
      else await copyFile(join(full, entry.path), join(narrowed, entry.path));
    }
    // It does narrow (the comparison says something), and Docker builds the same image from it.
    expect(kept.length).toBeLessThan(entries.filter((entry) => entry.kind !== 'dir').length);
    const [whole, fromScope] = [await build(dockerfile, full, buildArgs), await build(dockerfile, narrowed, buildArgs)];
    expect(whole).not.toBe('');
    expect(fromScope).toBe(whole);
  }, 300_000);
});

import { describe, expect, it } from 'vitest';
import { entriesInScope, missingSources } from '../hash/context-scope';
import { contextScopeOf, expandWord } from './context-reads';
import { onbuildTriggers } from './onbuild-triggers';

const sources = (text: string, args?: Record<string, string>) => {
  const scope = contextScopeOf(text, args);
  return scope.kind === 'sources' ? scope.sources.map((source) => `${source.line}:${source.path}${source.wildcard ? '*' : ''}`) : `whole: ${scope.reason}`;
};

describe('contextScopeOf: ONBUILD and what a stage inherits', () => {
  it.each([
    // A stage built FROM one with triggers runs them (at their own lines); a stage nobody builds FROM runs none.
    ['FROM x AS base\nONBUILD COPY src /src\nFROM base\nCOPY dist /d\n', ['2:src', '4:dist']],
    ['FROM x\nONBUILD COPY . /app\nCOPY dist /d\n', ['3:dist']],
    // Triggers are not passed on to a grandchild.
    ['FROM x AS a\nONBUILD COPY a /a\nFROM a AS b\nFROM b\nCOPY c /c\n', ['2:a', '5:c']],
    ['FROM x AS a\nONBUILD COPY . /app\nFROM a\n', ['2:.']],
    ['FROM x AS a\nONBUILD RUN --mount=type=bind,target=/s make\nFROM a\n', 'whole: line 2 (ONBUILD RUN) mounts the build context'],
    // A stage FROM another starts with its ENV, not its ARGs.
    ['FROM x AS a\nENV D=out\nFROM a\nCOPY $D /x\n', ['4:out']],
    ['FROM x AS a\nARG D=out\nFROM a\nCOPY ${D}f /x\n', ['4:f']],
    ['FROM x AS a\nENV D=out\nFROM y\nCOPY ${D}f /x\n', ['4:f']],
  ])('%j reads %j', (text, expected) => {
    expect(sources(text)).toEqual(expected);
  });

  it('runs a base image\'s triggers at the FROM line naming it, on this context', () => {
    const base = (triggers: string[]) => new Map([[2, { image: 'acme/base', triggers }]]);
    const text = 'ARG BASE=acme/base\nFROM ${BASE}\nCOPY dist /d\n';
    const read = (scope: ReturnType<typeof contextScopeOf>) => (scope.kind === 'sources' ? scope.sources.map((source) => `${source.line}:${source.path}`) : `whole: ${scope.reason}`);
    expect(read(contextScopeOf(text, {}, { inherited: base(['COPY package.json /app/', 'RUN npm ci', 'COPY src /app/src']) }))).toEqual(['2:package.json', '2:src', '3:dist']);
    expect(read(contextScopeOf(text, {}, { inherited: base(['RUN --mount=type=bind,target=/w make']) }))).toBe("whole: line 2 (acme/base's ONBUILD RUN) mounts the build context");
    expect(read(contextScopeOf(text, {}, { inherited: base([]) }))).toEqual(['3:dist']);
  });

  it('names the triggers of the image a Dockerfile builds: its last stage\'s only', () => {
    expect(onbuildTriggers('FROM x AS a\nONBUILD COPY a /a\nFROM y\nONBUILD COPY \\\n  . /app\nONBUILD RUN make\n')).toEqual(['COPY   . /app', 'RUN make']);
    expect(onbuildTriggers('FROM x\nCOPY a /a\n')).toEqual([]);
  });
});

describe('contextScopeOf', () => {
  it.each([
    ['FROM x\nCOPY apps/api/dist /app\n', ['2:apps/api/dist']],
    ['FROM x\nCOPY ./dist/ /app/\nADD a.tar.gz b /x/\n', ['2:dist', '3:a.tar.gz', '3:b']],
    ['FROM x\nCOPY ["dist/a b", "/app/"]\n', ['2:dist/a b']],
    ['FROM x\nCOPY --chown=1000:1000 --chmod=755 dist /app\n', ['2:dist']],
    ['FROM x AS build\nCOPY src src\nFROM y\nCOPY --from=build /out /app\n', ['2:src']],
    ['FROM x\nCOPY /../../etc/passwd /x\n', ['2:etc/passwd']],
    ['FROM x\nCOPY . .\n', ['2:.']],
    ['FROM x\nCOPY apps/*/dist /srv/\n', ['2:apps/*/dist*']],
    ['FROM x\nCOPY \\\n  dist \\\n  /app\n', ['2:dist']],
    ['FROM x\nENV NODE_ENV=production\nCMD ["node"]\n', []],
    ['ARG APP=api\nFROM x\nARG APP\nCOPY apps/${APP}/dist /app\n', ['4:apps/api/dist']],
    ['FROM x\nENV DIR=out\nCOPY $DIR/ /app\n', ['3:out']],
    ['FROM x\nCOPY <<EOF /etc/conf\nCOPY not-an-instruction /\nEOF\nCOPY real /\n', ['5:real']],
    // Any word names a here-document, as in BuildKit (`<<nginx.conf`, quoted, several on one line): their bodies are no instructions, what follows is.
    ['FROM x\nCOPY <<one.txt <<"two-2.txt" /dest/\nfirst\none.txt\nCOPY not-an-instruction /\ntwo-2.txt\nCOPY pkg /pkg\n', ['7:pkg']],
    ["FROM x\nRUN <<'EOT' bash\n  COPY not-an-instruction /\nEOT\nCOPY real /\n", ['5:real']],
    ['FROM x\nONBUILD RUN <<EOF\nCOPY not-an-instruction /\nEOF\nCOPY real /\n', ['5:real']],
    ['FROM x\nRUN --mount=type=cache,target=/root/.npm npm ci\nCOPY dist /app\n', ['3:dist']],
    ['FROM x\nRUN --mount=type=bind,from=build,target=/b ls\n', []],
    // A download reads nothing of the context (the build warns that the hash cannot see what it fetches); its local neighbours count.
    ['FROM x\nADD https://deploy:t0ken@files.acme.com/a.tgz /opt/\n', []],
    ['FROM x\nADD https://example.com/a.tgz git@github.com:acme/tools.git local.tgz /a/\n', ['2:local.tgz']],
    ['FROM x\nARG TOOL_URL=https://example.com/tool.tgz\nADD ${TOOL_URL} /opt/\n', []],
  ])('%j reads %j', (text, expected) => {
    expect(sources(text)).toEqual(expected);
  });

  it.each([
    // Quotes and escapes as BuildKit's lexer reads a word: a quoted source is the path inside the quotes.
    ['FROM x\nCOPY "dist/" \'public\' /app/\n', ['2:dist', '2:public']],
    ['FROM x\nCOPY "apps/$APP/dist" /app/\n', ['2:apps/dist']],
    ['FROM x\nARG APP=web\nCOPY "apps/$APP/dist" \'apps/$APP/x\' /app/\n', ['3:apps/web/dist', '3:apps/$APP/x']],
    // RUN's bind mounts of the context read their source (docker init's npm ci); a cache mount reads nothing.
    ['FROM x\nARG LOCK=package-lock.json\nRUN --mount=type=bind,source=package.json,target=package.json --mount=type=bind,src=$LOCK,target=l --mount=type=cache,target=/root/.npm npm ci\nCOPY dist /app\n', ['3:package.json', '3:package-lock.json', '4:dist']],
    // Substitutions of Dockerfile 1.7+: a COPY source built with them is the path BuildKit copies.
    ['FROM x\nARG ENTRY=apps/orders/src/main.ts\nCOPY ${ENTRY%%/src/*}/dist /app/\n', ['3:apps/orders/dist']],
    ['FROM x\nARG VERSION=24.11.1\nCOPY vendor/node-${VERSION%.*} /opt/\n', ['3:vendor/node-24.11']],
    ['FROM x\nARG APP=orders\nCOPY apps/${APP/orders/billing} /app/\n', ['3:apps/billing']],
    // An ARG default built from another, and an ENV value with quoted spaces.
    ['ARG ROOT=apps\nFROM x\nARG ROOT\nARG DIR=${ROOT}/api/dist\nENV GREETING="hello world" OUT=$DIR\nCOPY $OUT /app\n', ['6:apps/api/dist']],
  ])('%j reads %j', (text, expected) => {
    expect(sources(text)).toEqual(expected);
  });

  it.each([
    ['FROM x\nCOPY "dist /app\n', /line 2 \(COPY\) could not be read \(unexpected end of "\"dist" while looking for a matching double quote\)/],
    ['FROM x\nARG APP\nCOPY apps/${APP:?required}/dist /app\n', /line 3 \(COPY\) could not be read \(APP: required\)/],
    ['FROM x\nARG DIR="unterminated\nCOPY $DIR /app\n', /line 3 \(COPY\) reads \$DIR, and the value of DIR could not be read/],
  ])('%j: the whole context, and why (BuildKit fails there too)', (text, reason) => {
    expect(sources(text)).toMatch(reason);
  });

  it.each(['docker/dockerfile:1', 'docker/dockerfile:1.7', 'docker.io/docker/dockerfile:1.7.1', 'docker/dockerfile', 'docker/dockerfile:latest', `docker/dockerfile:1@sha256:${'a'.repeat(64)}`])(
    'reads Docker\'s own frontend (# syntax=%s, as docker init writes) as the Dockerfile syntax it is',
    (syntax) => expect(sources(`# syntax=${syntax}\nFROM x\nCOPY dist /app\n`)).toEqual(['3:dist']),
  );

  it('marks a source a RUN bind mount reads (so a missing one is named as such)', () => {
    const scope = contextScopeOf('FROM x\nRUN --mount=type=bind,source=package.json,target=/p cat /p\n');
    expect(scope).toEqual({ kind: 'sources', sources: [{ path: 'package.json', line: 2, wildcard: false, mounted: true }] });
  });

  it('takes build args over ARG defaults', () => {
    expect(sources('FROM x\nARG APP=api\nCOPY apps/$APP/dist /app\n', { APP: 'web' })).toEqual(['3:apps/web/dist']);
  });

  it.each([
    ['# syntax=docker/dockerfile:1.7-labs\nFROM x\nCOPY dist /app\n', /"# syntax=docker\/dockerfile:1.7-labs" selects a frontend Hashdock does not read/],
    ['# syntax=ghcr.io/acme/dockerfile:1\nFROM x\nCOPY dist /app\n', /"# syntax=ghcr.io\/acme\/dockerfile:1" selects a frontend/],
    ['# syntax=docker/dockerfile:2\nFROM x\nCOPY dist /app\n', /"# syntax=docker\/dockerfile:2" selects a frontend/],
    ['FROM x\nRUN --mount=target=/src make\n', /line 2 \(RUN\) mounts the build context/],
    ['FROM x\nRUN --mount=type=bind,source=.,target=/src make\n', /mounts the build context/],
    ['FROM x\nCOPY dist\n', /line 2 \(COPY\) could not be read/],
    ['FROM x\nCOPY [ab /x\n', /malformed wildcard/],
  ])('%j needs the whole context', (text, reason) => {
    expect(sources(text)).toMatch(reason);
  });

  it('follows the escape directive', () => {
    expect(sources('# escape=`\nFROM x\nCOPY `\n  dist `\n  /app\n')).toEqual(['3:dist']);
  });
});

describe('expandWord', () => {
  const vars = new Map<string, string | undefined>([['A', 'a'], ['EMPTY', ''], ['UNSET', undefined]]);
  it.each([
    ['$A/x', 'a/x'], ['${A}x', 'ax'], ['${B:-d}', 'd'], ['${EMPTY:-d}', 'd'], ['${EMPTY-d}', ''], ['${A:+y}', 'y'], ['${B:+y}', ''], ['\\$A', '$A'], ['$UNSET', ''],
  ])('%s → %s', (word, expected) => {
    expect(expandWord(word, vars)).toBe(expected);
  });
});

describe('entriesInScope and missingSources', () => {
  const entries = ['apps', 'apps/api', 'apps/api/dist', 'apps/api/dist/main.js', 'apps/web/dist', 'apps/web/dist/i.js', 'apps/web/src/x.ts', 'README.md'].map((path) => ({ path }));
  const scope = (...paths: string[]) => ({ kind: 'sources' as const, sources: paths.map((path) => ({ path, line: 1, wildcard: /[*?[]/.test(path) })) });

  it('reaches a path and everything below it, component by component for wildcards', () => {
    expect(entriesInScope(entries, scope('apps/api/dist')).map((e) => e.path)).toEqual(['apps/api/dist', 'apps/api/dist/main.js']);
    expect(entriesInScope(entries, scope('apps/*/dist')).map((e) => e.path)).toEqual(['apps/api/dist', 'apps/api/dist/main.js', 'apps/web/dist', 'apps/web/dist/i.js']);
    expect(entriesInScope(entries, scope('*.md')).map((e) => e.path)).toEqual(['README.md']);
    expect(entriesInScope(entries, scope('.'))).toHaveLength(entries.length);
    expect(entriesInScope(entries, { kind: 'context', reason: 'x' })).toHaveLength(entries.length);
    expect(entriesInScope(entries, scope())).toEqual([]);
  });

  it('names literal sources that reach nothing; an unmatched wildcard is allowed, as in BuildKit', () => {
    expect(missingSources(entries, scope('apps/api/dist', 'apps/nope', 'apps/*/build')).map((s) => s.path)).toEqual(['apps/nope']);
  });
});

describe('contextScopeOf: BuildKit\'s automatic platform args', () => {
  const read = (text: string, platform?: string, args: Record<string, string> = {}) => {
    const scope = contextScopeOf(text, args, platform ? { platform } : {});
    return scope.kind === 'sources' ? scope.sources.map((source) => `${source.line}:${source.path}`) : `whole: ${scope.reason}`;
  };

  it('reads a stage\'s ARG TARGETARCH (and the others) as the target platform\'s, each platform of several', () => {
    const text = 'FROM x\nARG TARGETOS TARGETARCH TARGETVARIANT\nCOPY bin/${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-$TARGETVARIANT}/app /app\n';
    expect(read(text, 'linux/arm64')).toEqual(['3:bin/linux-arm64/app']);
    expect(read(text, 'linux/arm/v7')).toEqual(['3:bin/linux-arm-v7/app']);
    expect(read(text, 'linux/amd64,linux/arm64')).toEqual(['3:bin/linux-amd64/app', '3:bin/linux-arm64/app']);
    // This machine's when no platform is given.
    expect(read(text)).toEqual([`3:bin/linux-${process.arch === 'x64' ? 'amd64' : process.arch}/app`]);
    // Undeclared in the stage, it is empty there (as in BuildKit); a build arg of that name wins.
    expect(read('FROM x\nCOPY bin/${TARGETARCH}x /app\n', 'linux/arm64')).toEqual(['2:bin/x']);
    expect(read(text, 'linux/arm64', { TARGETARCH: 'riscv64' })).toEqual(['3:bin/linux-riscv64/app']);
  });

  it('keeps them (and any global value) through a global ARG without a default, and lets a default replace them', () => {
    expect(read('ARG TARGETARCH\nFROM x\nARG TARGETARCH\nCOPY $TARGETARCH /a\n', 'linux/arm64')).toEqual(['4:arm64']);
    expect(read('ARG A=one\nARG A\nFROM x\nARG A\nCOPY $A /a\n')).toEqual(['5:one']);
    expect(read('FROM x\nARG TARGETARCH=fixed\nCOPY $TARGETARCH /a\n', 'linux/arm64')).toEqual(['3:fixed']);
    expect(read('ARG BUILDARCH\nFROM x\nARG BUILDPLATFORM\nCOPY $BUILDPLATFORM/x /a\n', 'linux/arm64')).toEqual([`4:linux/${process.arch === 'x64' ? 'amd64' : process.arch}/x`]);
  });
});

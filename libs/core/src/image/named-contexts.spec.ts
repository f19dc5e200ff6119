import { describe, expect, it } from 'vitest';
import { contextScopeOf } from '../docker/context-reads';
import { InvalidOptionError } from '../errors';
import { buildContextsOption, checkNamedContextNames, namedContextScopes, splitNamedContexts } from './named-contexts';

// The shape of hyperdx's docker/hyperdx/Dockerfile: the workspace root as the context, apps read by name.
const DOCKERFILE = [
  'FROM node:22 AS builder',
  'COPY package.json yarn.lock ./',
  'COPY --from=api ./src ./packages/api/src',
  'COPY --from=api ./bin ./packages/api/bin',
  'RUN --mount=type=bind,from=app,source=public,target=/p cp -r /p ./public',
  'FROM node:22',
  'COPY --from=builder /app /app',
  'COPY --from=hyperdx ./entry.sh /etc/entry.sh',
  '',
].join('\n');

describe('named build contexts', () => {
  it('reads of each named context are its COPY --from and RUN --mount from sources; the build context keeps its own', () => {
    const scopes = namedContextScopes(DOCKERFILE, {}, ['api', 'app', 'hyperdx', 'unused']);
    expect(scopes.api).toEqual({ kind: 'sources', sources: [{ path: 'src', line: 3, wildcard: false }, { path: 'bin', line: 4, wildcard: false }] });
    expect(scopes.app).toEqual({ kind: 'sources', sources: [{ path: 'public', line: 5, wildcard: false, mounted: true }] });
    expect(scopes.hyperdx).toEqual({ kind: 'sources', sources: [{ path: 'entry.sh', line: 8, wildcard: false }] });
    expect(scopes.unused).toEqual({ kind: 'sources', sources: [] });
    expect(contextScopeOf(DOCKERFILE, {})).toEqual({ kind: 'sources', sources: [{ path: 'package.json', line: 2, wildcard: false }, { path: 'yarn.lock', line: 2, wildcard: false }] });
  });

  it('a stage FROM a named context, or a mount of all of it, reads all of it', () => {
    expect(namedContextScopes('FROM tools AS t\nFROM node:22\nCOPY --from=t /bin/x /x\n', {}, ['tools']).tools).toEqual({ kind: 'context', reason: 'line 1 (FROM) builds FROM the named context tools' });
    expect(namedContextScopes('FROM node:22\nRUN --mount=from=cfg cat /cfg\n', {}, ['cfg']).cfg).toEqual({ kind: 'context', reason: 'line 2 (RUN) mounts the named context cfg' });
  });

  it('--from is read as written (BuildKit expands no variable there)', () => {
    expect(namedContextScopes('ARG CTX=api\nFROM node:22\nCOPY --from=${CTX} src /src\n', {}, ['api']).api).toEqual({ kind: 'sources', sources: [] });
  });

  it('a named context with the name of a stage is refused, naming both', () => {
    expect(() => checkNamedContextNames('FROM node:22 AS API\nFROM node:22\n', 'apps/x/Dockerfile', ['web', 'api'])).toThrow(
      'Named build context api has the name of a stage of apps/x/Dockerfile',
    );
    expect(() => checkNamedContextNames(DOCKERFILE, 'D', ['api', 'app'])).not.toThrow();
  });

  it.each([
    [{ API: 'packages/api' }, 'named build context "API": a name is what COPY --from= names'],
    [{ api: '' }, 'named build context api must be a directory in the workspace, got ""'],
    [{ api: 'docker-image://node:${NODE}' }, 'named build context api=docker-image://node:${NODE}: not an image reference'],
    [{ src: 'https://github.com/x/y.git' }, 'named build context src=https://github.com/x/y.git: only a directory in the workspace or an image (docker-image://<ref>) can be hashed'],
    [{ base: 'target:base' }, 'named build context base=target:base: only a directory'],
    [{ layout: 'oci-layout:///tmp/x' }, 'named build context layout=oci-layout:///tmp/x: only a directory'],
    [['api=packages/api'], 'option "buildContexts" must map a context name to a directory'],
  ])('refuses %j, naming the project and the context', (value, message) => {
    const call = () => buildContextsOption(value, 'project web');
    expect(call).toThrow(InvalidOptionError);
    expect(call).toThrow(`project web: ${message}`);
  });

  it('takes names BuildKit matches, directories and images as written, and tells the two apart', () => {
    const contexts = { api: 'packages/api', 'otel-collector': '{workspaceRoot}/docker/otel', 'a.b_c': '{projectRoot}/x', alpine: 'docker-image://alpine:3.20' };
    expect(buildContextsOption(contexts, 'p')).toEqual(contexts);
    expect(splitNamedContexts(contexts)).toEqual({ dirs: { api: 'packages/api', 'otel-collector': '{workspaceRoot}/docker/otel', 'a.b_c': '{projectRoot}/x' }, images: { alpine: 'alpine:3.20' } });
  });
});

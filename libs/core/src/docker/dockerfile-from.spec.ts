import { describe, expect, it } from 'vitest';
import { declaredArgNames, parseDockerfileFroms, repositoryOf } from './dockerfile-from';
import { findWorkspaceBaseImages, imageNameWithoutRegistry } from '../image/base-images';

const dockerfile = `# syntax=docker/dockerfile:1
ARG BASE_IMAGE=hashdock/base
ARG TOOLS="localhost:5000/hashdock/tools:1"
FROM --platform=$BUILDPLATFORM \${TOOLS} AS tools
RUN echo hi \\
  && echo there
FROM \${BASE_IMAGE}
COPY --from=tools /x /x
FROM tools AS again
ARG LATE=1
`;

describe('Dockerfile FROM parsing', () => {
  it('resolves global ARG defaults and skips stage references', () => {
    const parsed = parseDockerfileFroms(dockerfile);
    // BuildKit's automatic platform args come first (this machine's platform here).
    expect(parsed.args).toMatchObject({ BASE_IMAGE: 'hashdock/base', TOOLS: 'localhost:5000/hashdock/tools:1', TARGETOS: 'linux' });
    expect(parsed.froms.map((f) => [f.resolved, f.fromArg, f.stage, f.line])).toEqual([
      ['localhost:5000/hashdock/tools:1', 'TOOLS', 'tools', 4],
      ['hashdock/base', 'BASE_IMAGE', undefined, 7],
    ]);
  });

  it('reads BuildKit\'s automatic platform args in a FROM: a stage chosen by ${TARGETARCH} is no image', () => {
    const text = 'FROM scratch AS build-amd64\nCOPY bin/amd64 /app\nFROM scratch AS build-arm64\nCOPY bin/arm64 /app\nFROM build-${TARGETARCH}\n';
    expect(parseDockerfileFroms(text, {}, 'linux/arm64').froms.map((from) => from.resolved)).toEqual(['scratch', 'scratch']);
    expect(parseDockerfileFroms('ARG TARGETARCH\nFROM ghcr.io/acme/runtime-${TARGETARCH}:1\n', {}, 'linux/arm64').froms.map((from) => from.resolved)).toEqual(['ghcr.io/acme/runtime-arm64:1']);
    // A build arg of that name wins.
    expect(parseDockerfileFroms('FROM ghcr.io/acme/runtime-${TARGETARCH}:1\n', { TARGETARCH: 'riscv64' }, 'linux/arm64').froms.map((from) => from.resolved)).toEqual(['ghcr.io/acme/runtime-riscv64:1']);
  });

  it('reads the images COPY --from and RUN --mount from= name, not the stages they name', () => {
    const text = [
      'ARG TOOL=localhost:5000/acme/tool:2',
      'FROM node:24 AS build',
      'COPY --from=busybox:1.36 /bin/busybox /bin/',
      'RUN --mount=type=bind,from=alpine:3,source=/etc,target=/alpine-etc cat /alpine-etc/os-release',
      'FROM node:24-slim',
      'COPY --from=build /app /app',
      'COPY --from=0 /app /app2',
      'COPY --chown=1:1 --from=${TOOL} /tool /tool',
      'RUN --mount=type=cache,target=/root/.npm npm ci',
    ].join('\n');
    expect(parseDockerfileFroms(text).froms.map((f) => [f.resolved, f.fromArg, f.line, f.via])).toEqual([
      ['node:24', undefined, 2, undefined],
      ['busybox:1.36', undefined, 3, 'copy'],
      ['alpine:3', undefined, 4, 'mount'],
      ['node:24-slim', undefined, 5, undefined],
      ['localhost:5000/acme/tool:2', 'TOOL', 8, 'copy'],
    ]);
    // A workspace image copied from is a workspace base: built first, pinned through its arg.
    expect(findWorkspaceBaseImages(text, { 'acme/tool': 'tool' })).toEqual([{ project: 'tool', arg: 'TOOL', line: 8 }]);
  });

  it('lists every declared ARG', () => {
    expect([...declaredArgNames(dockerfile)].sort()).toEqual(['BASE_IMAGE', 'LATE', 'TOOLS']);
  });

  it('finds workspace images by name without registry', () => {
    expect(findWorkspaceBaseImages(dockerfile, { 'hashdock/base': 'base', 'hashdock/tools': 'tools' })).toEqual([
      { project: 'tools', arg: 'TOOLS', line: 4 },
      { project: 'base', arg: 'BASE_IMAGE', line: 7 },
    ]);
  });

  it.each([
    ['localhost:5000/hashdock/base:abc', 'hashdock/base'],
    ['hashdock/base', 'hashdock/base'],
    [`ghcr.io/o/x@sha256:${'a'.repeat(64)}`, 'o/x'],
    ['node:24-slim', 'node'],
  ])('imageNameWithoutRegistry(%s) = %s', (reference, expected) => {
    expect(imageNameWithoutRegistry(reference)).toBe(expected);
    expect(repositoryOf('localhost:5000/a/b:t')).toBe('localhost:5000/a/b');
  });
});

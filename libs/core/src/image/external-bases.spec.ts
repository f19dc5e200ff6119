import { describe, expect, it } from 'vitest';
import { decodeExpansion, encodeExpansion, ExternalBase, externalFroms, pinLiteralFroms, platformFor, referenceWith } from './external-bases';
import { hostPlatform } from './image-options';

const text = [
  'ARG TOOL',
  'FROM node:24 AS build',
  'RUN --mount=type=bind,from=alpine:3,source=/etc,target=/x cat /x/os-release',
  'FROM node:24-slim',
  'COPY --from=node:24 /usr/local/bin/node /opt/node',
  'COPY --link --from=busybox:1.36 /bin/busybox /bin/',
  'COPY --from=${TOOL} /tool /tool',
  'COPY --from=build /app /app',
  'RUN echo --from=node:24 mount=from=node:24',
].join('\n');

const pinned = (reference: string, line: number, arg?: string): ExternalBase => ({
  key: arg ?? `from:${reference}`,
  ...(arg ? { arg } : {}),
  reference,
  line,
  platform: 'linux/amd64',
  digest: `sha256:${String(line).repeat(64).slice(0, 64)}`,
  pinned: `${reference.split(':')[0]}@sha256:${String(line).repeat(64).slice(0, 64)}`,
});

describe('external images a Dockerfile reads', () => {
  it('are its FROMs and the images COPY --from and RUN --mount from= name, each once, stages left out', () => {
    expect(externalFroms('Dockerfile', text, { TOOL: 'ghcr.io/acme/tool:1' }, {}).map((f) => [f.key, f.reference, f.line])).toEqual([
      ['from:node:24', 'node:24', 2],
      ['from:alpine:3', 'alpine:3', 3],
      ['from:node:24-slim', 'node:24-slim', 4],
      ['from:busybox:1.36', 'busybox:1.36', 6],
      ['TOOL', 'ghcr.io/acme/tool:1', 7],
    ]);
  });

  it('expands the global ARGs as BuildKit does: a default built from an earlier one, the build args given over defaults, 1.7 patterns', () => {
    const references = (dockerfile: string, buildArgs: Record<string, string> = {}) => externalFroms('Dockerfile', dockerfile, buildArgs, {}).map((f) => f.reference);
    const layered = 'ARG NODE_VERSION=24\nARG BASE="node:${NODE_VERSION}-slim"\nFROM ${BASE}\n';
    expect(references(layered)).toEqual(['node:24-slim']);
    expect(references(layered, { NODE_VERSION: '22' })).toEqual(['node:22-slim']);
    expect(references(layered, { BASE: 'node:20' })).toEqual(['node:20']);
    expect(references('ARG VERSION=24.11.1\nFROM node:${VERSION%%.*}-slim\nFROM alpine:${VERSION:+3}\n')).toEqual(['node:24-slim', 'alpine:3']);
    expect(() => references('ARG VERSION\nFROM node:${VERSION:?required}\n')).toThrow('Dockerfile:2: base image node:${VERSION:?required}: FROM node:${VERSION:?required} cannot be read: VERSION: required');
  });

  it('a FROM whose build arg is not set, leaving no reference (`node:` from `node:$NODE_VERSION`), names that arg and where to set it', () => {
    const references = (dockerfile: string, buildArgs: Record<string, string> = {}) => externalFroms('apps/api/docker/Dockerfile', dockerfile, buildArgs, {}).map((f) => f.reference);
    const dockerfile = 'ARG NODE_VERSION\nFROM node:$NODE_VERSION AS base\nFROM base\n';
    expect(() => references(dockerfile)).toThrow(
      'apps/api/docker/Dockerfile:2: base image node:: FROM node:$NODE_VERSION reads the build arg NODE_VERSION, not set: give it a default in the Dockerfile\'s ARG, or set the image target\'s "buildArgs"',
    );
    expect(() => references('ARG REGISTRY\nARG TAG\nFROM ${REGISTRY}/node:${TAG}\n')).toThrow('reads the build args REGISTRY, TAG, not set: give them defaults');
    expect(references(dockerfile, { NODE_VERSION: '22.10.0-alpine3.20' })).toEqual(['node:22.10.0-alpine3.20']);
    // Unset, and still a reference: as BuildKit reads it.
    expect(references('ARG SUFFIX\nARG VARIANT\nFROM node${SUFFIX}\nFROM node:${VARIANT:-24-slim}\n')).toEqual(['node', 'node:24-slim']);
  });

  it('reads FROM --platform as BuildKit expands it: the automatic platform args (a default after :-, as langfuse writes), build args, a literal', () => {
    expect(platformFor(undefined, 'linux/arm64')).toBe('linux/arm64');
    expect(platformFor('${TARGETPLATFORM:-linux/amd64}', 'linux/arm64')).toBe('linux/arm64');
    expect(platformFor('$TARGETPLATFORM', 'linux/arm64')).toBe('linux/arm64');
    expect(platformFor('${BUILDPLATFORM}', 'linux/arm64')).toBe(hostPlatform());
    expect(platformFor('$TARGETOS/$TARGETARCH', 'linux/arm64')).toBe('linux/arm64');
    expect(platformFor('${BASE_PLATFORM:-linux/amd64}', 'linux/arm64')).toBe('linux/amd64');
    expect(platformFor('${BASE_PLATFORM:-linux/amd64}', 'linux/arm64', { BASE_PLATFORM: 'linux/s390x' })).toBe('linux/s390x');
    expect(platformFor('linux/amd64', 'linux/arm64')).toBe('linux/amd64');
  });

  it('keeps how to read a reference built from ARGs again, so a HASHDOCK_BUILD_ARG_<NAME> override at run time asks for the image the build uses', () => {
    const [templated] = externalFroms('Dockerfile', 'ARG NODE_VERSION=24\nFROM node:${NODE_VERSION}-slim\n', { OTHER: 'x' }, {});
    expect(templated).toMatchObject({ reference: 'node:24-slim', expansion: { image: 'node:${NODE_VERSION}-slim', argLines: ['NODE_VERSION=24'], buildArgs: {} } });
    expect(referenceWith(templated.expansion!, {})).toBe('node:24-slim');
    expect(referenceWith(templated.expansion!, { HASHDOCK_BUILD_ARG_NODE_VERSION: '22' })).toBe('node:22-slim');
    // A chain: FROM ${BASE}, BASE's default built from NODE; the build args inference gave are kept, env over them.
    const [chained] = externalFroms('Dockerfile', 'ARG NODE=24\nARG BASE=node:${NODE}-slim\nFROM ${BASE}\n', { NODE: '20' }, {});
    expect(chained.reference).toBe('node:20-slim');
    const word = encodeExpansion(chained.expansion!);
    expect(word).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(referenceWith(decodeExpansion(word), {})).toBe('node:20-slim');
    expect(referenceWith(decodeExpansion(word), { HASHDOCK_BUILD_ARG_NODE: '22' })).toBe('node:22-slim');
    expect(referenceWith(decodeExpansion(word), { HASHDOCK_BUILD_ARG_BASE: 'node:18' })).toBe('node:18');
    // An exact ${ARG} with a plain default, and a literal: nothing to read again (`arg` covers the first).
    expect(externalFroms('Dockerfile', 'ARG ROOT_IMAGE=node:24\nFROM ${ROOT_IMAGE}\nFROM node:22\n', {}, {}).map((from) => from.expansion)).toEqual([undefined, undefined]);
    // BuildKit's automatic platform args, read for the target platform, there and at run time.
    const [perArch] = externalFroms('Dockerfile', 'FROM ghcr.io/acme/runtime-${TARGETARCH}:1\n', {}, {}, 'linux/arm64');
    expect(perArch).toMatchObject({ reference: 'ghcr.io/acme/runtime-arm64:1', expansion: { platform: 'linux/arm64' } });
    expect(referenceWith(decodeExpansion(encodeExpansion(perArch.expansion!)), {})).toBe('ghcr.io/acme/runtime-arm64:1');
  });

  it('pins every literal one where the build reads it, a FROM and a later COPY --from of the same image alike; one through an arg is pinned by the arg', () => {
    const bases = [pinned('node:24', 2), pinned('alpine:3', 3), pinned('node:24-slim', 4), pinned('busybox:1.36', 6), pinned('ghcr.io/acme/tool:1', 7, 'TOOL')];
    const out = pinLiteralFroms('Dockerfile', text, bases).split('\n');
    expect(out).toEqual([
      'ARG TOOL',
      `FROM ${bases[0].pinned} AS build`,
      `RUN --mount=type=bind,from=${bases[1].pinned},source=/etc,target=/x cat /x/os-release`,
      `FROM ${bases[2].pinned}`,
      `COPY --from=${bases[0].pinned} /usr/local/bin/node /opt/node`,
      `COPY --link --from=${bases[3].pinned} /bin/busybox /bin/`,
      'COPY --from=${TOOL} /tool /tool',
      'COPY --from=build /app /app',
      // A command's own words are never rewritten, even when they look like the flag.
      'RUN echo --from=node:24 mount=from=node:24',
    ]);
  });
});

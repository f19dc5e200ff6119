import { describe, expect, it } from 'vitest';
import { baseDigestArgs, baseDigestSpec, specReference } from './base-digest-spec';
import { externalFroms } from './external-bases';
import { normalizeMirrors } from '../registry/mirrors';

describe('baseDigestSpec', () => {
  it('reads a base for the target platform unless its FROM fixes one; $BUILDPLATFORM is the host at hash time', () => {
    const [plain, fixed, build] = externalFroms('Dockerfile', 'FROM node:24 AS a\nFROM --platform=linux/arm64 node:22 AS b\nFROM --platform=$BUILDPLATFORM node:20\n', {}, {});
    expect(baseDigestSpec(plain, 'linux/amd64')).toEqual({ reference: 'node:24', platform: 'linux/amd64' });
    expect(baseDigestSpec(plain, undefined)).toEqual({ reference: 'node:24' });
    expect(baseDigestSpec(fixed, 'linux/amd64')).toEqual({ reference: 'node:22', platform: 'linux/arm64' });
    expect(baseDigestSpec(build, 'linux/amd64')).toEqual({ reference: 'node:20' });
  });

  it('keeps how the build reads the reference again: the ARG that overrides it, or the expansion of a FROM built from ARGs', () => {
    const [byArg] = externalFroms('Dockerfile', 'ARG ROOT_IMAGE=node:24\nFROM ${ROOT_IMAGE}\n', {}, {});
    const spec = baseDigestSpec(byArg, undefined);
    expect(spec).toEqual({ reference: 'node:24', arg: 'ROOT_IMAGE' });
    expect(specReference(spec, {})).toBe('node:24');
    expect(specReference(spec, { HASHDOCK_BUILD_ARG_ROOT_IMAGE: 'node:25' })).toBe('node:25');
    const [built] = externalFroms('Dockerfile', 'ARG NODE_VERSION=24\nFROM node:${NODE_VERSION}-slim\n', {}, {});
    const expanded = baseDigestSpec(built, undefined);
    expect(expanded.expand).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(specReference(expanded, {})).toBe('node:24-slim');
    expect(specReference(expanded, { HASHDOCK_BUILD_ARG_NODE_VERSION: '22' })).toBe('node:22-slim');
  });

  it('spells the same as `hashdock base-digest` flags, mirrors sorted', () => {
    const [from] = externalFroms('Dockerfile', 'ARG ROOT_IMAGE=node:24\nFROM ${ROOT_IMAGE}\n', {}, {});
    const mirrors = normalizeMirrors({ 'quay.io': 'localhost:5000/quay', 'docker.io': 'mirror.gcr.io' }, 'test');
    const spec = baseDigestSpec(from, 'linux/amd64,linux/arm64', mirrors);
    expect(spec.mirrors).toEqual(['quay.io=localhost:5000/quay', 'registry-1.docker.io=mirror.gcr.io']);
    expect(baseDigestArgs(spec)).toEqual([
      'base-digest', 'node:24', '--arg', 'ROOT_IMAGE',
      '--mirror', 'quay.io=localhost:5000/quay', '--mirror', 'registry-1.docker.io=mirror.gcr.io',
      '--platform', 'linux/amd64,linux/arm64',
    ]);
  });
});

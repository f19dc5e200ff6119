import { describe, expect, it } from 'vitest';
import { mirrorsSpec, normalizeMirrors, parseMirrorsSpec, throughMirror } from './mirrors';

const digest = `sha256:${'a'.repeat(64)}`;

describe('registry mirrors', () => {
  const mirrors = normalizeMirrors({ 'docker.io': 'mirror.gcr.io', 'ghcr.io': 'harbor.acme.com/ghcr-proxy/', 'localhost:5999': '127.0.0.1:5000' }, 'nx.json');

  it('normalizes Docker Hub\'s names to its API host and drops a trailing slash', () => {
    expect(mirrors).toEqual({ 'registry-1.docker.io': 'mirror.gcr.io', 'ghcr.io': 'harbor.acme.com/ghcr-proxy', 'localhost:5999': '127.0.0.1:5000' });
    expect(normalizeMirrors({ 'index.docker.io': 'm.example' }, 'x')).toEqual({ 'registry-1.docker.io': 'm.example' });
  });

  it.each([
    ['node:24-slim', 'mirror.gcr.io/library/node:24-slim'],
    ['docker.io/library/node:24', 'mirror.gcr.io/library/node:24'],
    ['docker.io/node:lts-alpine', 'mirror.gcr.io/library/node:lts-alpine'],
    [`bitnami/redis@${digest}`, `mirror.gcr.io/bitnami/redis@${digest}`],
    [`node:24@${digest}`, `mirror.gcr.io/library/node:24@${digest}`],
    ['ghcr.io/acme/tools', 'harbor.acme.com/ghcr-proxy/acme/tools'],
    ['localhost:5999/team/root:1', '127.0.0.1:5000/team/root:1'],
    ['quay.io/prometheus/node-exporter:v1', 'quay.io/prometheus/node-exporter:v1'],
  ])('%s is read from %s', (reference, expected) => {
    expect(throughMirror(reference, mirrors)).toBe(expected);
  });

  it('reads HASHDOCK_MIRRORS and writes the same spelling back (the --mirror flags of the runtime input)', () => {
    expect(parseMirrorsSpec('docker.io=mirror.gcr.io, ghcr.io=harbor.acme.com/ghcr-proxy')).toEqual({ 'registry-1.docker.io': 'mirror.gcr.io', 'ghcr.io': 'harbor.acme.com/ghcr-proxy' });
    expect(parseMirrorsSpec('')).toEqual({});
    expect(parseMirrorsSpec(mirrorsSpec(mirrors).join(','))).toEqual(mirrors);
    expect(mirrorsSpec(mirrors)).toEqual(['ghcr.io=harbor.acme.com/ghcr-proxy', 'localhost:5999=127.0.0.1:5000', 'registry-1.docker.io=mirror.gcr.io']);
  });

  it.each([
    [{ mirror: 'm.example' }, 'nx.json: mirror key "mirror" is not a registry host'],
    [{ 'docker.io': 'dockerhub-proxy' }, 'nx.json: the mirror of docker.io, "dockerhub-proxy", must start with a registry host'],
    [{ 'docker.io': 'Harbor.example/UPPER' }, 'must start with a registry host'],
    [{ 'docker.io': 1 }, 'nx.json: option "mirrors" must be an object of strings'],
    [['docker.io=m.example'], 'option "mirrors" must be an object of strings'],
  ])('refuses %j, naming where and what', (value, message) => {
    expect(() => normalizeMirrors(value, 'nx.json')).toThrow(message);
  });

  it('names the variable and the item it cannot read', () => {
    expect(() => parseMirrorsSpec('docker.io')).toThrow('HASHDOCK_MIRRORS: "docker.io" is not <registry host>=<mirror>');
  });
});

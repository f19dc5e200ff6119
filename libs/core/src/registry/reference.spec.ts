import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from './errors';
import { parseReference, parseRepository, validateTag } from './reference';

describe('reference', () => {
  it.each([
    ['localhost:5000/hashdock/api', { registry: 'localhost:5000', path: 'hashdock/api' }],
    ['ghcr.io/org/app', { registry: 'ghcr.io', path: 'org/app' }],
    ['node', { registry: 'registry-1.docker.io', path: 'library/node' }],
    ['bitnami/redis', { registry: 'registry-1.docker.io', path: 'bitnami/redis' }],
    ['docker.io/library/node', { registry: 'registry-1.docker.io', path: 'library/node' }],
    // An official image written with Docker Hub's domain is still library/<name> (FROM docker.io/node:lts-alpine, common in Nx repos).
    ['docker.io/node', { registry: 'registry-1.docker.io', path: 'library/node' }],
    ['index.docker.io/node', { registry: 'registry-1.docker.io', path: 'library/node' }],
    ['docker.io/bitnami/redis', { registry: 'registry-1.docker.io', path: 'bitnami/redis' }],
    ['127.0.0.1:5001/a__b/c-d.e', { registry: '127.0.0.1:5001', path: 'a__b/c-d.e' }],
  ])('parses %s', (name, expected) => {
    expect(parseRepository(name)).toMatchObject(expected);
  });

  it.each(['Hashdock/API', 'localhost:5000/Bad', 'a//b', 'a/-b', 'a/b_', '', 'bad host!/x'])('rejects repository %j', (name) => {
    expect(() => parseRepository(name)).toThrow(InvalidReferenceError);
  });

  it.each(['-latest', '.x', 'a'.repeat(129), 'has space', 'ü'])('rejects tag %j', (tag) => {
    expect(() => validateTag(tag)).toThrow(/tag/);
  });

  it('parses tag and digest', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseReference(`localhost:5000/x/y:1.0@${digest}`)).toMatchObject({ registry: 'localhost:5000', path: 'x/y', tag: '1.0', digest });
    expect(parseReference('localhost:5000/x')).toMatchObject({ tag: undefined });
  });

});

import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors';
import { ImageManifest, ManifestError } from '../manifest/image-manifest';
import { containerName, dockerRunArgs, runReference } from './run-image';

const digest = `sha256:${'a'.repeat(64)}`;
const manifest = (extra: Partial<ImageManifest>): ImageManifest => ({
  schemaVersion: 1,
  project: 'api',
  repository: 'localhost:5000/acme/api',
  contentHash: '0123456789abcdef',
  tags: ['0123456789abcdef'],
  digest,
  ref: `localhost:5000/acme/api@${digest}`,
  status: 'built',
  pushed: true,
  platform: 'linux/amd64',
  baseImages: {},
  ...extra,
});

describe('running an image target result', () => {
  it('runs the pushed digest, else the local image a --no-push build left; refuses a plan', () => {
    expect(runReference(manifest({}), 'dist/images/api.json')).toBe(`localhost:5000/acme/api@${digest}`);
    expect(runReference(manifest({ digest: null, ref: null, pushed: false }), 'dist/images/api.json')).toBe('localhost:5000/acme/api:0123456789abcdef');
    expect(() => runReference(manifest({ digest: null, ref: null, pushed: false, status: 'planned', plan: 'build' }), 'dist/images/api.json')).toThrow(ManifestError);
    expect(() => runReference(manifest({ digest: null, ref: null, pushed: false, status: 'planned' }), 'dist/images/api.json')).toThrow('was planned, not built (a dry run)');
  });

  it('docker run arguments: removed on exit, an init for signals, named, ports, env by name, extra args, then the image and its command', () => {
    expect(dockerRunArgs('img@sha256:x', 'hashdock-run-api-1', { ports: ['3000:3000', '127.0.0.1:9229:9229/tcp'], env: ['DATABASE_URL'], args: ['--memory=256m'], command: ['node', '--inspect=0.0.0.0', 'main.js'] })).toEqual([
      '--rm', '--init', '--name', 'hashdock-run-api-1',
      '--publish', '3000:3000', '--publish', '127.0.0.1:9229:9229/tcp',
      '--env', 'DATABASE_URL',
      '--memory=256m',
      'img@sha256:x', 'node', '--inspect=0.0.0.0', 'main.js',
    ]);
    expect(dockerRunArgs('img', 'n', {})).toEqual(['--rm', '--init', '--name', 'n', 'img']);
  });

  it('refuses a value in env (it would show in logs) and a port docker would not take, naming them', () => {
    expect(() => dockerRunArgs('img', 'n', { env: ['TOKEN=abc'] })).toThrow(InvalidOptionError);
    expect(() => dockerRunArgs('img', 'n', { env: ['TOKEN=abc'] })).toThrow('"TOKEN=…" is not an environment variable name');
    expect(() => dockerRunArgs('img', 'n', { env: ['TOKEN=abc'] })).not.toThrow('abc');
    expect(() => dockerRunArgs('img', 'n', { ports: ['http'] })).toThrow('Port "http" is not a docker --publish value');
  });

  it('names the container after the image and the run, in characters docker takes', () => {
    expect(containerName('api-debug', '4242')).toBe('hashdock-run-api-debug-4242');
    expect(containerName('@acme/api', '1')).toBe('hashdock-run--acme-api-1');
  });
});

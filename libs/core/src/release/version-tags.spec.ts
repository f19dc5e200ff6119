import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors';
import { writeManifest } from '../manifest/image-manifest';
import { InvalidReferenceError } from '../registry/errors';
import { packageVersionAt, projectManifests, releaseVersionOf, versionTagsFor } from './version-tags';

describe('release version of a project', () => {
  const sources = { project: 'api', packageJsonPath: 'apps/api/package.json' };

  it('takes the version given, then what nx release resolved, then the package.json version', () => {
    const versionData = { api: { newVersion: '1.4.0' }, web: { newVersion: null } };
    expect(releaseVersionOf({ ...sources, version: '2.0.0', versionData, packageVersion: '1.0.0' })).toBe('2.0.0');
    expect(releaseVersionOf({ ...sources, versionData, packageVersion: '1.0.0' })).toBe('1.4.0');
    expect(releaseVersionOf({ ...sources, versionData: { web: { newVersion: '3.0.0' } }, packageVersion: '1.0.0' })).toBe('1.0.0');
  });

  it('is null when nx release resolved no new version for the project', () => {
    expect(releaseVersionOf({ ...sources, project: 'web', packageJsonPath: 'apps/web/package.json', versionData: { web: { newVersion: null } }, packageVersion: '1.0.0' })).toBeNull();
  });

  it('names every way to give one when there is none', () => {
    expect(() => releaseVersionOf(sources)).toThrow(InvalidOptionError);
    expect(() => releaseVersionOf(sources)).toThrow('No release version for api: publish it through nx release (nx release, or nx release publish after nx release version), pass --version, or give apps/api/package.json a "version"');
  });
});

describe('version tags', () => {
  it('fills {version} into every template, once per tag', () => {
    expect(versionTagsFor(['{version}', 'v{version}', '{version}'], '1.4.0-rc.1')).toEqual(['1.4.0-rc.1', 'v1.4.0-rc.1']);
  });

  it('refuses a template without {version}, an unknown placeholder, no template, and a tag docker would refuse', () => {
    expect(() => versionTagsFor(['stable'], '1.0.0')).toThrow('Version tag template "stable" has no {version}: it would name every release');
    expect(() => versionTagsFor(['{version}-{gitSha}'], '1.0.0')).toThrow('Unknown placeholder {gitSha} in version tag template "{version}-{gitSha}"; use {version}');
    expect(() => versionTagsFor([], '1.0.0')).toThrow('versionTags is empty');
    expect(() => versionTagsFor(['{version}'], '1.0.0+build.5')).toThrow(InvalidReferenceError);
    expect(() => versionTagsFor(['{version}'], '1.0.0+build.5')).toThrow('version tag "1.0.0+build.5"');
  });
});

describe('files a release reads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-version-tags-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const digest = `sha256:${'a'.repeat(64)}`;
  const manifest = (project: string, image: string, pushed = true) => ({
    schemaVersion: 1 as const,
    project,
    image,
    repository: `localhost:5000/acme/${image}`,
    contentHash: '0123456789abcdef',
    tags: ['0123456789abcdef'],
    digest: pushed ? digest : null,
    ref: pushed ? `localhost:5000/acme/${image}@${digest}` : null,
    status: pushed ? ('built' as const) : ('planned' as const),
    pushed,
    platform: 'linux/amd64',
    baseImages: {},
  });

  it('reads a package.json version; none without the file or the field; names a file that is not JSON', async () => {
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'api', version: '1.2.3' }));
    expect(await packageVersionAt(join(dir, 'package.json'))).toBe('1.2.3');
    expect(await packageVersionAt(join(dir, 'missing.json'))).toBeUndefined();
    await writeFile(join(dir, 'bare.json'), JSON.stringify({ name: 'api' }));
    expect(await packageVersionAt(join(dir, 'bare.json'))).toBeUndefined();
    await writeFile(join(dir, 'broken.json'), '{ "version": ');
    await expect(packageVersionAt(join(dir, 'broken.json'))).rejects.toThrow(`${join(dir, 'broken.json')} is not JSON`);
  });

  it("takes every pushed image of the project (its debug image too), none of another project's", async () => {
    await writeManifest(dir, manifest('api', 'api'));
    await writeManifest(dir, manifest('api', 'api-debug'));
    await writeManifest(dir, manifest('web', 'web'));
    await writeFile(join(dir, 'report.json'), '{}');
    expect((await projectManifests(dir, 'api')).map((m) => m.image).sort()).toEqual(['api', 'api-debug']);
  });

  it('refuses a project with no manifest, or one not pushed, naming what to do', async () => {
    await expect(projectManifests(dir, 'api')).rejects.toThrow('holds no image manifest of api; its nx-release-publish target needs dependsOn: ["image"]');
    await writeManifest(dir, manifest('api', 'api', false));
    await expect(projectManifests(dir, 'api')).rejects.toThrow('image "api" of api was not pushed (status planned)');
  });
});

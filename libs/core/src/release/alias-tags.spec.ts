import { describe, expect, it } from 'vitest';
import { aliasDecisions, aliasOf, checkAliasTemplates, releasedVersions } from './alias-tags';
import { compareSemVer, parseSemVer, SemVer } from './semver';

const v = (text: string): SemVer => parseSemVer(text)!;

describe('semver', () => {
  it('reads x.y.z with a pre-release and build metadata, and nothing else', () => {
    expect(parseSemVer('1.4.0')).toEqual({ major: 1, minor: 4, patch: 0, prerelease: [] });
    expect(parseSemVer('2.0.0-rc.1+build.5')).toEqual({ major: 2, minor: 0, patch: 0, prerelease: ['rc', '1'] });
    for (const text of ['1.4', 'v1.4.0', '01.4.0', '1.4.0-', 'latest']) expect(parseSemVer(text)).toBeUndefined();
  });

  it('orders by precedence: numbers numerically, a pre-release below its release, numeric identifiers below words', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0'];
    const shuffled = [...ordered].reverse().map(v).sort(compareSemVer);
    expect(shuffled).toEqual(ordered.map(v));
    expect(compareSemVer(v('1.0.0+a'), v('1.0.0+b'))).toBe(0);
  });
});

describe('alias tags', () => {
  it('gives a release its line\'s aliases; a pre-release none; a 0.x version no {major}-only alias', () => {
    const templates = ['{major}.{minor}', '{major}', 'latest', 'v{major}'];
    expect(templates.map((t) => aliasOf(t, v('1.4.2')))).toEqual(['1.4', '1', 'latest', 'v1']);
    expect(templates.map((t) => aliasOf(t, v('2.0.0-rc.1')))).toEqual([undefined, undefined, undefined, undefined]);
    expect(templates.map((t) => aliasOf(t, v('0.9.3')))).toEqual(['0.9', undefined, 'latest', undefined]);
  });

  it('refuses {version} (a version tag never moves) and unknown placeholders', () => {
    expect(() => checkAliasTemplates(['{version}-stable'])).toThrow(/has \{version\}: a version tag names one release and never moves; put it in versionTags/);
    expect(() => checkAliasTemplates(['{branch}'])).toThrow(/Unknown placeholder \{branch\} in alias tag template "\{branch\}"/);
    expect(() => aliasDecisions(['{major}'], 'nightly', [])).toThrow(/"nightly" is not semver/);
    expect(aliasDecisions([], 'nightly', [])).toEqual([]);
  });

  it('reads the released versions from the repository\'s tags through the version tag templates', () => {
    const tags = ['1.0.0', 'v1.2.0', 'v1.3.0-rc.1', 'latest', '1', 'abc123def456', 'git-0a1b2c', 'vnext'];
    expect(releasedVersions(tags, ['v{version}']).map((version) => version.minor)).toEqual([2, 3]);
    expect(releasedVersions(tags, ['{version}', 'v{version}']).length).toBe(3);
  });

  it('moves an alias to this release unless its line has a higher release: a patch of an older minor moves only that minor', () => {
    const templates = ['{major}.{minor}', '{major}', 'latest'];
    const released = ['1.3.4', '1.4.0', '1.4.1-rc.1', '2.0.0-beta.1'].map(v);
    expect(aliasDecisions(templates, '1.3.5', released)).toEqual([
      { tag: '1.3', move: true },
      { tag: '1', move: false, newer: '1.4.0' },
      { tag: 'latest', move: false, newer: '1.4.0' },
    ]);
    // A release above every other moves them all; a pre-release in the repository is no line's newest.
    expect(aliasDecisions(templates, '1.4.1', released).map((decision) => decision.move)).toEqual([true, true, true]);
    // Releasing an older version again (a rerun) keeps each alias where the newest is.
    expect(aliasDecisions(templates, '1.3.4', [...released, v('1.3.5')])).toEqual([
      { tag: '1.3', move: false, newer: '1.3.5' },
      { tag: '1', move: false, newer: '1.4.0' },
      { tag: 'latest', move: false, newer: '1.4.0' },
    ]);
  });
});

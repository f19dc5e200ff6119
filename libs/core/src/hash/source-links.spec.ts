import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listContextEntries } from './context-files';
import { ContextScope } from './context-scope';
import { followLinksOnDisk, followListedLinks, resolveInContext, SourceLinkLoopError } from './source-links';

const links: Record<string, string> = {
  'links/pkg.json': '../package.json',
  'links/tool': '../vendor/tool',
  'links/abs': '/vendor/tool/bin.js',
  'links/escape': '../../../../etc',
  'links/chain': 'pkg.json',
  'loop/a': 'b',
  'loop/b': 'a',
};
const readLink = (path: string) => links[path];

describe('resolveInContext: a path through symlinks, inside the context as BuildKit resolves it', () => {
  it.each([
    ['package.json', 'package.json', []],
    ['links/pkg.json', 'package.json', ['links/pkg.json']],
    ['links/tool/bin.js', 'vendor/tool/bin.js', ['links/tool']],
    // An absolute target starts from the context root; `..` stops there.
    ['links/abs', 'vendor/tool/bin.js', ['links/abs']],
    ['links/escape/passwd', 'etc/passwd', ['links/escape']],
    ['links/chain', 'package.json', ['links/chain', 'links/pkg.json']],
  ])('%s → %s', (path, expected, traversed) => {
    const met: string[] = [];
    expect(resolveInContext(path, readLink, met)).toBe(expected);
    expect(met).toEqual(traversed);
  });

  it('refuses a loop, naming the path', () => {
    expect(() => resolveInContext('loop/a', readLink)).toThrow(SourceLinkLoopError);
    expect(() => resolveInContext('loop/a', readLink)).toThrow("The build context's loop/a: more than 40 symbolic links");
  });
});

describe('following COPY sources that are symlinks', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-links-'));
    for (const [path, text] of Object.entries({ 'package.json': '{}', 'vendor/tool/bin.js': 'x', 'configs/a.json': 'a', 'shared/b.json': 'b' })) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await mkdir(join(dir, 'links'));
    await symlink('../package.json', join(dir, 'links/pkg.json'));
    await symlink('../vendor/tool', join(dir, 'links/tool'));
    await symlink('../shared/b.json', join(dir, 'configs/b.json'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const scope: ContextScope = {
    kind: 'sources',
    sources: [
      { path: 'links/pkg.json', line: 2, wildcard: false },
      { path: 'links/tool/bin.js', line: 3, wildcard: false },
      { path: 'configs/*.json', line: 4, wildcard: true },
      { path: 'links/tool/*.js', line: 5, wildcard: true },
      { path: 'package.json', line: 6, wildcard: false, mounted: true },
    ],
  };
  const expected = [
    '2:links/pkg.json',
    '2:package.json',
    '3:links/tool',
    '3:vendor/tool/bin.js',
    '4:configs/*.json',
    '4:configs/b.json',
    '4:shared/b.json',
    '5:links/tool',
    '5:vendor/tool/*.js',
    '6:package.json (mounted)',
  ];
  const read = (followed: ContextScope) =>
    followed.kind === 'sources' ? followed.sources.map((source) => `${source.line}:${source.path}${source.mounted ? ' (mounted)' : ''}`).sort() : followed.reason;

  it('over a listed context and on disk alike: the links, and where they lead', async () => {
    expect(read(followListedLinks(scope, dir, await listContextEntries(dir, [])))).toEqual(expected);
    expect(read(followLinksOnDisk(scope, dir))).toEqual(expected);
  });

  it('on disk, tells every path it looked up (the link text, or null) and every directory a wildcard read (what a cache of the inputs must check)', () => {
    const paths = new Map<string, string | null>();
    const dirs = new Map<string, readonly string[]>();
    followLinksOnDisk(scope, dir, { path: (path, link) => paths.set(path, link), dir: (path, names) => dirs.set(path, [...names].sort()) });
    expect(Object.fromEntries([...paths].filter(([, link]) => link !== null))).toEqual({
      'links/pkg.json': '../package.json',
      'links/tool': '../vendor/tool',
      'configs/b.json': '../shared/b.json',
    });
    // Looked up and no link: a file that becomes one must be noticed (configs/a.json, a wildcard's match; package.json, a source).
    expect([...paths].filter(([, link]) => link === null).map(([path]) => path)).toEqual(expect.arrayContaining(['package.json', 'configs', 'configs/a.json', 'vendor', 'vendor/tool/bin.js']));
    // The directories the wildcards read, with the symlinks in them (a new link a wildcard matches appears there first;
    // a new file is Nx's to hash, and a build's output churning a folder must not make inference run again).
    expect(Object.fromEntries(dirs)).toEqual({ configs: ['b.json'], 'vendor/tool': [] });
  });

  it('a link the ignore file drops is not followed in the listed context (Docker never sees it)', async () => {
    const entries = (await listContextEntries(dir, [])).filter((entry) => entry.path !== 'configs/b.json');
    expect(read(followListedLinks(scope, dir, entries))).not.toContain('4:shared/b.json');
  });

  it('leaves a scope of the whole context, and one without links, as they are', async () => {
    const whole: ContextScope = { kind: 'context', reason: 'COPY . .' };
    expect(followLinksOnDisk(whole, dir)).toBe(whole);
    const plain: ContextScope = { kind: 'sources', sources: [{ path: 'package.json', line: 1, wildcard: false }] };
    expect(followLinksOnDisk(plain, dir)).toEqual(plain);
  });
});

import { describe, expect, it } from 'vitest';
import { compilePattern, directoryPruner, isIgnored, parseDockerignore } from './dockerignore';

// Expectations follow moby/patternmatcher; e2e/dockerignore-oracle.int.spec.ts checks a sample against Docker itself.
describe('dockerignore', () => {
  it.each([
    // [patterns, path, ignored]
    ['node_modules', 'node_modules/a/b.js', true],
    ['node_modules', 'src/node_modules/x', false],
    ['*.md', 'README.md', true],
    ['*.md', 'docs/guide.md', false],
    ['**/*.md', 'docs/guide.md', true],
    ['**/*.md', 'README.md', true],
    ['docs/**', 'docs/a/b/c.txt', true],
    ['docs/**', 'docs', false], // the directory itself stays (sent empty)
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/x/y/bc', false],
    ['/dist', 'dist/main.js', true],
    ['./dist/', 'dist/main.js', true],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[ab].txt', 'b.txt', true],
    ['[^ab].txt', 'c.txt', true],
    ['*\n!keep.md', 'keep.md', false],
    ['*\n!keep.md', 'other.md', true],
    ['*.md\n!README.md', 'README.md', false],
    ['*.md\n!README.md\nREADME.md', 'README.md', true],
    ['src\n!src/index.ts', 'src/index.ts', false],
    ['src\n!src/index.ts', 'src/other.ts', true],
    ['# comment\n\n  spaced.txt  ', 'spaced.txt', true],
    ['#notacomment', '#notacomment', false],
    ['a.b', 'aXb', false],
    ['dir/../other', 'other', true],
    ['*', 'anything/at/all', true],
  ])('%j ignores %s: %s', (patterns, path, expected) => {
    expect(isIgnored(parseDockerignore(patterns), path)).toBe(expected);
  });

  it('rejects a lone "!" as Docker does, and "!/" (cleaned to "!")', () => {
    expect(() => parseDockerignore('!')).toThrow(/illegal exclusion/);
    expect(() => parseDockerignore('!/')).toThrow(/illegal exclusion/);
    expect(parseDockerignore('/').map((p) => p.cleaned)).toEqual(['/']);
  });

  // Each rule below was found where Hashdock and Docker (buildx 0.13, current fsutil walker) disagreed.
  it.each([
    // An exception naming a directory keeps the results carried down from the walk (MatchesUsingParentResults):
    // it does not re-include what a deeper pattern excluded.
    ['src/**\n!src', 'src/a.js', true],
    ['src/**\n!src', 'src', false],
    ['**/x.js\n!b*', 'b1/x.js', true],
    ['**/x.js\n!b*', 'b1', false],
    ['*\n!*', 'dir/file', false],
    // ...but a pattern that matched the parent directory matches everything below it.
    ['b1\n!b1/keep', 'b1/keep', false],
    ['b1\n!b1/keep', 'b1/keep/deep', false],
    ['b1\n!b1/keep', 'b1/other', true],
  ])('parent results: %j ignores %s: %s', (patterns, path, expected) => {
    expect(isIgnored(parseDockerignore(patterns), path)).toBe(expected);
  });

  it.each([
    // `.`, `+`, `(`, `)` and `$` are escaped; `|`, `{`, `}` are not (patternmatcher's bitmap drops bytes >= 64).
    ['?(1).txt', 'a(1).txt', true],
    ['c?+d', 'c+d', false],
    ['?+d', 'c+d', true],
    ['?$v', 'a$v', true],
    ['e?f', 'e|f', true],
    ['?|zzz', 'anything', true],
    ['g{h}?', 'g{h}x', true],
    // A literal pattern is compared as written, whatever its characters.
    ['e|f', 'e|f', true],
    ['a(1).txt', 'a(1).txt', true],
  ])('regexp characters: %j ignores %s: %s', (patterns, path, expected) => {
    expect(isIgnored(parseDockerignore(patterns), path)).toBe(expected);
  });

  it.each([['[a-]'], ['[]x'], ['a['], ['[^]'], ['x\\'], ['[-a]'], ['!src/[']])('refuses %j like filepath.Match', (pattern) => {
    expect(() => parseDockerignore(pattern)).toThrow(/invalid pattern/);
  });

  it('accepts a reversed range but fails once Docker evaluates it', () => {
    const patterns = parseDockerignore('!never-evaluated/[z-a]\nx');
    expect(isIgnored(patterns, 'x')).toBe(true);
    expect(() => isIgnored(parseDockerignore('[z-a]'), 'x')).toThrow(/invalid pattern/);
  });

  it('treats `**` followed only by literal text as a suffix test', () => {
    expect(compilePattern('**foo')).toEqual({ type: 'suffix', value: 'foo' });
    expect(isIgnored(parseDockerignore('**foo'), 'barfoo')).toBe(true);
    expect(isIgnored(parseDockerignore('**foo'), 'dir/barfoo')).toBe(true);
    expect(isIgnored(parseDockerignore('**/foo'), 'foo')).toBe(true);
    expect(isIgnored(parseDockerignore('**/foo'), 'barfoo')).toBe(false);
    expect(compilePattern('**/*.js').type).toBe('regexp');
    expect(compilePattern('dist/**')).toEqual({ type: 'prefix', value: 'dist/' });
  });

  it('drops a UTF-8 BOM, so "\\uFEFF#…" is a comment', () => {
    expect(parseDockerignore('\uFEFF# comment\nb').map((p) => p.cleaned)).toEqual(['b']);
    expect(parseDockerignore('#x\r\na\r\n').map((p) => p.cleaned)).toEqual(['a']);
  });

  it('skips an ignored directory unseen only where fsutil does', () => {
    expect(directoryPruner(parseDockerignore('dist'))?.('dist')).toBe(true);
    const literal = directoryPruner(parseDockerignore('*\n!src/keep'));
    expect(literal?.('src')).toBe(false);
    expect(literal?.('docs')).toBe(true);
    expect(directoryPruner(parseDockerignore('*\n!**/keep'))).toBeUndefined();
  });

  it('trims an exception\'s trailing `/**` and then `/*` as fsutil does, so `x/*/**` prunes below x', () => {
    const pruner = directoryPruner(parseDockerignore('x.js\n!x.js/*/**'));
    expect(pruner?.('x.js')).toBe(false);
    expect(pruner?.('x.js/e')).toBe(true);
    expect(directoryPruner(parseDockerignore('x\n!x/**/*'))).toBeUndefined();
  });

  it('cleans patterns like filepath.Clean', () => {
    expect(parseDockerignore('/a//b/./c/\n!./d').map((p) => [p.cleaned, p.exclusion])).toEqual([
      ['a/b/c', false],
      ['d', true],
    ]);
  });
});

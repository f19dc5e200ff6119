import { describe, expect, it } from 'vitest';
import { isIgnored, parseDockerignore } from './dockerignore';

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

  it('rejects a lone "!" as Docker does', () => {
    expect(() => parseDockerignore('!')).toThrow(/illegal exclusion/);
  });

  it('cleans patterns like filepath.Clean', () => {
    expect(parseDockerignore('/a//b/./c/\n!./d').map((p) => [p.cleaned, p.exclusion])).toEqual([
      ['a/b/c', false],
      ['d', true],
    ]);
  });
});

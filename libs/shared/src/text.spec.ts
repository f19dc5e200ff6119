import { describe, expect, it } from 'vitest';
import { slugify, tokenize } from './text';

describe('text', () => {
  it.each([
    ['Héllo, World!', 'hello-world'],
    ['  many   spaces ', 'many-spaces'],
    ['', ''],
    ['Ünïcode 2026', 'unicode-2026'],
  ])('slugify(%j) = %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });

  it('cuts long slugs without a trailing dash', () => {
    expect(slugify('aaaa bbbb', 5)).toBe('aaaa');
  });

  it('tokenizes words and digits', () => {
    expect(tokenize('To be, or not 2 be')).toEqual(['to', 'be', 'or', 'not', '2', 'be']);
  });
});

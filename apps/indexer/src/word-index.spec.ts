import { describe, expect, it } from 'vitest';
import { WordIndex } from './word-index';

describe('WordIndex', () => {
  it('finds documents holding every query word', () => {
    const index = new WordIndex();
    index.add('a', 'Content addressed images');
    index.add('b', 'images built once');
    expect(index.search('images')).toEqual(['a', 'b']);
    expect(index.search('IMAGES content')).toEqual(['a']);
    expect(index.search('missing')).toEqual([]);
    expect(index.stats()).toEqual({ documents: 2, words: 5 });
  });
});

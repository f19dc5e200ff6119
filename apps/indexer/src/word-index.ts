import { tokenize } from '@hashdock/shared';

/** An in-memory inverted index: word → document ids. */
export class WordIndex {
  private readonly postings = new Map<string, Set<string>>();
  private documents = 0;

  add(id: string, text: string): number {
    const words = new Set(tokenize(text));
    for (const word of words) {
      let ids = this.postings.get(word);
      if (!ids) this.postings.set(word, (ids = new Set()));
      ids.add(id);
    }
    this.documents++;
    return words.size;
  }

  /** Ids of documents holding every word of the query. */
  search(query: string): string[] {
    const words = tokenize(query);
    if (words.length === 0) return [];
    const [first, ...rest] = words.map((word) => this.postings.get(word) ?? new Set<string>());
    return [...first].filter((id) => rest.every((ids) => ids.has(id))).sort();
  }

  stats(): { documents: number; words: number } {
    return { documents: this.documents, words: this.postings.size };
  }
}

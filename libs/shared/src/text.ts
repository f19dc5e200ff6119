/** Lowercase words of letters and digits, in order. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').match(/[a-z0-9]+/g) ?? [];
}

/** URL-safe slug: `Héllo, World!` → `hello-world`. */
export function slugify(text: string, maxLength = 64): string {
  return tokenize(text).join('-').slice(0, maxLength).replace(/-+$/, '');
}

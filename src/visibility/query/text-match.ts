/**
 * What `=` means for a Text search attribute: a full-text match, as Temporal's stores do it
 * (Elasticsearch `match`, SQLite FTS5, MySQL MATCH ... IN BOOLEAN MODE). Text and query are cut
 * into lower-cased words of letters and digits; the query matches when every one of its words
 * is a word of the text.
 */

const WORD = /[\p{L}\p{N}]+/gu

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? []
}

export function textMatches(text: string, query: string): boolean {
  const wanted = words(query)
  if (wanted.length === 0) return false
  const have = new Set(words(text))
  return wanted.every((w) => have.has(w))
}

/**
 * Paging by the server's page tokens: the tokens of the pages before this one and this one's
 * ('' for the first), so that Previous can go back. They belong to one `key` (a query and page
 * size); another key starts again at the first page.
 */
import { useState } from 'preact/hooks'

export interface PageTokens {
  /** This page's token; '' for the first page. */
  token: string
  /** 1 for the first page. */
  page: number
  /** Goes back a page; undefined on the first. */
  previous?: () => void
  /** Goes on to the page that `nextPageToken` starts. */
  next(nextPageToken: string): void
}

export function usePageTokens(key: string): PageTokens {
  const [paging, setPaging] = useState({ key, tokens: [''] })
  const tokens = paging.key === key ? paging.tokens : ['']
  return {
    token: tokens[tokens.length - 1] ?? '',
    page: tokens.length,
    previous: tokens.length > 1 ? () => setPaging({ key, tokens: tokens.slice(0, -1) }) : undefined,
    next: (t) => setPaging({ key, tokens: [...tokens, t] }),
  }
}

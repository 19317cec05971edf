/** Previous and Next over server pages, the page number, and whatever else goes in the row. */
import type { ComponentChildren } from 'preact'
import type { PageTokens } from '../use-page-tokens.js'

export function Pager(props: {
  paging: PageTokens
  /** The loaded page's token for the next one; none on the last page. */
  nextPageToken?: string
  children?: ComponentChildren
}) {
  const { paging, nextPageToken } = props
  return (
    <div class="pager">
      <button disabled={!paging.previous} onClick={paging.previous}>
        Previous
      </button>
      <span aria-label="Page number">Page {paging.page}</span>
      <button disabled={!nextPageToken} onClick={() => nextPageToken && paging.next(nextPageToken)}>
        Next
      </button>
      {props.children}
    </div>
  )
}

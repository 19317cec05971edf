/**
 * The list filter the workflows page sends: the text of the query box combined with the quick
 * filters. Quick filters are ANDed in front; a trailing ORDER BY in the text stays at the end,
 * where the grammar wants it. Values are quoted the way the server's lexer reads them.
 */

export interface ListFilters {
  /** The query box, as typed. */
  query: string
  status?: string
  type?: string
  /** A workflow id prefix. */
  id?: string
}

export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * Splits `text` at a top-level `ORDER BY` (outside quotes and backquotes). The server's grammar
 * puts ORDER BY last, so what precedes it is the filter.
 */
export function splitOrderBy(text: string): { where: string; orderBy: string } {
  let quoteChar: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoteChar) {
      if (c === '\\' && quoteChar !== '`') i++
      else if (c === quoteChar) quoteChar = undefined
      continue
    }
    if (c === "'" || c === '"' || c === '`') {
      quoteChar = c
      continue
    }
    const before = i === 0 ? ' ' : text[i - 1]!
    if (/\s|\)/.test(before) || i === 0) {
      const m = /^order\s+by\b/i.exec(text.slice(i))
      if (m) return { where: text.slice(0, i).trim(), orderBy: text.slice(i).trim() }
    }
  }
  return { where: text.trim(), orderBy: '' }
}

/** The quick filters (except status, when counting by status) as clauses. */
function clauses(f: ListFilters, withStatus: boolean): string[] {
  const out: string[] = []
  if (withStatus && f.status) out.push(`ExecutionStatus = ${quote(f.status)}`)
  if (f.type) out.push(`WorkflowType = ${quote(f.type)}`)
  if (f.id) out.push(`WorkflowId STARTS_WITH ${quote(f.id)}`)
  return out
}

function join(parts: string[], where: string): string {
  const all = where ? [...parts, parts.length > 0 ? `(${where})` : where] : parts
  return all.join(' AND ')
}

/** The query for ListWorkflowExecutions. */
export function listQuery(f: ListFilters): string {
  const { where, orderBy } = splitOrderBy(f.query)
  return [join(clauses(f, true), where), orderBy].filter(Boolean).join(' ')
}

/**
 * The query for the counts by status: every filter but the status one, grouped by status (the
 * one grouping Temporal's count offers; ORDER BY means nothing to a count and is dropped).
 */
export function countQuery(f: ListFilters): string {
  const { where } = splitOrderBy(f.query)
  return [join(clauses(f, false), where), 'GROUP BY ExecutionStatus'].filter(Boolean).join(' ')
}

/**
 * The query a batch job from the list acts on: the list's filter (ORDER BY means nothing to a
 * job), narrowed to running workflows, the only ones terminate, cancel and signal apply to.
 */
export function batchQuery(f: ListFilters): string {
  const { where } = splitOrderBy(listQuery(f))
  return join([`ExecutionStatus = 'Running'`], where)
}

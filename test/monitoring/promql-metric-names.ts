/**
 * The metric names a PromQL expression selects, found by a small lexer rather than a full
 * parser: `promtool check rules` already proves the expression parses, so this only has to tell
 * metric names apart from functions, keywords, label names and literals.
 */

/** Aggregation operators, binary keywords and literals that read like identifiers. */
const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'atan2',
  'inf',
  'nan',
])

/** Keywords followed by a parenthesised list of label names, not of expressions. */
const LABEL_LIST_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
])

const IDENT_START = /[A-Za-z_:]/
const IDENT_PART = /[A-Za-z0-9_:]/

/** Index just past the closing `close` for the opening one at `start`, skipping strings. */
function skipBalanced(expr: string, start: number, open: string, close: string): number {
  let depth = 0
  for (let i = start; i < expr.length; i++) {
    const c = expr[i]
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i) - 1
    else if (c === open) depth++
    else if (c === close && --depth === 0) return i + 1
  }
  throw new Error(`unbalanced ${open} in ${expr}`)
}

/** Index just past the string literal starting at `start`. */
function skipString(expr: string, start: number): number {
  const quote = expr[start]
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++
    else if (expr[i] === quote) return i + 1
  }
  throw new Error(`unterminated string in ${expr}`)
}

function nextNonSpace(expr: string, from: number): number {
  let i = from
  while (i < expr.length && /\s/.test(expr[i] ?? '')) i++
  return i
}

/** Metric names in `expr`, deduplicated, in order of first use. */
export function metricNames(expr: string): string[] {
  const names = new Set<string>()
  let i = 0
  while (i < expr.length) {
    const c = expr[i] ?? ''
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i)
    } else if (c === '{') {
      const end = skipBalanced(expr, i, '{', '}')
      // A selector may name its metric inside the braces: {__name__="up"}.
      const byName = /__name__\s*=\s*"([^"]*)"/.exec(expr.slice(i, end))
      if (byName?.[1] !== undefined) names.add(byName[1])
      i = end
    } else if (c === '[') {
      i = skipBalanced(expr, i, '[', ']')
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      // Numbers, durations (5m, 1h30m) and hex or exponent forms (0x1f, 1e3).
      while (i < expr.length && /[A-Za-z0-9_.]/.test(expr[i] ?? '')) i++
    } else if (IDENT_START.test(c)) {
      const start = i
      while (i < expr.length && IDENT_PART.test(expr[i] ?? '')) i++
      const word = expr.slice(start, i)
      const next = nextNonSpace(expr, i)
      const lower = word.toLowerCase()
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[next] === '(') i = skipBalanced(expr, next, '(', ')')
      } else if (!KEYWORDS.has(lower) && expr[next] !== '(') {
        names.add(word)
      }
    } else {
      i++
    }
  }
  return [...names]
}

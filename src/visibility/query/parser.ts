/**
 * Reads a visibility query into its syntax tree:
 *
 *   query     := [expr] [GROUP BY name {, name}] [ORDER BY name [ASC|DESC] {, ...}]
 *   expr      := and {OR and}
 *   and       := primary {AND primary}
 *   primary   := '(' expr ')' | predicate
 *   predicate := name (op literal | [NOT] IN '(' literal {, literal} ')'
 *                      | [NOT] BETWEEN literal AND literal | [NOT] STARTS_WITH literal
 *                      | IS [NOT] NULL)
 *   literal   := string | number | TRUE | FALSE
 *
 * Keywords are case-insensitive; AND binds tighter than OR.
 */
import type { ComparisonOperator, Expr, FieldRef, Literal, OrderTerm, Query } from './ast.js'
import { tokenize, type Token } from './lexer.js'
import { QueryError } from './query-error.js'

/** Words that cannot name a search attribute without backquotes. */
const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'between',
  'starts_with',
  'is',
  'null',
  'true',
  'false',
  'order',
  'group',
  'by',
  'asc',
  'desc',
])

/**
 * Bounds that keep a query within what SQLite takes (expression depth 1000, 32766 parameters)
 * and our recursion within the stack; no real filter comes near them.
 */
export const QUERY_LIMITS = { conditions: 500, nesting: 50, values: 5000 }

export function parseQuery(text: string): Query {
  return new Parser(tokenize(text)).query()
}

class Parser {
  readonly #tokens: Token[]
  #i = 0
  #conditions = 0
  #depth = 0
  #values = 0

  constructor(tokens: Token[]) {
    this.#tokens = tokens
  }

  query(): Query {
    const query: Query = { orderBy: [], groupBy: [] }
    if (!this.#atKeyword('order') && !this.#atKeyword('group') && this.#peek().kind !== 'end') {
      query.where = this.#or()
    }
    if (this.#acceptKeywords('group', 'by')) {
      do query.groupBy.push(this.#field())
      while (this.#accept(','))
    }
    if (this.#acceptKeywords('order', 'by')) {
      do query.orderBy.push(this.#orderTerm())
      while (this.#accept(','))
    }
    const rest = this.#peek()
    if (rest.kind !== 'end') {
      throw new QueryError(
        `unexpected ${describe(rest)}; expected AND, OR, ORDER BY or the end`,
        rest.pos,
      )
    }
    return query
  }

  #or(): Expr {
    let left = this.#and()
    while (this.#acceptKeyword('or')) left = { kind: 'or', left, right: this.#and() }
    return left
  }

  #and(): Expr {
    let left = this.#primary()
    while (this.#acceptKeyword('and')) left = { kind: 'and', left, right: this.#primary() }
    return left
  }

  #primary(): Expr {
    const open = this.#peek()
    if (this.#accept('(')) {
      if (++this.#depth > QUERY_LIMITS.nesting) {
        throw new QueryError(`parentheses nest deeper than ${QUERY_LIMITS.nesting}`, open.pos)
      }
      const inner = this.#or()
      this.#expect(')', "')'")
      this.#depth--
      return inner
    }
    return this.#predicate()
  }

  #predicate(): Expr {
    const start = this.#peek()
    if (++this.#conditions > QUERY_LIMITS.conditions) {
      throw new QueryError(`more than ${QUERY_LIMITS.conditions} conditions`, start.pos)
    }
    const field = this.#field()
    const next = this.#peek()
    if (next.kind === 'op') {
      this.#i++
      const op: ComparisonOperator = next.text === '<>' ? '!=' : next.text
      return { kind: 'compare', field, op, value: this.#literal() }
    }
    if (this.#acceptKeyword('is')) {
      const negated = this.#acceptKeyword('not')
      this.#expectKeyword('null', 'NULL')
      return { kind: 'isNull', field, negated }
    }
    const negated = this.#acceptKeyword('not')
    if (this.#acceptKeyword('in')) {
      this.#expect('(', "'(' after IN")
      const values: Literal[] = []
      do values.push(this.#literal())
      while (this.#accept(','))
      this.#expect(')', "')' or ','")
      return { kind: 'in', field, negated, values }
    }
    if (this.#acceptKeyword('between')) {
      const low = this.#literal()
      this.#expectKeyword('and', 'AND')
      return { kind: 'between', field, negated, low, high: this.#literal() }
    }
    if (this.#acceptKeyword('starts_with')) {
      return { kind: 'startsWith', field, negated, prefix: this.#literal() }
    }
    const t = this.#peek()
    throw new QueryError(
      negated
        ? `expected IN, BETWEEN or STARTS_WITH after NOT, found ${describe(t)}`
        : `expected an operator after ${field.name}, found ${describe(t)}`,
      t.pos,
    )
  }

  #orderTerm(): OrderTerm {
    const field = this.#field()
    if (this.#acceptKeyword('desc')) return { field, descending: true }
    this.#acceptKeyword('asc')
    return { field, descending: false }
  }

  #field(): FieldRef {
    const t = this.#peek()
    if (t.kind === 'quotedName' || (t.kind === 'word' && !KEYWORDS.has(t.text.toLowerCase()))) {
      this.#i++
      return { name: t.text, pos: t.pos }
    }
    throw new QueryError(`expected a search attribute name, found ${describe(t)}`, t.pos)
  }

  #literal(): Literal {
    const t = this.#peek()
    if (++this.#values > QUERY_LIMITS.values) {
      throw new QueryError(`more than ${QUERY_LIMITS.values} values`, t.pos)
    }
    this.#i++
    if (t.kind === 'string') return { kind: 'string', value: t.text, pos: t.pos }
    if (t.kind === 'number') {
      return { kind: 'number', value: Number(t.text), text: t.text, pos: t.pos }
    }
    if (t.kind === 'word') {
      const lower = t.text.toLowerCase()
      if (lower === 'true' || lower === 'false') {
        return { kind: 'bool', value: lower === 'true', pos: t.pos }
      }
    }
    throw new QueryError(`expected a value, found ${describe(t)}`, t.pos)
  }

  #peek(): Token {
    return this.#tokens[this.#i]!
  }

  #accept(kind: '(' | ')' | ','): boolean {
    if (this.#peek().kind !== kind) return false
    this.#i++
    return true
  }

  #expect(kind: '(' | ')', what: string): void {
    const t = this.#peek()
    if (!this.#accept(kind)) throw new QueryError(`expected ${what}, found ${describe(t)}`, t.pos)
  }

  #atKeyword(word: string, offset = 0): boolean {
    const t = this.#tokens[this.#i + offset]
    return t?.kind === 'word' && t.text.toLowerCase() === word
  }

  #acceptKeyword(word: string): boolean {
    if (!this.#atKeyword(word)) return false
    this.#i++
    return true
  }

  #acceptKeywords(first: string, second: string): boolean {
    if (!this.#atKeyword(first)) return false
    if (!this.#atKeyword(second, 1)) {
      const t = this.#tokens[this.#i + 1]!
      throw new QueryError(`expected ${second.toUpperCase()} after ${first.toUpperCase()}`, t.pos)
    }
    this.#i += 2
    return true
  }

  #expectKeyword(word: string, what: string): void {
    const t = this.#peek()
    if (!this.#acceptKeyword(word))
      throw new QueryError(`expected ${what}, found ${describe(t)}`, t.pos)
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the query'
    case 'string':
      return `string '${t.text}'`
    case 'word':
    case 'number':
    case 'op':
      return `'${t.text}'`
    case 'quotedName':
      return `\`${t.text}\``
    case '(':
    case ')':
    case ',':
      return `'${t.kind}'`
  }
}

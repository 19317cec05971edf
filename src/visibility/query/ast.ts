/**
 * The syntax tree of a visibility query, as the parser reads it and before any search attribute
 * is looked up. Every node keeps the 1-based character position it starts at, so later stages
 * can say where a problem is.
 */

/** A literal on the right of an operator. */
export type Literal =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; text: string; pos: number }
  | { kind: 'bool'; value: boolean; pos: number }

/** A search attribute named in the query. */
export interface FieldRef {
  name: string
  pos: number
}

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>='

/**
 * A filter. Generic so validation can keep the shape while resolving names (`F`) into search
 * attributes and literals (`V`) into stored values.
 */
export type Expr<F = FieldRef, V = Literal> =
  | { kind: 'and' | 'or'; left: Expr<F, V>; right: Expr<F, V> }
  | { kind: 'compare'; field: F; op: ComparisonOperator; value: V }
  | { kind: 'in'; field: F; negated: boolean; values: V[] }
  | { kind: 'between'; field: F; negated: boolean; low: V; high: V }
  | { kind: 'startsWith'; field: F; negated: boolean; prefix: V }
  | { kind: 'isNull'; field: F; negated: boolean }

export interface OrderTerm {
  field: FieldRef
  descending: boolean
}

export interface Query {
  /** Absent for a query with no filter (empty, or only ORDER BY / GROUP BY). */
  where?: Expr
  orderBy: OrderTerm[]
  groupBy: FieldRef[]
}

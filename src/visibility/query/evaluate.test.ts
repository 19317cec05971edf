import assert from 'node:assert/strict'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { InvalidArgumentError } from '../../common/errors.js'
import type { SearchAttributeTypeName } from '../search-attributes.js'
import { compileFilter } from './evaluate.js'
import { compileVisibilityQuery, QueryError, TEXT_MATCH_FUNCTION, textMatches } from './index.js'

const types = new Map<string, SearchAttributeTypeName>([
  ['Owner', 'Keyword'],
  ['Notes', 'Text'],
  ['Priority', 'Int'],
  ['Weight', 'Double'],
  ['Enabled', 'Bool'],
  ['Due', 'Datetime'],
  ['Tags', 'KeywordList'],
])
const due = Date.UTC(2030, 0, 1)
const row = new Map<string, unknown>([
  ['Owner', 'billing-team'],
  ['Notes', 'Runs the monthly invoice report.'],
  ['Priority', 3],
  ['Weight', 0.5],
  ['Enabled', true],
  ['Due', due],
  ['Tags', ['nightly', 'eu']],
])
const matches = (query: string, values: ReadonlyMap<string, unknown> = row): boolean =>
  compileFilter(query, types)(values)

/** Asserts which of `queries` match `values`: each entry is [query, expected]. */
function expect(cases: [string, boolean][], values: ReadonlyMap<string, unknown> = row): void {
  for (const [q, want] of cases) assert.equal(matches(q, values), want, q)
}

test('an empty query matches every record', () => {
  expect([
    ['', true],
    ['   ', true],
  ])
  assert.equal(matches('', new Map()), true)
})

test('= != < <= > >= on Keyword, Int, Double, Datetime and Bool', () => {
  expect([
    [`Owner = 'billing-team'`, true],
    [`Owner != 'billing-team'`, false],
    [`Owner < 'c'`, true],
    [`Owner >= 'billing-team'`, true],
    [`Owner > 'billing-team'`, false],
    ['Priority = 3', true],
    ['Priority != 3', false],
    ['Priority < 3', false],
    ['Priority <= 3', true],
    ['Priority > 2', true],
    ['Priority >= 4', false],
    ['Weight < 1', true],
    ['Weight = 0.5', true],
    ['Weight > 0.5', false],
    [`Due = '2030-01-01T00:00:00Z'`, true],
    [`Due = '2030-01-01T01:00:00+01:00'`, true],
    [`Due < '2030-01-01T00:00:00.001Z'`, true],
    [`Due > '2029-12-31T23:59:59Z'`, true],
    [`Due <= '2029-12-31T23:59:59Z'`, false],
    [`Due = ${due * 1_000_000}`, true], // nanoseconds since the epoch
    ['Enabled = true', true],
    ['Enabled != true', false],
    [`Enabled = 'FALSE'`, false],
  ])
})

test('strings compare in code point order, as both stores do, not by UTF-16 unit', () => {
  const values = new Map([['Owner', '😀']])
  expect(
    [
      [`Owner > '\uffff'`, true],
      [`Owner < '\uffff'`, false],
      [`Owner BETWEEN 'a' AND '\u{10ffff}'`, true],
    ],
    values,
  )
})

test('IN, BETWEEN, STARTS_WITH and their negations', () => {
  expect([
    [`Owner IN ('ops', 'billing-team')`, true],
    [`Owner NOT IN ('ops', 'billing-team')`, false],
    [`Owner NOT IN ('ops')`, true],
    ['Priority IN (1, 2)', false],
    ['Priority NOT IN (1, 2)', true],
    ['Priority BETWEEN 1 AND 3', true],
    ['Priority BETWEEN 4 AND 9', false],
    ['Priority NOT BETWEEN 1 AND 3', false],
    [`Due BETWEEN '2029-01-01T00:00:00Z' AND '2030-01-01T00:00:00Z'`, true],
    [`Owner STARTS_WITH 'bill'`, true],
    [`Owner STARTS_WITH 'Bill'`, false],
    [`Owner NOT STARTS_WITH 'bill'`, false],
    [`Owner NOT STARTS_WITH 'ops'`, true],
  ])
})

test('KeywordList: = and IN match any element, != and NOT IN only when none does', () => {
  expect([
    [`Tags = 'eu'`, true],
    [`Tags = 'us'`, false],
    [`Tags != 'eu'`, false],
    [`Tags != 'us'`, true],
    [`Tags IN ('us', 'nightly')`, true],
    [`Tags NOT IN ('us', 'nightly')`, false],
    [`Tags NOT IN ('us', 'weekly')`, true],
  ])
  expect([[`Tags = 'z'`, true]], new Map([['Tags', 'z']])) // a lone value is a list of one
  expect(
    [
      [`Tags != 'x'`, true],
      ['Tags IS NULL', false],
    ],
    new Map([['Tags', []]]),
  )
})

test('Text: = when every query word is a word of the value, case-insensitive', () => {
  expect([
    [`Notes = 'invoice'`, true],
    [`Notes = 'REPORT monthly'`, true],
    [`Notes = 'invoice payroll'`, false],
    [`Notes = 'invo'`, false],
    [`Notes != 'payroll'`, true],
    [`Notes != 'invoice'`, false],
  ])
})

test('AND binds tighter than OR; parentheses group', () => {
  expect([
    [`Owner = 'x' AND Priority = 3 OR Enabled = true`, true],
    [`Owner = 'x' AND (Priority = 3 OR Enabled = true)`, false],
    [`(Owner = 'x' OR Priority = 3) AND (Enabled = false OR Weight < 1)`, true],
    [`Priority = 3 AND Enabled = false`, false],
  ])
})

test('a missing attribute is NULL: every comparison is false, IS NULL true', () => {
  const none = new Map<string, unknown>([['Owner', null]])
  expect(
    [
      [`Owner = 'x'`, false],
      [`Owner != 'x'`, false],
      [`Owner NOT IN ('x')`, false],
      [`Owner NOT STARTS_WITH 'x'`, false],
      ['Priority NOT BETWEEN 1 AND 2', false],
      [`Tags != 'x'`, false],
      [`Tags NOT IN ('x')`, false],
      [`Notes != 'x'`, false],
      ['Enabled != true', false],
      ['Owner IS NULL', true],
      ['Owner IS NOT NULL', false],
      ['Tags IS NULL AND Due IS NULL', true],
      [`Owner != 'x' OR Owner IS NULL`, true],
    ],
    none,
  )
  expect([
    ['Owner IS NOT NULL', true],
    ['Owner IS NULL', false],
  ])
})

test('a value not of its attribute type matches no comparison', () => {
  const wrong = new Map<string, unknown>([
    ['Priority', '3'],
    ['Owner', 7],
    ['Due', '2030-01-01T00:00:00Z'],
    ['Tags', 5],
  ])
  expect(
    [
      ['Priority = 3', false],
      ['Priority != 3', false],
      ['Priority NOT IN (1)', false],
      [`Owner != 'x'`, false],
      [`Owner NOT STARTS_WITH 'x'`, false],
      [`Due < '2031-01-01T00:00:00Z'`, false],
      [`Tags != 'x'`, false],
      ['Priority IS NOT NULL', true],
    ],
    wrong,
  )
})

test('predefined attributes resolve without being listed', () => {
  const values = new Map([['TemporalSchedulePaused', true]])
  assert.equal(compileFilter('TemporalSchedulePaused = true', new Map())(values), true)
  assert.equal(compileFilter('TemporalSchedulePaused = false', new Map())(values), false)
})

test('unknown attributes, bad syntax and mistyped values: the errors list queries give', () => {
  for (const q of [
    'Nope = 1',
    'Owner = ',
    `Owner = 'a' AND`,
    `(Owner = 'a'`,
    `Priority = 'x'`,
    'Priority = 1.5',
    `Due > 'yesterday'`,
    'Enabled = 1',
    'Tags > 1',
    `Notes STARTS_WITH 'x'`,
    'Owner STARTS_WITH 1',
  ]) {
    const listed = (() => {
      try {
        compileVisibilityQuery(q, types, 'list')
      } catch (e: unknown) {
        return e
      }
      return assert.fail(`${q} compiled as a list query`)
    })()
    assert.ok(listed instanceof QueryError, q)
    assert.throws(
      () => compileFilter(q, types),
      (e: unknown) => e instanceof QueryError && e.message === listed.message,
      q,
    )
  }
})

test('system columns, ORDER BY and GROUP BY are refused as InvalidArgument', () => {
  assert.throws(
    () => compileFilter(`Owner = 'a' OR WorkflowId = 'x'`, types),
    (e: unknown) =>
      e instanceof InvalidArgumentError &&
      e.message === 'invalid query filter for schedules: cannot filter on "WorkflowId"',
  )
  for (const q of ['ORDER BY Owner', `Owner = 'a' ORDER BY Priority DESC`, 'GROUP BY Owner']) {
    assert.throws(() => compileFilter(q, types), /no ORDER BY or GROUP BY/, q)
  }
})

test('agrees with the SQL of ListWorkflowExecutions over the same values (SQLite)', () => {
  const rows: Record<string, unknown>[] = [
    { ...Object.fromEntries(row), Owner: 'billing-team' },
    { Owner: '😀 ✓', Priority: -2, Weight: 2.25, Enabled: false, Tags: 'eu', Notes: 'Grüße!' },
    { Owner: '\uffff', Due: due - 1, Tags: [] },
    {},
  ]
  const db = new Database(':memory:')
  db.function(TEXT_MATCH_FUNCTION, { deterministic: true }, (t: unknown, q: unknown) =>
    typeof t === 'string' && typeof q === 'string' ? Number(textMatches(t, q)) : null,
  )
  db.exec('CREATE TABLE r (id INTEGER PRIMARY KEY, search_attributes TEXT NOT NULL)')
  const insert = db.prepare('INSERT INTO r (id, search_attributes) VALUES (?, ?)')
  rows.forEach((r, i) => insert.run(i, JSON.stringify(r)))
  const queries = [
    `Owner = 'billing-team'`,
    `Owner != 'billing-team'`,
    `Owner > '\uffff'`,
    `Owner <= 'c'`,
    `Owner IN ('\uffff', 'x')`,
    `Owner NOT IN ('\uffff', 'x')`,
    `Owner STARTS_WITH '😀'`,
    `Owner NOT STARTS_WITH '😀'`,
    'Priority BETWEEN -5 AND 3',
    'Priority NOT BETWEEN 0 AND 5',
    'Priority != 3',
    'Weight >= 0.5 AND Weight < 2.5',
    'Enabled = false',
    'Enabled != false',
    `Due < '2030-01-01T00:00:00Z'`,
    `Due IS NULL OR Due >= '2030-01-01T00:00:00Z'`,
    `Tags = 'eu'`,
    `Tags != 'eu'`,
    `Tags IN ('nightly', 'x')`,
    `Tags NOT IN ('nightly', 'x')`,
    'Tags IS NULL',
    `Notes = 'GRÜSSE'`,
    `Notes = 'grüße'`,
    `Notes != 'invoice'`,
    `Owner IS NOT NULL AND (Priority < 0 OR Tags = 'nightly')`,
  ]
  for (const q of queries) {
    const { where, params } = compileVisibilityQuery(q, types, 'list')
    const sql = `SELECT id FROM r WHERE ${where} ORDER BY id`
    const want = (db.prepare(sql).all(...params) as { id: number }[]).map((r) => r.id)
    const filter = compileFilter(q, types)
    const got = rows.flatMap((r, i) => (filter(new Map(Object.entries(r))) ? [i] : []))
    assert.deepEqual(got, want, q)
  }
  db.close()
})

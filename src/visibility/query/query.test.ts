import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Database from 'better-sqlite3'
import pg from 'pg'
import { migrate } from '../../persistence/sqlite/migrations.js'
import { newTestSchema, testPostgres } from '../../testing/test-postgres.js'
import type { SearchAttributeTypeName } from '../search-attributes.js'
import {
  compileVisibilityQuery,
  POSTGRES_TEXT_MATCH_FUNCTION_SQL,
  QueryError,
  TEXT_MATCH_FUNCTION,
  textMatches,
  type QueryDialect,
  type SqlParam,
} from './index.js'
import { tokenize } from './lexer.js'
import { parseQuery } from './parser.js'
import { durationNanos, rfc3339Millis } from './validate.js'

const custom = new Map<string, SearchAttributeTypeName>([
  ['Kw', 'Keyword'],
  ['Txt', 'Text'],
  ['Num', 'Int'],
  ['Dbl', 'Double'],
  ['Flag', 'Bool'],
  ['When', 'Datetime'],
  ['Tags', 'KeywordList'],
])

const compile = (q: string, purpose: 'list' | 'count' = 'list') =>
  compileVisibilityQuery(q, custom, purpose)

function problem(
  q: string,
  purpose: 'list' | 'count' = 'list',
): { problem: string; position: number } {
  try {
    compile(q, purpose)
  } catch (e: unknown) {
    assert.ok(e instanceof QueryError, `${q}: ${String(e)}`)
    return { problem: e.problem, position: e.position }
  }
  assert.fail(`${q} compiled`)
}

describe('lexer', () => {
  test('string literals: both quotes, doubled quotes and backslash escapes', () => {
    const strings = tokenize(`'it''s' "say ""hi""" 'a\\'b\\\\c\\n' '🌞'`)
      .filter((t) => t.kind === 'string')
      .map((t) => (t as { text: string }).text)
    assert.deepEqual(strings, [`it's`, 'say "hi"', `a'b\\c\n`, '🌞'])
  })

  test('numbers, operators and backquoted names', () => {
    const kinds = tokenize('`My Attr` >= -1.5e3 AND x<>.5').map((t) =>
      'text' in t ? `${t.kind}:${t.text}` : t.kind,
    )
    assert.deepEqual(kinds, [
      'quotedName:My Attr',
      'op:>=',
      'number:-1.5e3',
      'word:AND',
      'word:x',
      'op:<>',
      'number:.5',
      'end',
    ])
  })

  test('characters outside the language are refused where they are', () => {
    assert.deepEqual(problem(`WorkflowId = 'x'; DROP TABLE t`), {
      problem: "unexpected character ';'",
      position: 17,
    })
    assert.equal(problem(`WorkflowId = 'x' -- c`).problem, "unexpected character '-'")
    assert.equal(problem(`WorkflowId = 'x' /* c */`).problem, "unexpected character '/'")
    assert.deepEqual(problem(`WorkflowId = 'x`), {
      problem: 'unterminated string literal',
      position: 14,
    })
    // Positions count characters, so an emoji before the problem is one position.
    assert.equal(problem(`Kw = '🌞' ;`).position, 10)
  })
})

describe('parser', () => {
  test('AND binds tighter than OR; parentheses group', () => {
    const q = parseQuery('a = 1 OR b = 2 AND c = 3')
    assert.equal(q.where?.kind, 'or')
    const r = parseQuery('(a = 1 OR b = 2) AND c = 3')
    assert.equal(r.where?.kind, 'and')
  })

  test('every predicate form, keywords in any case', () => {
    const q = parseQuery(
      `a in (1, 'x') and b not in (true) and c between 1 and 2 and d NOT BETWEEN 1 AND 2 ` +
        `and e starts_with 'p' and f not starts_with 'q' and g is null and h IS NOT NULL ` +
        `order by a desc, b`,
    )
    const kinds: string[] = []
    const walk = (e: NonNullable<typeof q.where>): void => {
      if (e.kind === 'and' || e.kind === 'or') {
        walk(e.left)
        walk(e.right)
      } else kinds.push(`${e.kind}${'negated' in e && e.negated ? '!' : ''}`)
    }
    walk(q.where!)
    assert.deepEqual(kinds, [
      'in',
      'in!',
      'between',
      'between!',
      'startsWith',
      'startsWith!',
      'isNull',
      'isNull!',
    ])
    assert.deepEqual(
      q.orderBy.map((t) => [t.field.name, t.descending]),
      [
        ['a', true],
        ['b', false],
      ],
    )
  })

  test('syntax errors name what was expected and where', () => {
    assert.deepEqual(problem('WorkflowId'), {
      problem: 'expected an operator after WorkflowId, found the end of the query',
      position: 11,
    })
    assert.match(problem(`WorkflowId = 'a' WorkflowId = 'b'`).problem, /expected AND, OR/)
    assert.match(problem('(WorkflowId = 1').problem, /expected '\)'/)
    assert.match(problem('WorkflowId IN ()').problem, /expected a value/)
    assert.match(problem('Num BETWEEN 1').problem, /expected AND/)
    assert.match(problem('ORDER Num').problem, /expected BY after ORDER/)
    assert.match(problem('AND = 1').problem, /expected a search attribute name/)
    assert.match(problem('WorkflowId LIKE 1').problem, /expected an operator/)
  })
})

test('limits: conditions, nesting and values stay within what SQLite takes', () => {
  const many = (n: number) => Array.from({ length: n }, () => `Num = 1`).join(' OR ')
  assert.doesNotThrow(() => compile(many(500)))
  assert.match(problem(many(501)).problem, /more than 500 conditions/)
  assert.match(problem(`${'('.repeat(51)}Num = 1${')'.repeat(51)}`).problem, /nest deeper/)
  const values = (n: number) => `Num IN (${Array.from({ length: n }, (_, i) => i).join(', ')})`
  assert.doesNotThrow(() => compile(values(5000)))
  assert.match(problem(values(5001)).problem, /more than 5000 values/)
})

describe('validation', () => {
  test('unknown attributes and wrongly typed values', () => {
    assert.deepEqual(problem(`Nope = 'x'`), {
      problem: 'unknown search attribute Nope',
      position: 1,
    })
    assert.match(problem(`Num = 'abc'`).problem, /invalid value 'abc' for Int search attribute Num/)
    assert.match(problem('Num = 1.5').problem, /expected an integer/)
    assert.match(problem('Kw = 5').problem, /expected a string/)
    assert.match(problem(`When > 'yesterday'`).problem, /RFC 3339/)
    assert.match(problem(`ExecutionStatus = 'Sleeping'`).problem, /not a workflow execution status/)
    assert.match(problem(`ExecutionDuration > 'long'`).problem, /duration/)
  })

  test("operators each type does not take (Temporal's rules)", () => {
    for (const q of [
      `Txt STARTS_WITH 'a'`,
      `Txt > 'a'`,
      `Txt IN ('a')`,
      `Tags > 'a'`,
      `Tags STARTS_WITH 'a'`,
      `Flag > true`,
      `Num STARTS_WITH 'a'`,
      `ExecutionStatus > 'Running'`,
      `ExecutionStatus STARTS_WITH 'R'`,
    ]) {
      assert.match(problem(q).problem, /is not supported for/, q)
    }
  })

  test('ORDER BY refuses Text and KeywordList; GROUP BY only ExecutionStatus, only counting', () => {
    assert.match(problem('ORDER BY Txt').problem, /not sortable/)
    assert.match(problem('ORDER BY Tags').problem, /not sortable/)
    assert.match(problem('GROUP BY ExecutionStatus').problem, /only supported when counting/)
    assert.match(problem('GROUP BY WorkflowType', 'count').problem, /only ExecutionStatus/)
    assert.equal(compile('GROUP BY ExecutionStatus', 'count').groupByStatus, true)
    assert.equal(compile('ORDER BY StartTime', 'count').order, 'default')
  })

  test('time and duration values', () => {
    assert.equal(rfc3339Millis('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1))
    assert.equal(rfc3339Millis('2026-01-01T01:00:00.123456789+01:00'), Date.UTC(2026, 0, 1) + 123)
    assert.equal(rfc3339Millis('2026-01-01'), undefined)
    assert.equal(durationNanos('1h30m'), 5_400_000_000_000)
    assert.equal(durationNanos('250ms'), 250_000_000)
    assert.equal(durationNanos('2d'), 172_800_000_000_000)
    assert.equal(durationNanos('1x'), undefined)
  })
})

test('text match: every query word is a word of the text, case-insensitive', () => {
  assert.ok(textMatches('Order 7 for GREEN customer', 'green customer'))
  assert.ok(!textMatches('Order 7 for green customer', 'gree'))
  assert.ok(!textMatches('anything', '  '))
})

describe('SQL', () => {
  test('values and attribute names are parameters, never text', () => {
    const c = compile(`Kw = 'x'' OR 1=1 --' AND Num IN (1, 2) ORDER BY Kw DESC`)
    assert.equal(
      c.where,
      '(json_extract(search_attributes, ?) = ? AND json_extract(search_attributes, ?) IN (?, ?))',
    )
    assert.deepEqual(c.params, ['$."Kw"', "x' OR 1=1 --", '$."Num"', 1, 2])
    assert.deepEqual(c.order, {
      sql: 'json_extract(search_attributes, ?) DESC',
      params: ['$."Kw"'],
    })
  })

  test('PostgreSQL: attribute names are parameters, reads typed, booleans bound as such', () => {
    const c = compileVisibilityQuery(
      `Kw = 'x' AND Num IN (1, 2) AND Flag = true ORDER BY When DESC, Kw`,
      custom,
      'list',
      'postgres',
    )
    assert.equal(
      c.where,
      '((((search_attributes ->> ?) COLLATE "C") = ? AND ' +
        '((search_attributes ->> ?)::numeric) IN (?, ?)) AND ' +
        '((search_attributes ->> ?)::boolean) = ?)',
    )
    assert.deepEqual(c.params, ['Kw', 'x', 'Num', 1, 2, 'Flag', true])
    assert.deepEqual(c.order, {
      sql:
        '((search_attributes ->> ?)::numeric) DESC NULLS LAST, ' +
        '((search_attributes ->> ?) COLLATE "C") ASC NULLS FIRST',
      params: ['When', 'Kw'],
    })
  })

  test('system attributes are columns; statuses and durations in stored form', () => {
    const c = compile(`ExecutionStatus IN ('Running', 'timed_out') AND ExecutionDuration > '1s'`)
    assert.equal(c.where, '(status IN (?, ?) AND execution_duration > ?)')
    assert.deepEqual(c.params, [1, 7, 1_000_000_000])
  })

  /** Runs in namespace 'ns': workflow id (also the run id), status, close time, attributes. */
  const rows: [string, number, number | null, object][] = [
    ['a', 1, null, { Kw: 'red', Num: 1, Flag: true, Tags: ['x', 'y'], Txt: 'big red box' }],
    ['b', 2, 5000, { Kw: "it's", Num: 2, Flag: false, Tags: ['y'], When: 1000 }],
    // A single value where a list belongs (set before Tags was registered as a KeywordList)
    // reads as a list of one.
    ['c', 5, 6000, { Kw: '🌞 ✓', Dbl: 0.5, Tags: 'z', Txt: 'Grüße aus ÆON, 東京!' }],
  ]
  const insertSql = `INSERT INTO executions_visibility (namespace_id, run_id, workflow_id,
    workflow_type, task_queue, status, start_time, execution_time, close_time, execution_duration,
    history_length, history_size_bytes, state_transition_count, root_workflow_id, root_run_id,
    search_attributes) VALUES ('ns', ?, ?, 't', 'q', ?, 0, 0, ?, ?, 1, 1, 1, ?, ?, ?)`
  const insertParams = ([id, status, close, sa]: (typeof rows)[number]) =>
    [id, id, status, close, close && close * 1e6, id, id, JSON.stringify(sa)] as const

  /** A query's where and ORDER BY over the rows, and its parameters. */
  const select = (q: string, dialect: QueryDialect): { sql: string; params: SqlParam[] } => {
    const c = compileVisibilityQuery(q, custom, 'list', dialect)
    let sql = `SELECT workflow_id FROM executions_visibility WHERE namespace_id = 'ns'`
    if (c.where) sql += ` AND ${c.where}`
    if (c.order === 'default') return { sql, params: c.params }
    return {
      sql: `${sql} ORDER BY ${c.order.sql}, run_id`,
      params: [...c.params, ...c.order.params],
    }
  }

  /** Each query and the workflow ids it finds: in order with ORDER BY, else sorted. */
  const cases: [string, string[]][] = [
    [`Kw = 'it''s'`, ['b']],
    [`Kw = '🌞 ✓'`, ['c']],
    [`Kw != 'red'`, ['b', 'c']],
    [`Kw > 'j'`, ['a', 'c']],
    [`Kw STARTS_WITH 'it'`, ['b']],
    [`Kw NOT STARTS_WITH '🌞'`, ['a', 'b']],
    [`Num BETWEEN 1 AND 2`, ['a', 'b']],
    [`Num IN (2, 3)`, ['b']],
    [`Num IS NULL`, ['c']],
    [`Flag = true`, ['a']],
    [`Flag = 'false'`, ['b']],
    [`Flag != true`, ['b']],
    [`Tags = 'y'`, ['a', 'b']],
    [`Tags = 'z'`, ['c']],
    [`Tags != 'x'`, ['b', 'c']],
    [`Tags NOT IN ('x', 'z')`, ['b']],
    [`Txt = 'RED box'`, ['a']],
    [`Txt != 'red'`, ['c']],
    [`Txt = 'æon GRÜẞE'`, ['c']],
    [`Txt = '東京 aus'`, ['c']],
    [`Txt = 'box,'`, ['a']],
    [`Txt = ' ,'`, []],
    [`When = '1970-01-01T00:00:01Z'`, ['b']],
    [`Dbl < 1`, ['c']],
    [`CloseTime IS NULL OR ExecutionStatus = 'Terminated'`, ['a', 'c']],
    [`ExecutionDuration >= '5s'`, ['b', 'c']],
    [`WorkflowId = 'a'' OR ''1''=''1'`, []],
    [`WorkflowId = 'a\\' OR 1=1 OR WorkflowId = \\'a'`, []],
    // Runs without the attribute (NULL) sort below every value, in both databases.
    [`ORDER BY Num DESC`, ['b', 'a', 'c']],
    [`ORDER BY Kw`, ['b', 'a', 'c']],
    [`ORDER BY CloseTime`, ['a', 'b', 'c']],
    [`ORDER BY Flag DESC, When`, ['a', 'b', 'c']],
    [`Kw IS NOT NULL ORDER BY Dbl DESC`, ['c', 'a', 'b']],
  ]

  /** The cases against one database; `ids` runs a query and returns its workflow ids. */
  const runCases = (ids: (q: string) => string[] | Promise<string[]>): void => {
    for (const [q, want] of cases) {
      test(q, async () => {
        const got = await ids(q)
        assert.deepEqual(q.includes('ORDER BY') ? got : got.sort(), want)
      })
    }
    test('the largest queries allowed run', async () => {
      const ors = Array.from({ length: 500 }, (_, i) => `Num = ${i + 100}`).join(' OR ')
      assert.deepEqual(await ids(`${ors} OR Kw = 'red'`.replace(/^Num = 100 OR /, '')), ['a'])
      const list = Array.from({ length: 4999 }, (_, i) => i + 3).join(', ')
      assert.deepEqual(await ids(`Num IN (1, ${list})`), ['a'])
    })
    test('the table is still there', async () => {
      assert.equal((await ids('')).length, 3)
    })
  }

  describe('against SQLite', () => {
    const db = new Database(':memory:')
    migrate(db)
    db.function(TEXT_MATCH_FUNCTION, { deterministic: true }, (t: unknown, q: unknown) =>
      typeof t === 'string' && typeof q === 'string' ? Number(textMatches(t, q)) : null,
    )
    const insert = db.prepare(insertSql)
    for (const row of rows) insert.run(...insertParams(row))
    runCases((q) => {
      const { sql, params } = select(q, 'sqlite')
      return (db.prepare(sql).all(...params) as { workflow_id: string }[]).map((r) => r.workflow_id)
    })
  })

  describe('against PostgreSQL', () => {
    /** `?` placeholders as `$1, $2, ...`, as the PostgreSQL store numbers them. */
    const numbered = (sql: string, params: readonly unknown[]): string => {
      let n = 0
      const text = sql.replace(/\?/g, () => `$${++n}`)
      assert.equal(n, params.length, 'one ? per parameter')
      return text
    }
    let client: pg.Client | undefined
    const db = (): pg.Client => client ?? assert.fail('not connected')

    before(async () => {
      const { url } = await testPostgres()
      const schema = await newTestSchema('visibility_query')
      client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` })
      await client.connect()
      // The PostgreSQL store's table as its migration will have it: text in byte order.
      await client.query(`CREATE TABLE executions_visibility (
        namespace_id text COLLATE "C" NOT NULL, run_id text COLLATE "C" NOT NULL,
        workflow_id text COLLATE "C" NOT NULL, workflow_type text COLLATE "C" NOT NULL,
        task_queue text COLLATE "C" NOT NULL, status bigint NOT NULL,
        start_time bigint NOT NULL, execution_time bigint NOT NULL, close_time bigint,
        execution_duration bigint, history_length bigint NOT NULL,
        history_size_bytes bigint NOT NULL, state_transition_count bigint NOT NULL,
        parent_workflow_id text COLLATE "C", parent_run_id text COLLATE "C",
        root_workflow_id text COLLATE "C" NOT NULL, root_run_id text COLLATE "C" NOT NULL,
        search_attributes jsonb NOT NULL, PRIMARY KEY (namespace_id, run_id)
      )`)
      await client.query(POSTGRES_TEXT_MATCH_FUNCTION_SQL)
      for (const row of rows) {
        const params = insertParams(row)
        await client.query(numbered(insertSql, params), [...params])
      }
    })
    after(async () => {
      await client?.end()
    })

    runCases(async (q) => {
      const { sql, params } = select(q, 'postgres')
      const result = await db().query<{ workflow_id: string }>(numbered(sql, params), params)
      return result.rows.map((r) => r.workflow_id)
    })

    test(`${TEXT_MATCH_FUNCTION} agrees with textMatches`, async () => {
      assert.ok(!POSTGRES_TEXT_MATCH_FUNCTION_SQL.includes('?'), 'a ? would be numbered')
      const pairs: [string, string][] = [
        ['Order 7 for GREEN customer', 'green customer'],
        ['Order 7 for green customer', 'gree'],
        ['Order 7 for green customer', '7 ORDER'],
        ['anything', '  '],
        ['', 'x'],
        ['a-b_c.d', 'b c'],
        ['a-b_c.d', 'b_c'],
        ['ÉCOLE Ça Ñandú', 'école ça ñandú'],
        ['ΟΔΥΣΣΕΑΣ Москва', 'οδυσσεας москва'],
        ['ΟΔΥΣΣΕΑΣ', 'οδυσσεασ'],
        ['İSTANBUL', 'i̇stanbul'],
        ['رقم ١٢٣', '١٢٣'],
        ['東京タワー 서울', '서울'],
        ['🌞sun🌞moon', 'moon sun'],
        ['x1y2', 'x1y2'],
        ['x1y2', 'x1'],
      ]
      const { rows: got } = await db().query<{ m: boolean }>(
        `SELECT ${TEXT_MATCH_FUNCTION}(t, q) AS m FROM unnest($1::text[], $2::text[]) AS p(t, q)`,
        [pairs.map(([t]) => t), pairs.map(([, q]) => q)],
      )
      assert.deepEqual(
        got.map((r) => r.m),
        pairs.map(([t, q]) => textMatches(t, q)),
      )
      const { rows: nulls } = await db().query<{ m: boolean | null }>(
        `SELECT ${TEXT_MATCH_FUNCTION}(NULL, 'x') AS m`,
      )
      assert.equal(nulls[0]?.m, null)
    })
  })
})

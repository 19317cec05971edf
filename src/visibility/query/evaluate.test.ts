import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidArgumentError } from '../../common/errors.js'
import type { SearchAttributeTypeName } from '../search-attributes.js'
import { compileFilter } from './evaluate.js'

const types = new Map<string, SearchAttributeTypeName>([
  ['Paused', 'Bool'],
  ['Owner', 'Keyword'],
  ['Tags', 'KeywordList'],
  ['Priority', 'Int'],
  ['Due', 'Datetime'],
  ['Notes', 'Text'],
])
const row = new Map<string, unknown>([
  ['Paused', true],
  ['Owner', 'billing-team'],
  ['Tags', ['nightly', 'eu']],
  ['Priority', 3],
  ['Due', Date.UTC(2030, 0, 1)],
  ['Notes', 'runs the monthly invoice report'],
])
const matches = (query: string) => compileFilter(query, types)(row)

test('comparisons, AND/OR and parentheses over each type', () => {
  assert.equal(matches(''), true)
  assert.equal(matches('Paused = true'), true)
  assert.equal(matches(`Owner = 'billing-team' AND Priority > 2`), true)
  assert.equal(matches(`Owner != 'billing-team' OR (Priority <= 3 AND Priority >= 3)`), true)
  assert.equal(matches(`Due < '2030-01-01T00:00:01Z'`), true)
  assert.equal(matches(`Tags = 'eu'`), true)
  assert.equal(matches(`Notes = 'invoice'`), true)
  assert.equal(matches(`Notes = 'payroll'`), false)
})

test('IN, BETWEEN, STARTS_WITH and their negations', () => {
  assert.equal(matches(`Owner IN ('ops', 'billing-team')`), true)
  assert.equal(matches(`Owner NOT IN ('ops', 'billing-team')`), false)
  assert.equal(matches('Priority BETWEEN 1 AND 3'), true)
  assert.equal(matches('Priority NOT BETWEEN 1 AND 3'), false)
  assert.equal(matches(`Owner STARTS_WITH 'bill'`), true)
  assert.equal(matches(`Owner NOT STARTS_WITH 'bill'`), false)
})

test('a missing attribute is NULL: only IS NULL holds for it', () => {
  const empty = compileFilter(`Owner = 'x' OR Owner != 'x'`, types)(new Map())
  assert.equal(empty, false)
  assert.equal(compileFilter('Owner IS NULL', types)(new Map()), true)
  assert.equal(matches('Owner IS NOT NULL'), true)
})

test('unknown attributes, bad syntax, system columns and ORDER BY are InvalidArgument', () => {
  for (const q of [
    'Nope = 1',
    'Owner = ',
    `WorkflowId = 'x'`,
    'ORDER BY Owner',
    `Priority = 'x'`,
  ]) {
    assert.throws(() => compileFilter(q, types), InvalidArgumentError, q)
  }
  assert.throws(() => compileFilter(`WorkflowId = 'x'`, types), /cannot filter on "WorkflowId"/)
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { QueryResultType } from '../common/proto.js'
import { QueryRegistry } from './query-registry.js'

const run = { namespaceId: 'ns', workflowId: 'wf', runId: 'r1' }
const other = { ...run, runId: 'r2' }
const answered = { resultType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED, answer: {} }

test('a buffered query rides on the next task and is answered by its completion', async () => {
  const reg = new QueryRegistry()
  const q = reg.buffer(run, { queryType: 'state' })
  assert.deepEqual(reg.buffered(run), { [q.id]: { queryType: 'state' } })
  assert.deepEqual(reg.buffered(other), {})
  reg.complete(run, { [q.id]: answered, unknown: answered }, false)
  assert.deepEqual(await q.completion, { type: 'answered', result: answered })
  q.remove()
  assert.equal(reg.count(run), 0)
})

test('unanswered queries stay buffered while another task follows, else they are unblocked', async () => {
  const reg = new QueryRegistry(2)
  const a = reg.buffer(run, { queryType: 'a' })
  const b = reg.buffer(run, { queryType: 'b' })
  reg.complete(run, { [a.id]: answered }, true)
  assert.equal((await a.completion).type, 'answered')
  assert.deepEqual(Object.keys(reg.buffered(run)), [b.id])
  reg.complete(run, {}, false)
  assert.deepEqual(await b.completion, { type: 'unblocked' })
  assert.equal(reg.count(run), 0)
})

test('a caller that gives up removes its query', () => {
  const reg = new QueryRegistry()
  const q = reg.buffer(run, { queryType: 'state' })
  assert.equal(reg.count(run), 1)
  q.remove()
  assert.equal(reg.count(run), 0)
  assert.deepEqual(reg.buffered(run), {})
})

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TimerHeap } from './timer-heap.js'

test('pops timers in (fireTime, taskId) order', () => {
  const heap = new TimerHeap()
  const input = [5, 3, 9, 1, 3, 7, 2, 8, 0, 6].map((fireTime, i) => ({
    fireTime,
    taskId: 100 - i,
    namespaceId: 'n',
    workflowId: 'w',
    runId: 'r',
    data: '{}',
  }))
  for (const t of input) heap.push(t)
  const out: [number, number][] = []
  while (heap.size > 0) {
    const t = heap.pop()!
    out.push([t.fireTime, t.taskId])
  }
  const expected = input
    .map((t) => [t.fireTime, t.taskId] as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  assert.deepEqual(out, expected)
})

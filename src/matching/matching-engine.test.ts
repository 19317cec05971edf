import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { pino } from 'pino'
import type { Cancel, Clock } from '../common/clock.js'
import { DeadlineExceededError, StickyWorkerUnavailableError } from '../common/errors.js'
import { QueryResultType } from '../common/proto.js'
import { SqliteStore } from '../persistence/sqlite/sqlite-store.js'
import { QueueKind, type QueueTask } from '../persistence/store.js'
import { MatchingEngine, type PollRequest } from './matching-engine.js'
import { stickyPollerUnavailableWindowMs } from './sticky.js'

/** A clock that moves only when told; scheduled callbacks run as it passes them. */
class ManualClock implements Clock {
  private t = 1_000_000
  private readonly timers = new Set<{ at: number; fn: () => void }>()
  now(): number {
    return this.t
  }
  schedule(atMs: number, fn: () => void): Cancel {
    const timer = { at: atMs, fn }
    this.timers.add(timer)
    return () => this.timers.delete(timer)
  }
  advance(ms: number): void {
    this.t += ms
    for (const timer of [...this.timers]) {
      if (timer.at <= this.t) {
        this.timers.delete(timer)
        timer.fn()
      }
    }
  }
}

const store = SqliteStore.open({})
after(() => store.close())

function setup() {
  const clock = new ManualClock()
  const matching = new MatchingEngine({
    store,
    clock,
    logger: pino({ level: 'silent' }),
    longPollMs: 60_000,
  })
  return { clock, matching }
}

let nextTaskId = 1
function task(taskQueue: string, stickyNormalName?: string): QueueTask {
  return {
    namespaceId: 'ns',
    taskQueue,
    kind: QueueKind.Workflow,
    taskId: nextTaskId++,
    workflowId: 'wf',
    runId: 'run',
    scheduledEventId: 2,
    createdTime: 0,
    expiryTime: 0,
    stickyNormalName,
  }
}

/** A poll that reports what it took (`query:<type>` for query tasks). */
function poll(
  matching: MatchingEngine,
  taskQueue: string,
  signal = new AbortController().signal,
): Promise<string | undefined> {
  const req: PollRequest<string> = {
    namespaceId: 'ns',
    taskQueue,
    kind: QueueKind.Workflow,
    identity: 'worker',
    signal,
    start: (t) => Promise.resolve(`task:${t.taskQueue}:${t.taskId}`),
    startQuery: (q) => Promise.resolve(`query:${q.query.queryType}:${q.queryTaskId}`),
  }
  return matching.poll(req)
}

test('a sticky task goes to the sticky queue while its worker polls, else to the normal queue', async () => {
  const { clock, matching } = setup()
  const stop = new AbortController()
  const waiting = poll(matching, 'sticky', stop.signal)
  const t1 = task('sticky', 'normal')
  matching.addTasks([t1])
  assert.equal(await waiting, `task:sticky:${t1.taskId}`)

  // Polled recently but not now: still available, the task waits in the sticky backlog.
  const t2 = task('sticky', 'normal')
  matching.addTasks([t2])
  assert.equal(matching.backlogSize('ns', 'sticky', QueueKind.Workflow), 1)

  clock.advance(stickyPollerUnavailableWindowMs + 1)
  assert.equal(matching.stickyWorkerAvailable('ns', 'sticky'), false)
  const t3 = task('sticky', 'normal')
  matching.addTasks([t3])
  assert.equal(matching.backlogSize('ns', 'normal', QueueKind.Workflow), 1)
  // The row keeps its sticky name: it is the key that deletes it.
  assert.equal(await poll(matching, 'normal'), `task:sticky:${t3.taskId}`)
})

test('unloading a sticky queue ends its polls and sends its tasks and queries elsewhere', async () => {
  const { matching } = setup()
  const first = poll(matching, 'sticky')
  matching.unloadStickyQueue('ns', 'sticky')
  assert.equal(await first, undefined)

  const stop = new AbortController()
  const second = poll(matching, 'sticky', stop.signal)
  stop.abort()
  await second
  const t = task('sticky', 'normal')
  matching.addTasks([t])
  const query = matching.queryWorkflow({
    namespaceId: 'ns',
    taskQueue: 'sticky',
    sticky: true,
    workflowId: 'wf',
    runId: 'run',
    query: { queryType: 'state' },
    signal: new AbortController().signal,
  })
  matching.unloadStickyQueue('ns', 'sticky')
  await assert.rejects(query, StickyWorkerUnavailableError)
  assert.equal(await poll(matching, 'normal'), `task:sticky:${t.taskId}`)
})

test('a query task reaches a poll, and the answer reaches the caller', async () => {
  const { matching } = setup()
  await assert.rejects(
    matching.queryWorkflow({
      namespaceId: 'ns',
      taskQueue: 'gone',
      sticky: true,
      workflowId: 'wf',
      runId: 'run',
      query: { queryType: 'state' },
      signal: new AbortController().signal,
    }),
    StickyWorkerUnavailableError,
  )
  const answer = matching.queryWorkflow({
    namespaceId: 'ns',
    taskQueue: 'normal',
    sticky: false,
    workflowId: 'wf',
    runId: 'run',
    query: { queryType: 'state' },
    signal: new AbortController().signal,
  })
  const taken = await poll(matching, 'normal')
  const [, type, id] = taken!.split(':')
  assert.equal(type, 'state')
  const result = { completedType: QueryResultType.QUERY_RESULT_TYPE_ANSWERED, queryResult: {} }
  matching.respondQueryTaskCompleted(id!, result)
  assert.deepEqual(await answer, result)
  assert.throws(() => matching.respondQueryTaskCompleted(id!, result), /already expired/)
})

test('a query nobody takes in time is withdrawn', async () => {
  const { clock, matching } = setup()
  const timeout = new AbortController()
  const answer = matching.queryWorkflow({
    namespaceId: 'ns',
    taskQueue: 'normal',
    sticky: false,
    workflowId: 'wf',
    runId: 'run',
    query: { queryType: 'state' },
    signal: timeout.signal,
  })
  timeout.abort()
  await assert.rejects(answer, DeadlineExceededError)
  const stop = new AbortController()
  const later = poll(matching, 'normal', stop.signal)
  clock.advance(60_000)
  assert.equal(await later, undefined)
})

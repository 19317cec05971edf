/** Contract cases for the JobStore: the internal worker's schedules and batch jobs. */
import assert from 'node:assert/strict'
import { ConditionFailedError, ShardOwnershipLostError } from '../errors.js'
import type { JobRecord, ShardFence, Store } from '../store.js'
import type { ContractTest } from './fixtures.js'

function job(jobId: string, over: Partial<JobRecord> = {}): JobRecord {
  return {
    namespaceId: 'ns-1',
    kind: 'schedule',
    jobId,
    version: 1,
    wakeTime: 0,
    data: JSON.stringify({ jobId }),
    ...over,
  }
}

async function fence(store: Store): Promise<ShardFence> {
  const { rangeId } = await store.cluster.acquireShard({ shardId: 1 })
  return { shardId: 1, rangeId }
}

export function jobCases(it: ContractTest): void {
  it('createJob, getJob, updateJob by version and deleteJob', async (store) => {
    const f = await fence(store)
    const a = job('nightly', { wakeTime: 1_700_000_000_000 })
    await store.jobs.createJob({ ...f, job: a })
    assert.deepEqual(await store.jobs.getJob(a), { job: a })
    await assert.rejects(store.jobs.createJob({ ...f, job: a }), ConditionFailedError)

    const b = { ...a, version: 2, wakeTime: 0, data: '{"paused":true}' }
    await store.jobs.updateJob({ ...f, job: b, expectedVersion: 1 })
    assert.deepEqual(await store.jobs.getJob(a), { job: b })
    await assert.rejects(
      store.jobs.updateJob({ ...f, job: { ...b, version: 3 }, expectedVersion: 1 }),
      ConditionFailedError,
    )
    await store.jobs.deleteJob({ ...f, ...a })
    assert.deepEqual(await store.jobs.getJob(a), { job: undefined })
    await store.jobs.deleteJob({ ...f, ...a })
    await assert.rejects(
      store.jobs.updateJob({ ...f, job: b, expectedVersion: 2 }),
      ConditionFailedError,
    )
  })

  it('job writes at a range id the shard has moved past fail with ShardOwnershipLostError', async (store) => {
    const stale = await fence(store)
    await store.jobs.createJob({ ...stale, job: job('a') })
    await fence(store)
    const lost = ShardOwnershipLostError
    await assert.rejects(store.jobs.createJob({ ...stale, job: job('b') }), lost)
    await assert.rejects(
      store.jobs.updateJob({ ...stale, job: job('a', { version: 2 }), expectedVersion: 1 }),
      lost,
    )
    await assert.rejects(store.jobs.deleteJob({ ...stale, ...job('a') }), lost)
    assert.equal((await store.jobs.getJob(job('a'))).job?.version, 1)
    assert.equal((await store.jobs.getJob(job('b'))).job, undefined)
  })

  it('listJobs pages one namespace and kind in id order', async (store) => {
    const f = await fence(store)
    for (const id of ['c', 'a', 'b', 'd']) await store.jobs.createJob({ ...f, job: job(id) })
    await store.jobs.createJob({ ...f, job: job('x', { kind: 'batch' }) })
    await store.jobs.createJob({ ...f, job: job('y', { namespaceId: 'ns-2' }) })
    const ids: string[][] = []
    let pageToken: Uint8Array | undefined
    do {
      const page = await store.jobs.listJobs({
        namespaceId: 'ns-1',
        kind: 'schedule',
        pageSize: 3,
        pageToken,
      })
      ids.push(page.jobs.map((j) => j.jobId))
      pageToken = page.nextPageToken.length > 0 ? page.nextPageToken : undefined
    } while (pageToken)
    assert.deepEqual(ids, [['a', 'b', 'c'], ['d']])
  })

  it('listWakingJobs returns only jobs with a wake time, in key order, paged', async (store) => {
    const f = await fence(store)
    await store.jobs.createJob({ ...f, job: job('idle') })
    await store.jobs.createJob({ ...f, job: job('s1', { wakeTime: 5 }) })
    await store.jobs.createJob({ ...f, job: job('b1', { kind: 'batch', wakeTime: 9 }) })
    await store.jobs.createJob({ ...f, job: job('s0', { namespaceId: 'ns-0', wakeTime: 7 }) })
    const first = await store.jobs.listWakingJobs({ limit: 2 })
    assert.deepEqual(
      first.jobs.map((j) => [j.namespaceId, j.kind, j.jobId, j.wakeTime]),
      [
        ['ns-0', 'schedule', 's0', 7],
        ['ns-1', 'batch', 'b1', 9],
      ],
    )
    const rest = await store.jobs.listWakingJobs({ after: first.jobs[1], limit: 2 })
    assert.deepEqual(
      rest.jobs.map((j) => j.jobId),
      ['s1'],
    )
  })
}

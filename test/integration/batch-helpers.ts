/**
 * Helpers of the batch operation tests: idle workflows to aim at, batch RPCs through the SDK's
 * raw WorkflowService, and counts of what each run's history shows.
 */
import assert from 'node:assert/strict'
import type { Client, Connection } from '@temporalio/client'
import { api, type temporal } from '../../src/common/proto.js'
import { eventually } from './harness.js'

export const BatchState = api.enums.v1.BatchOperationState
export type DescribeBatch = temporal.api.workflowservice.v1.DescribeBatchOperationResponse

/**
 * Starts `n` workflows `${prefix}-0` ... on a task queue no worker polls, so they stay open at
 * the cost of one row each. Returns their run ids, in id order.
 */
export async function startIdle(client: Client, prefix: string, n: number): Promise<string[]> {
  const runIds: string[] = []
  for (let i = 0; i < n; i += 100) {
    const group = Array.from({ length: Math.min(100, n - i) }, (_, j) =>
      client.workflow.start('waitsLong', {
        taskQueue: `${prefix}-idle`,
        workflowId: `${prefix}-${i + j}`,
      }),
    )
    for (const handle of await Promise.all(group)) runIds.push(handle.firstExecutionRunId)
  }
  return runIds
}

export function describeBatch(
  connection: Connection,
  namespace: string,
  jobId: string,
): Promise<DescribeBatch> {
  return connection.workflowService.describeBatchOperation({ namespace, jobId })
}

/** Waits for the job to leave RUNNING and returns its final description. */
export async function batchDone(
  connection: Connection,
  namespace: string,
  jobId: string,
  timeoutMs = 30_000,
): Promise<DescribeBatch> {
  return eventually(async () => {
    const d = await describeBatch(connection, namespace, jobId)
    assert.notEqual(d.state, BatchState.BATCH_OPERATION_STATE_RUNNING, 'still running')
    return d
  }, timeoutMs)
}

/** The job's counts as numbers: [total, complete, failure]. */
export function counts(d: DescribeBatch): [number, number, number] {
  return [
    Number(d.totalOperationCount),
    Number(d.completeOperationCount),
    Number(d.failureOperationCount),
  ]
}

/** How many events of the run's history satisfy `pick`. */
export async function countEvents(
  client: Client,
  workflowId: string,
  runId: string,
  pick: (e: temporal.api.history.v1.IHistoryEvent) => unknown,
): Promise<number> {
  const { events } = await client.workflow.getHandle(workflowId, runId).fetchHistory()
  return (events ?? []).filter((e) => pick(e)).length
}

/** CountWorkflowExecutions of `query` in the client's namespace. */
export async function countRuns(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count
}

/** The gRPC code and message a call failed with. */
export async function rejection(
  call: Promise<unknown>,
): Promise<{ code: number; details: string }> {
  try {
    await call
  } catch (e: unknown) {
    const err = e as { code?: number; details?: string; message?: string }
    return { code: err.code ?? -1, details: err.details ?? err.message ?? '' }
  }
  assert.fail('the call succeeded')
}

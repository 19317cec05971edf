/**
 * Visibility latency: list and count answers with at least 10,000 closed workflows in the
 * namespace (the runs the drivers completed, topped up with started-then-terminated ones).
 */
import { performance } from 'node:perf_hooks'
import { WorkflowService } from './raw-driver.js'
import { summarize, type LatencySummary } from './report.js'

export interface VisibilityResult {
  closedWorkflows: number
  /** First page of the default order, 100 and 1,000 rows. */
  list100: LatencySummary
  list1000: LatencySummary
  /** A filtered list: one workflow type, closed, newest first. */
  filtered: LatencySummary
  count: LatencySummary
  countGroupBy: LatencySummary
}

const MIN_CLOSED = 10_000
const SAMPLES = 30

export async function measureVisibility(address: string, runId: string): Promise<VisibilityResult> {
  const service = new WorkflowService(address)
  try {
    const count = async (query: string): Promise<number> => {
      const res = await service.call<{ count?: number | { toNumber(): number } }>(
        'CountWorkflowExecutions',
        { namespace: 'default', query },
      )
      return Number(res.count ?? 0)
    }
    let closed = await count(`ExecutionStatus != 'Running'`)
    if (closed < MIN_CLOSED) {
      await topUp(service, MIN_CLOSED - closed, runId)
      closed = await count(`ExecutionStatus != 'Running'`)
    }
    const time = async (method: string, request: object): Promise<LatencySummary> => {
      const ms: number[] = []
      for (let i = 0; i < SAMPLES; i++) {
        const t0 = performance.now()
        await service.call(method, request)
        ms.push(performance.now() - t0)
      }
      return summarize(ms)
    }
    return {
      closedWorkflows: closed,
      list100: await time('ListWorkflowExecutions', { namespace: 'default', pageSize: 100 }),
      list1000: await time('ListWorkflowExecutions', { namespace: 'default', pageSize: 1000 }),
      filtered: await time('ListWorkflowExecutions', {
        namespace: 'default',
        pageSize: 100,
        query: `WorkflowType = 'bench-topup' AND ExecutionStatus = 'Terminated'`,
      }),
      count: await time('CountWorkflowExecutions', { namespace: 'default', query: '' }),
      countGroupBy: await time('CountWorkflowExecutions', {
        namespace: 'default',
        query: 'GROUP BY ExecutionStatus',
      }),
    }
  } finally {
    service.close()
  }
}

/** Starts and terminates `n` workflows, 50 at a time. */
async function topUp(service: WorkflowService, n: number, runId: string): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < n) {
      const workflowId = `bench-topup-${runId}-${next++}`
      await service.call('StartWorkflowExecution', {
        namespace: 'default',
        workflowId,
        workflowType: { name: 'bench-topup' },
        taskQueue: { name: 'bench-topup' },
        requestId: workflowId,
      })
      await service.call('TerminateWorkflowExecution', {
        namespace: 'default',
        workflowExecution: { workflowId },
        reason: 'bench',
      })
    }
  }
  await Promise.all(Array.from({ length: 50 }, lane))
}

/**
 * The batch operation calls of the WorkflowService, on their
 * `/api/v1/namespaces/{ns}/batch-operations` HTTP bindings. A job runs on the server; these
 * start it, follow it and stop it.
 */
import { apiGet, apiPost, IDENTITY, seg } from './client.js'
import type {
  DescribeBatchOperationResponse,
  ListBatchOperationsResponse,
  PayloadsJson,
  WorkflowExecution,
} from './types.js'

/** What a job does to each workflow. */
export type BatchOperation =
  | { kind: 'terminate' }
  | { kind: 'cancel' }
  | { kind: 'signal'; signal: string; input: PayloadsJson }

/** The workflows a job acts on: these runs, or every workflow a visibility query matches. */
export type BatchTarget = { executions: WorkflowExecution[] } | { visibilityQuery: string }

const jobs = (namespace: string) => `/namespaces/${seg(namespace)}/batch-operations`

function operationField(op: BatchOperation): Record<string, object> {
  switch (op.kind) {
    case 'terminate':
      return { terminationOperation: { identity: IDENTITY } }
    case 'cancel':
      return { cancellationOperation: { identity: IDENTITY } }
    case 'signal':
      return { signalOperation: { signal: op.signal, input: op.input, identity: IDENTITY } }
  }
}

export function startBatchOperation(
  namespace: string,
  req: {
    jobId: string
    reason: string
    target: BatchTarget
    operation: BatchOperation
    /** Left out (the server's default) when undefined. */
    maxOperationsPerSecond?: number
  },
) {
  return apiPost<object>(`${jobs(namespace)}/${seg(req.jobId)}`, {
    jobId: req.jobId,
    reason: req.reason,
    ...req.target,
    ...operationField(req.operation),
    maxOperationsPerSecond: req.maxOperationsPerSecond,
  })
}

export function listBatchOperations(
  namespace: string,
  req: { pageSize: number; nextPageToken?: string },
  signal?: AbortSignal,
) {
  return apiGet<ListBatchOperationsResponse>(jobs(namespace), req, signal)
}

export function describeBatchOperation(namespace: string, jobId: string, signal?: AbortSignal) {
  return apiGet<DescribeBatchOperationResponse>(`${jobs(namespace)}/${seg(jobId)}`, {}, signal)
}

export function stopBatchOperation(namespace: string, jobId: string, reason: string) {
  return apiPost<object>(`${jobs(namespace)}/${seg(jobId)}/stop`, {
    jobId,
    reason,
    identity: IDENTITY,
  })
}

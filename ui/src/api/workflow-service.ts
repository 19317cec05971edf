/**
 * The WorkflowService calls the UI makes, on their `/api/v1/namespaces/{namespace}/...` HTTP
 * bindings (from the `google.api.http` annotations in Temporal's protos). Path parameters are in
 * the path; the rest goes in the query string (dotted names for nested fields) or, for POSTs,
 * in the JSON body, which the server merges with the path parameters.
 */
import { apiGet, apiPost, IDENTITY, randomId, seg } from './client.js'
import type {
  CountWorkflowExecutionsResponse,
  DescribeTaskQueueResponse,
  DescribeWorkflowExecutionResponse,
  GetWorkflowExecutionHistoryResponse,
  ListNamespacesResponse,
  ListWorkflowExecutionsResponse,
  QueryWorkflowResponse,
  UpdateWorkflowExecutionResponse,
  WorkflowExecution,
} from './types.js'

const wf = (namespace: string, workflowId: string) =>
  `/namespaces/${seg(namespace)}/workflows/${seg(workflowId)}`

export function listNamespaces(nextPageToken?: string, signal?: AbortSignal) {
  return apiGet<ListNamespacesResponse>('/namespaces', { pageSize: 100, nextPageToken }, signal)
}

export function listWorkflows(
  namespace: string,
  req: { query: string; pageSize: number; nextPageToken?: string },
  signal?: AbortSignal,
) {
  return apiGet<ListWorkflowExecutionsResponse>(
    `/namespaces/${seg(namespace)}/workflows`,
    req,
    signal,
  )
}

export function countWorkflows(namespace: string, query: string, signal?: AbortSignal) {
  return apiGet<CountWorkflowExecutionsResponse>(
    `/namespaces/${seg(namespace)}/workflow-count`,
    { query },
    signal,
  )
}

export function describeWorkflow(namespace: string, execution: WorkflowExecution) {
  return apiGet<DescribeWorkflowExecutionResponse>(wf(namespace, execution.workflowId ?? ''), {
    'execution.runId': execution.runId,
  })
}

export function getHistory(
  namespace: string,
  execution: WorkflowExecution,
  opts: { nextPageToken?: string; closeEventOnly?: boolean } = {},
) {
  return apiGet<GetWorkflowExecutionHistoryResponse>(
    `${wf(namespace, execution.workflowId ?? '')}/history`,
    {
      'execution.runId': execution.runId,
      nextPageToken: opts.nextPageToken,
      historyEventFilterType: opts.closeEventOnly
        ? 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT'
        : undefined,
    },
  )
}

export function signalWorkflow(
  namespace: string,
  execution: WorkflowExecution,
  signalName: string,
  input: unknown[],
) {
  return apiPost<object>(`${wf(namespace, execution.workflowId ?? '')}/signal/${seg(signalName)}`, {
    workflowExecution: execution,
    signalName,
    input,
    identity: IDENTITY,
    requestId: randomId(),
  })
}

export function terminateWorkflow(namespace: string, execution: WorkflowExecution, reason: string) {
  return apiPost<object>(`${wf(namespace, execution.workflowId ?? '')}/terminate`, {
    workflowExecution: execution,
    reason,
    identity: IDENTITY,
  })
}

export function cancelWorkflow(namespace: string, execution: WorkflowExecution, reason: string) {
  return apiPost<object>(`${wf(namespace, execution.workflowId ?? '')}/cancel`, {
    workflowExecution: execution,
    reason,
    identity: IDENTITY,
    requestId: randomId(),
  })
}

/** Resets to the end of the workflow task whose last event is `workflowTaskFinishEventId`. */
export function resetWorkflow(
  namespace: string,
  execution: WorkflowExecution,
  workflowTaskFinishEventId: string,
  reason: string,
) {
  return apiPost<{ runId?: string }>(`${wf(namespace, execution.workflowId ?? '')}/reset`, {
    workflowExecution: execution,
    workflowTaskFinishEventId,
    reason,
    identity: IDENTITY,
    requestId: randomId(),
  })
}

/** Sends an update and waits for its outcome (the server answers when it completes). */
export function updateWorkflow(
  namespace: string,
  execution: WorkflowExecution,
  name: string,
  args: unknown[],
) {
  return apiPost<UpdateWorkflowExecutionResponse>(
    `${wf(namespace, execution.workflowId ?? '')}/update/${seg(name)}`,
    {
      workflowExecution: execution,
      waitPolicy: { lifecycleStage: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED' },
      request: { meta: { updateId: randomId(), identity: IDENTITY }, input: { name, args } },
    },
  )
}

export function queryWorkflow(
  namespace: string,
  execution: WorkflowExecution,
  queryType: string,
  args: unknown[],
) {
  return apiPost<QueryWorkflowResponse>(
    `${wf(namespace, execution.workflowId ?? '')}/query/${seg(queryType)}`,
    { execution, query: { queryType, queryArgs: args } },
  )
}

export type TaskQueueType = 'TASK_QUEUE_TYPE_WORKFLOW' | 'TASK_QUEUE_TYPE_ACTIVITY'

export function describeTaskQueue(namespace: string, taskQueue: string, type: TaskQueueType) {
  return apiGet<DescribeTaskQueueResponse>(
    `/namespaces/${seg(namespace)}/task-queues/${seg(taskQueue)}`,
    { taskQueueType: type },
  )
}

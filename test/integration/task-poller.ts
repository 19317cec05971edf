/**
 * A raw gRPC worker for command-level cases the SDK never produces (bad commands, failed or
 * abandoned workflow tasks). Speaks WorkflowService directly through the client's connection.
 */
import assert from 'node:assert/strict'
import type { Connection } from '@temporalio/client'
import type { temporal } from '@temporalio/proto'

type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse
type Command = temporal.api.command.v1.ICommand

export class TaskPoller {
  constructor(
    private readonly connection: Connection,
    readonly taskQueue: string,
    readonly namespace = 'default',
  ) {}

  async startWorkflow(
    workflowId: string,
    extra: Partial<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest> = {},
  ): Promise<string> {
    const res = await this.connection.workflowService.startWorkflowExecution({
      namespace: this.namespace,
      workflowId,
      workflowType: { name: 'raw' },
      taskQueue: { name: this.taskQueue },
      requestId: `${workflowId}-start`,
      ...extra,
    })
    return res.runId
  }

  /** Polls once (the normal queue unless told); fails the test if no task comes. */
  async pollWorkflowTask(taskQueue?: temporal.api.taskqueue.v1.ITaskQueue): Promise<PollResponse> {
    const res = await this.poll(taskQueue)
    assert.ok(res.taskToken?.length, 'expected a workflow task')
    return res
  }

  /** Polls once; the response is empty when the long poll ends without a task. */
  poll(taskQueue: temporal.api.taskqueue.v1.ITaskQueue = { name: this.taskQueue }) {
    return this.connection.workflowService.pollWorkflowTaskQueue({
      namespace: this.namespace,
      taskQueue,
      identity: 'raw-poller',
    })
  }

  complete(
    task: PollResponse,
    commands: Command[],
    extra: Partial<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest> = {},
  ) {
    return this.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: this.namespace,
      taskToken: task.taskToken,
      commands,
      identity: 'raw-poller',
      ...extra,
    })
  }

  fail(task: PollResponse, message: string) {
    return this.connection.workflowService.respondWorkflowTaskFailed({
      namespace: this.namespace,
      taskToken: task.taskToken,
      cause: 16, // WORKFLOW_WORKER_UNHANDLED_FAILURE
      failure: { message },
      identity: 'raw-poller',
    })
  }

  async history(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
    const res = await this.connection.workflowService.getWorkflowExecutionHistory({
      namespace: this.namespace,
      execution: { workflowId },
    })
    return res.history?.events ?? []
  }
}

export function eventTypes(events: temporal.api.history.v1.IHistoryEvent[]): number[] {
  return events.map((e) => e.eventType ?? 0)
}

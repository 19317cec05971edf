/**
 * `sundial workflow signal | query | stack | update execute | cancel | terminate | reset |
 * delete`: one request to one execution each (reset first reads the history to find its event).
 * With `-q` instead of `-w`, signal, cancel, terminate, reset and delete start a batch job over
 * the workflows the filter matches (batch-start.ts).
 */
import { randomUUID } from 'node:crypto'
import { EventType, QueryRejectCondition, api, long, toNumber } from '../../common/proto.js'
import { CliError } from '../client/cli-error.js'
import { confirm } from '../client/confirm.js'
import { historyEvents } from '../client/history.js'
import { failureText, inputValues, payloadsText } from '../client/payloads.js'
import { card } from '../client/render.js'
import type { ClientSession } from '../client/session.js'
import { batchMode, single, startBatch, type OrBatch } from './batch-start.js'
import { execution, statusWord, type WorkflowRefFlags } from './workflow-view.js'

/** A command that sends arguments: `--input` values and `--input-file` contents. */
export interface InputFlags extends WorkflowRefFlags {
  input: unknown[]
  inputFile: string[]
}

/** `--name` of the signal, query or update, and its inputs. */
export interface NamedInputFlags extends InputFlags {
  name: string
}

/** Query flags: `--reject-condition` as Temporal spells it. */
export interface QueryFlags extends NamedInputFlags {
  rejectCondition?: 'not_open' | 'not_completed_cleanly'
}

/** `update execute` flags; the update id defaults to a new UUID. */
export interface UpdateFlags extends NamedInputFlags {
  updateId?: string
  firstExecutionRunId?: string
}

/** `cancel` and `terminate`: the reason recorded with the request. */
export interface ReasonFlags extends WorkflowRefFlags {
  reason?: string
}

/** `reset`: one of `--event-id` and `--type`, and the reason. */
export interface ResetFlags extends WorkflowRefFlags {
  eventId?: number
  type?: 'FirstWorkflowTask' | 'LastWorkflowTask' | 'LastContinuedAsNew'
  reason: string
}

/** `delete`: `-y` skips the confirmation. */
export interface DeleteFlags extends WorkflowRefFlags {
  yes?: boolean
}

/** Reads `--input-file` before connecting. */
export function prepareInput(flags: InputFlags): void {
  flags.input = inputValues(flags.input, flags.inputFile)
}

/** Checks `-w` or `-q` and reads `--input-file` before connecting. */
export function prepareSignal(flags: OrBatch<NamedInputFlags>): void {
  batchMode(flags)
  prepareInput(flags as InputFlags)
}

/** SignalWorkflowExecution with `--name` and the inputs; with `-q`, a batch job sending it. */
export async function signal(s: ClientSession, batch: OrBatch<NamedInputFlags>): Promise<void> {
  if (batch.query) {
    return startBatch(s, batch, {
      signalOperation: {
        signal: batch.name,
        input: { payloads: s.toPayloads(batch.input) },
        identity: s.identity,
      },
    })
  }
  const flags = single(batch)
  const response = await s.call(`signaling workflow ${flags.workflowId}`, () =>
    s.workflowService.signalWorkflowExecution({
      namespace: s.namespace,
      workflowExecution: execution(flags),
      signalName: flags.name,
      input: { payloads: s.toPayloads(flags.input) },
      identity: s.identity,
      requestId: randomUUID(),
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.SignalWorkflowExecutionResponse', response)
  s.out.text('Signal workflow succeeded')
}

const REJECT_CONDITIONS = {
  not_open: QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_OPEN,
  not_completed_cleanly: QueryRejectCondition.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY,
}

async function queryWorkflow(s: ClientSession, flags: QueryFlags) {
  const response = await s.call(`querying workflow ${flags.workflowId}`, () =>
    s.workflowService.queryWorkflow({
      namespace: s.namespace,
      execution: execution(flags),
      query: { queryType: flags.name, queryArgs: { payloads: s.toPayloads(flags.input) } },
      queryRejectCondition: flags.rejectCondition
        ? REJECT_CONDITIONS[flags.rejectCondition]
        : undefined,
    }),
  )
  if (response.queryRejected) {
    throw new CliError(
      `query was rejected: workflow ${flags.workflowId} is ` +
        statusWord(response.queryRejected.status),
    )
  }
  s.out.message('temporal.api.workflowservice.v1.QueryWorkflowResponse', response)
  return response
}

/** QueryWorkflow with `--name` and the inputs; a rejected query fails the command. */
export async function query(s: ClientSession, flags: QueryFlags): Promise<void> {
  const response = await queryWorkflow(s, flags)
  s.out.text(['Query result:', ...card([['QueryResult', payloadsText(response.queryResult)]])])
}

/** The `__stack_trace` query, which the SDKs answer with the workflow's pending call stacks. */
export async function stack(s: ClientSession, flags: QueryFlags): Promise<void> {
  const response = await queryWorkflow(s, {
    ...flags,
    name: '__stack_trace',
    input: [],
    inputFile: [],
  })
  const trace = response.queryResult?.payloads?.[0]
  s.out.text(trace?.data ? (JSON.parse(Buffer.from(trace.data).toString()) as string) : '')
}

/** UpdateWorkflowExecution, waiting for the outcome; a failed update fails the command. */
export async function updateExecute(s: ClientSession, flags: UpdateFlags): Promise<void> {
  const updateId = flags.updateId ?? randomUUID()
  const completed = {
    lifecycleStage:
      api.enums.v1.UpdateWorkflowExecutionLifecycleStage
        .UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
  }
  const what = `updating workflow ${flags.workflowId}`
  const response = await s.call(what, () =>
    s.workflowService.updateWorkflowExecution({
      namespace: s.namespace,
      workflowExecution: execution(flags),
      firstExecutionRunId: flags.firstExecutionRunId,
      waitPolicy: completed,
      request: {
        meta: { updateId, identity: s.identity },
        input: { name: flags.name, args: { payloads: s.toPayloads(flags.input) } },
      },
    }),
  )
  let outcome = response.outcome
  // The server answers before completion when its own wait ends first: poll until there is one.
  while (!outcome) {
    const polled = await s.call(what, () =>
      s.workflowService.pollWorkflowExecutionUpdate({
        namespace: s.namespace,
        updateRef: response.updateRef,
        identity: s.identity,
        waitPolicy: completed,
      }),
    )
    outcome = polled.outcome
  }
  if (outcome.failure) {
    throw new CliError(`update ${flags.name} (${updateId}) failed: ${failureText(outcome.failure)}`)
  }
  s.out.message('temporal.api.workflowservice.v1.UpdateWorkflowExecutionResponse', {
    ...response,
    outcome,
  })
  s.out.text(
    card([
      ['UpdateName', flags.name],
      ['UpdateId', updateId],
      ['Result', payloadsText(outcome.success)],
    ]),
  )
}

/** Checks `-w` or `-q` before connecting; cancel and terminate take a reason with either. */
export function prepareCancelOrTerminate(flags: OrBatch<ReasonFlags>): void {
  batchMode(flags, { reason: true })
}

/** RequestCancelWorkflowExecution; with `-q`, a batch job requesting it. */
export async function cancel(s: ClientSession, batch: OrBatch<ReasonFlags>): Promise<void> {
  if (batch.query) {
    return startBatch(s, batch, { cancellationOperation: { identity: s.identity } })
  }
  const flags = single(batch)
  const response = await s.call(`canceling workflow ${flags.workflowId}`, () =>
    s.workflowService.requestCancelWorkflowExecution({
      namespace: s.namespace,
      workflowExecution: execution(flags),
      identity: s.identity,
      requestId: randomUUID(),
      reason: flags.reason,
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.RequestCancelWorkflowExecutionResponse', response)
  s.out.text('Cancellation requested')
}

/** TerminateWorkflowExecution; with `-q`, a batch job terminating the matches. */
export async function terminate(s: ClientSession, batch: OrBatch<ReasonFlags>): Promise<void> {
  if (batch.query) {
    return startBatch(s, batch, { terminationOperation: { identity: s.identity } })
  }
  const flags = single(batch)
  const response = await s.call(`terminating workflow ${flags.workflowId}`, () =>
    s.workflowService.terminateWorkflowExecution({
      namespace: s.namespace,
      workflowExecution: execution(flags),
      reason: flags.reason ?? `terminated by ${s.identity}`,
      identity: s.identity,
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.TerminateWorkflowExecutionResponse', response)
  s.out.text('Workflow terminated')
}

/**
 * Reset needs exactly one way to name its point; a batch reset names it by type, the first or
 * last workflow task of each workflow (Temporal's batch reset also has BuildId).
 */
export function prepareReset(flags: OrBatch<ResetFlags>): void {
  if (batchMode(flags, { reason: true }) === 'batch') {
    if (flags.eventId !== undefined) throw new CliError('cannot set event ID when query is set')
    if (flags.type !== 'FirstWorkflowTask' && flags.type !== 'LastWorkflowTask') {
      throw new CliError('a batch reset needs -t/--type FirstWorkflowTask or LastWorkflowTask')
    }
  } else if ((flags.eventId === undefined) === (flags.type === undefined)) {
    throw new CliError('reset needs exactly one of -e/--event-id and -t/--type')
  }
}

/**
 * ResetWorkflowExecution at `--event-id` or at the point `--type` names; with `-q`, a batch job
 * resetting each match to its first or last workflow task.
 */
export async function reset(s: ClientSession, batch: OrBatch<ResetFlags>): Promise<void> {
  if (batch.query) {
    const first = batch.type === 'FirstWorkflowTask'
    return startBatch(s, batch, {
      resetOperation: {
        identity: s.identity,
        options: first ? { firstWorkflowTask: {} } : { lastWorkflowTask: {} },
        // The field older servers read.
        resetType: first
          ? api.enums.v1.ResetType.RESET_TYPE_FIRST_WORKFLOW_TASK
          : api.enums.v1.ResetType.RESET_TYPE_LAST_WORKFLOW_TASK,
      },
    })
  }
  const flags = single(batch)
  const point =
    flags.eventId !== undefined
      ? { runId: flags.runId, eventId: flags.eventId }
      : await resetPoint(s, flags, flags.type!)
  const response = await s.call(`resetting workflow ${flags.workflowId}`, () =>
    s.workflowService.resetWorkflowExecution({
      namespace: s.namespace,
      workflowExecution: { workflowId: flags.workflowId, runId: point.runId },
      reason: flags.reason,
      workflowTaskFinishEventId: long(point.eventId),
      requestId: randomUUID(),
      identity: s.identity,
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.ResetWorkflowExecutionResponse', response)
  s.out.text([
    'Reset workflow succeeded:',
    ...card([
      ['WorkflowId', flags.workflowId],
      ['ResetEventId', String(point.eventId)],
      ['RunId', response.runId],
    ]),
  ])
}

/**
 * The workflow task a reset type names (Temporal CLI's `commands.workflow_reset.go`): the first
 * or last WorkflowTaskCompleted of the run, or the event after a scheduled task that never
 * completed; LastContinuedAsNew takes the last completed task of the run this one continued.
 */
async function resetPoint(
  s: ClientSession,
  flags: ResetFlags,
  type: NonNullable<ResetFlags['type']>,
): Promise<{ runId?: string; eventId: number }> {
  let runId = flags.runId
  if (type === 'LastContinuedAsNew') {
    const first = await historyEvents(s, execution(flags), false).next()
    const started = first.done ? undefined : first.value.workflowExecutionStartedEventAttributes
    runId = started?.continuedExecutionRunId || undefined
    if (!runId) {
      throw new CliError(`workflow ${flags.workflowId} did not continue another run`)
    }
  }
  let completed: number | undefined
  let afterScheduled: number | undefined
  for await (const event of historyEvents(s, { workflowId: flags.workflowId, runId }, false)) {
    const id = toNumber(event.eventId)
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
      completed = id
      if (type === 'FirstWorkflowTask') break
    } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) {
      if (type !== 'FirstWorkflowTask' || afterScheduled === undefined) afterScheduled = id + 1
    }
  }
  const eventId = completed ?? afterScheduled
  if (eventId === undefined) {
    throw new CliError(`workflow ${flags.workflowId} has no workflow task to reset to`)
  }
  return { runId, eventId }
}

/**
 * Asks before deleting one workflow (or refuses without a terminal), unless `-y`; a batch job
 * asks once it has counted its matches.
 */
export async function prepareDelete(flags: OrBatch<DeleteFlags>): Promise<void> {
  if (batchMode(flags, { yes: true }) === 'single') {
    await confirm(`Delete workflow ${flags.workflowId}`, flags.yes)
  }
}

/** DeleteWorkflowExecution; with `-q`, a batch job deleting the matches. */
export async function deleteWorkflow(s: ClientSession, batch: OrBatch<DeleteFlags>): Promise<void> {
  if (batch.query) {
    return startBatch(s, batch, { deletionOperation: { identity: s.identity } })
  }
  const flags = single(batch)
  const response = await s.call(`deleting workflow ${flags.workflowId}`, () =>
    s.workflowService.deleteWorkflowExecution({
      namespace: s.namespace,
      workflowExecution: execution(flags),
    }),
  )
  s.out.message('temporal.api.workflowservice.v1.DeleteWorkflowExecutionResponse', response)
  s.out.text('Delete workflow succeeded')
}

/**
 * `sundial workflow start | execute | signal-with-start`: StartWorkflowExecution and
 * SignalWithStartWorkflowExecution from Temporal's start flags; `execute` then streams the run's
 * events as `show --follow` does and prints its result.
 */
import { randomUUID } from 'node:crypto'
import { Option, type Command } from 'commander'
import {
  TaskQueueKind,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type pb,
} from '../../common/proto.js'
import { collect } from '../options.js'
import { CliError } from '../client/cli-error.js'
import { formatDuration } from '../../common/time.js'
import { optionalDuration } from '../client/options.js'
import {
  closeStatus,
  eventTypeWord,
  failurePhrase,
  historyEvents,
  resultFields,
  resultJson,
  waitForCloseEvent,
} from '../client/history.js'
import {
  collectJson,
  collectKeyJson,
  parseDurationArg,
  type ClientFlags,
} from '../client/options.js'
import { enumValue, inputValues } from '../client/payloads.js'
import { card, fixedColumns, formatTime } from '../client/render.js'
import type { ClientSession } from '../client/session.js'

/**
 * Temporal's option set `shared-workflow-start`: the workflow a start command or a schedule's
 * action starts.
 */
export interface WorkflowFlags {
  workflowId?: string
  type: string
  taskQueue: string
  /** `--input` values, parsed; `--input-file` contents join them before connecting. */
  input: unknown[]
  inputFile: string[]
  executionTimeout?: number
  runTimeout?: number
  taskTimeout?: number
  searchAttribute: [string, unknown][]
  memo: [string, unknown][]
}

/** The flags of the three start commands (`shared-workflow-start` and `workflow-start`). */
export interface StartFlags extends ClientFlags, WorkflowFlags {
  idReusePolicy?: string
  idConflictPolicy?: string
  cron?: string
  startDelay?: number
}

/** The start flags plus the signal to send. */
export interface SignalWithStartFlags extends StartFlags {
  signalName: string
  signalInput: unknown[]
  signalInputFile: string[]
}

/**
 * Adds the `shared-workflow-start` flags to `cmd`; `of` names whose workflow the help speaks of
 * (a schedule's: each run appends its time to the workflow id).
 */
export function withWorkflowOptions(cmd: Command, of: 'start' | 'schedule' = 'start'): Command {
  const ofEachRun = of === 'schedule' ? " of each run's workflow" : ''
  return cmd
    .option(
      '-w, --workflow-id <id>',
      of === 'schedule'
        ? 'workflow id; each run appends its time (default: a UUID)'
        : 'workflow id (default: a new UUID)',
    )
    .requiredOption('--type <name>', 'workflow type')
    .requiredOption('-t, --task-queue <name>', 'task queue')
    .option('-i, --input <json>', 'an input argument as JSON (repeatable)', collectJson, [])
    .option(
      '--input-file <path>',
      'a file holding an input argument as JSON (repeatable)',
      collect,
      [],
    )
    .option('--execution-timeout <duration>', 'limit for the whole execution', parseDurationArg)
    .option('--run-timeout <duration>', 'limit for one run', parseDurationArg)
    .option(
      '--task-timeout <duration>',
      'limit for one workflow task (server default 10s)',
      parseDurationArg,
    )
    .option(
      '--search-attribute <KEY=JSON>',
      `search attribute${ofEachRun} (repeatable)`,
      collectKeyJson,
      [],
    )
    .option('--memo <KEY=JSON>', `memo field${ofEachRun} (repeatable)`, collectKeyJson, [])
}

/** Adds the start flags to `cmd`. */
export function withStartOptions(cmd: Command): Command {
  return withWorkflowOptions(cmd)
    .addOption(
      new Option('--id-reuse-policy <policy>', 'may a closed workflow id be started again').choices(
        ['AllowDuplicate', 'AllowDuplicateFailedOnly', 'RejectDuplicate', 'TerminateIfRunning'],
      ),
    )
    .addOption(
      new Option('--id-conflict-policy <policy>', 'what if the workflow id is running').choices([
        'Fail',
        'UseExisting',
        'TerminateExisting',
      ]),
    )
    .option('--cron <schedule>', 'cron schedule (deprecated in Temporal in favour of schedules)')
    .option(
      '--start-delay <duration>',
      'wait this long before the first workflow task',
      parseDurationArg,
    )
}

/** Reads `--input-file` before connecting, so that a bad file fails fast. */
export function prepareStart(flags: StartFlags): void {
  flags.input = inputValues(flags.input, flags.inputFile)
}

/** Checks the id and reads both input files before connecting. */
export function prepareSignalWithStart(flags: SignalWithStartFlags): void {
  // Temporal's CLI requires it too: without an id there is no running workflow to signal.
  if (!flags.workflowId) throw new CliError('signal-with-start needs -w/--workflow-id')
  prepareStart(flags)
  flags.signalInput = inputValues(flags.signalInput, flags.signalInputFile, {
    input: '--signal-input',
    file: '--signal-input-file',
  })
}

/** The fields StartWorkflowExecution and SignalWithStartWorkflowExecution share. */
/** `KEY=JSON` pairs as a payload map (memo fields, search attributes). */
export function payloadMap(
  s: ClientSession,
  pairs: [string, unknown][],
): Record<string, pb.Payload> {
  return Object.fromEntries(pairs.map(([k, v]) => [k, s.toPayloads([v])[0]!]))
}

/** The workflow the `shared-workflow-start` flags describe, as a start request or action has it. */
export function workflowFields(s: ClientSession, flags: WorkflowFlags) {
  return {
    workflowId: flags.workflowId ?? randomUUID(),
    workflowType: { name: flags.type },
    taskQueue: { name: flags.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    input: { payloads: s.toPayloads(flags.input) },
    workflowExecutionTimeout: optionalDuration(flags.executionTimeout),
    workflowRunTimeout: optionalDuration(flags.runTimeout),
    workflowTaskTimeout: optionalDuration(flags.taskTimeout),
    memo: flags.memo.length ? { fields: payloadMap(s, flags.memo) } : undefined,
    searchAttributes: flags.searchAttribute.length
      ? { indexedFields: payloadMap(s, flags.searchAttribute) }
      : undefined,
  }
}

function startFields(s: ClientSession, flags: StartFlags) {
  return {
    namespace: s.namespace,
    ...workflowFields(s, flags),
    identity: s.identity,
    requestId: randomUUID(),
    workflowIdReusePolicy: flags.idReusePolicy
      ? enumValue(WorkflowIdReusePolicy, 'WORKFLOW_ID_REUSE_POLICY_', flags.idReusePolicy)
      : undefined,
    workflowIdConflictPolicy: flags.idConflictPolicy
      ? enumValue(WorkflowIdConflictPolicy, 'WORKFLOW_ID_CONFLICT_POLICY_', flags.idConflictPolicy)
      : undefined,
    cronSchedule: flags.cron,
    workflowStartDelay: optionalDuration(flags.startDelay),
  }
}

async function startWorkflow(s: ClientSession, flags: StartFlags) {
  const request = startFields(s, flags)
  const response = await s.call(`starting workflow ${request.workflowId}`, () =>
    s.workflowService.startWorkflowExecution(request),
  )
  return { workflowId: request.workflowId, runId: response.runId }
}

/** Temporal's "Running execution" card, or its JSON object. */
function runningExecution(s: ClientSession, flags: StartFlags, workflowId: string, runId: string) {
  return {
    workflowId,
    runId,
    type: flags.type,
    namespace: s.namespace,
    taskQueue: flags.taskQueue,
  }
}

function printRunning(s: ClientSession, execution: ReturnType<typeof runningExecution>): void {
  s.out.text([
    'Running execution:',
    ...card([
      ['WorkflowId', execution.workflowId],
      ['RunId', execution.runId],
      ['Type', execution.type],
      ['Namespace', execution.namespace],
      ['TaskQueue', execution.taskQueue],
    ]),
  ])
}

/** StartWorkflowExecution; prints the running execution (WorkflowId, RunId, Type, ...). */
export async function start(s: ClientSession, flags: StartFlags): Promise<void> {
  const { workflowId, runId } = await startWorkflow(s, flags)
  const execution = runningExecution(s, flags, workflowId, runId)
  printRunning(s, execution)
  s.out.json(execution)
}

/** SignalWithStartWorkflowExecution; prints the execution signalled (and maybe started). */
export async function signalWithStart(
  s: ClientSession,
  flags: SignalWithStartFlags,
): Promise<void> {
  const request = {
    ...startFields(s, flags),
    signalName: flags.signalName,
    signalInput: { payloads: s.toPayloads(flags.signalInput) },
  }
  const response = await s.call(`signal-with-start of workflow ${request.workflowId}`, () =>
    s.workflowService.signalWithStartWorkflowExecution(request),
  )
  const execution = runningExecution(s, flags, request.workflowId, response.runId)
  printRunning(s, execution)
  s.out.json({ ...execution, started: response.started })
}

/** The event table `execute` prints while the run progresses. */
const progressRow = fixedColumns([6, 24])

/**
 * Starts the workflow, prints its events as they happen (text), then its result; a run that did
 * not complete makes the command fail.
 */
export async function execute(s: ClientSession, flags: StartFlags): Promise<void> {
  const began = Date.now()
  const { workflowId, runId } = await startWorkflow(s, flags)
  const execution = runningExecution(s, flags, workflowId, runId)
  printRunning(s, execution)
  if (s.out.isText) {
    s.out.text(['', 'Progress:', progressRow(['ID', 'Time', 'Type'])])
    // Follow the run, and the runs it continues as, to the end.
    for (let run: string | undefined = runId; run !== undefined;) {
      let next: string | undefined
      for await (const event of historyEvents(s, { workflowId, runId: run }, true)) {
        s.out.text(
          progressRow([String(event.eventId), formatTime(event.eventTime), eventTypeWord(event)]),
        )
        next = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined
      }
      run = next
    }
  }
  const close = await waitForCloseEvent(s, workflowId, runId)
  const took = Date.now() - began
  s.out.text([
    '',
    'Results:',
    ...card([['RunTime', formatDuration(took)], ...resultFields(close.event)]),
  ])
  s.out.json({
    ...execution,
    runId: close.runId ?? runId,
    durationMs: took,
    ...resultJson(s.out, close.event),
  })
  const phrase = failurePhrase(closeStatus(close.event))
  if (phrase) throw new CliError(`workflow ${workflowId} ${phrase}`)
}

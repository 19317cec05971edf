/**
 * Schedules (Temporal's ScheduleService): each schedule is a durable job row owned by the shard,
 * woken by JobWakeups at its next action time. A wake-up turns due spec times into starts under
 * the overlap policy, performs them through the server's own WorkflowService (so every start is
 * validated and recorded like a client's), and commits the new state with the next wake time.
 *
 * Crash safety: starts are made before the state that records them commits. A server that dies
 * in between recomputes the same starts from the same state after restart; their workflow ids
 * and request ids derive from the nominal time, so the start finds the run it already made
 * instead of making a second one. Every operation on one schedule runs under its own mutex.
 */
import { KeyedMutex } from '../../history/keyed-mutex.js'
import {
  ensureError,
  FailedPreconditionError,
  NotFoundError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
} from '../../common/errors.js'
import {
  api,
  long,
  WorkflowExecutionStatus,
  WorkflowIdReusePolicy,
  type pb,
  type temporal,
} from '../../common/proto.js'
import { msFromTimestamp, timestampFromMs } from '../../common/time.js'
import type { NamespaceEntry } from '../../frontend/namespace-registry.js'
import { ConditionFailedError } from '../../persistence/errors.js'
import type { JobKey, JobRecord } from '../../persistence/store.js'
import type { JobDeps } from '../job-deps.js'
import {
  addStart,
  collectBackfills,
  collectDueTimes,
  processBuffer,
  RECENT_ACTIONS_KEPT,
  scheduledActionsOff,
  scheduledWorkflowId,
  takeAction,
  type BufferDecision,
} from './schedule-processor.js'
import {
  decoded,
  decodeSchedule,
  encoded,
  encodeSchedule,
  OverlapPolicy,
  type BufferedStart,
  type Schedule,
  type ScheduleState,
} from './schedule-state.js'
import { RESYNC_MS, runOutcome, RunWatches } from './run-tracking.js'
import { compileSpec, type CompiledSpec } from './spec.js'

type DescribeScheduleResponse = temporal.api.workflowservice.v1.IDescribeScheduleResponse

/** How many future action times Describe reports (FutureActionCount). */
const FUTURE_ACTIONS = 10
/** Check running workflows at least this often while starts wait for them. */
const RUNNING_POLL_MS = 1000

/** A loaded schedule: its row, decoded state and schedule, and compiled spec. */
interface Loaded {
  record: JobRecord
  state: ScheduleState
  schedule: temporal.api.schedule.v1.Schedule
  spec: CompiledSpec
}

export class Schedules {
  readonly #deps: JobDeps
  readonly #mutex = new KeyedMutex()
  readonly #watches: RunWatches

  constructor(deps: JobDeps) {
    this.#deps = deps
    this.#watches = new RunWatches(deps.frontend, deps.logger, (key) => {
      this.wake(key).catch((e: unknown) => {
        if (e instanceof NotFoundError) return
        deps.logger.warn({ err: ensureError(e), scheduleId: key.jobId }, 'schedule wake failed')
      })
    })
  }

  /** Ends the watches on running workflows. */
  stop(): void {
    this.#watches.stop()
  }

  /** The jitter seed Temporal uses: `<namespaceId>-<scheduleId>`. */
  static compile(namespaceId: string, scheduleId: string, schedule: Schedule): CompiledSpec {
    return compileSpec(schedule.spec ?? {}, { jitterSeed: `${namespaceId}-${scheduleId}` })
  }

  /**
   * CreateSchedule. `schedule` is already validated, its spec canonical and its defaults filled
   * in. A retried request (same request id) succeeds again; another with the schedule's id gets
   * WorkflowExecutionAlreadyStarted, as Temporal answers.
   */
  async create(
    ns: NamespaceEntry,
    req: {
      scheduleId: string
      schedule: Schedule
      requestId: string
      memo?: pb.Memo | null
      searchAttributes?: pb.SearchAttributes | null
      initialPatch?: temporal.api.schedule.v1.ISchedulePatch | null
    },
  ): Promise<{ conflictToken: number }> {
    const key = jobKey(ns, req.scheduleId)
    return this.#mutex.run(keyString(key), async () => {
      const now = this.#deps.clock.now()
      const state: ScheduleState = {
        scheduleId: req.scheduleId,
        schedule: encodeSchedule(req.schedule),
        memo: encoded(api.common.v1.Memo, req.memo),
        searchAttributes: encoded(api.common.v1.SearchAttributes, req.searchAttributes),
        createRequestId: req.requestId,
        conflictToken: 1,
        createTime: now,
        lastProcessedTime: now,
        actionCount: 0,
        missedCatchupWindow: 0,
        overlapSkipped: 0,
        bufferDropped: 0,
        buffer: [],
        backfills: [],
        running: [],
        recentActions: [],
      }
      const spec = Schedules.compile(ns.id, req.scheduleId, req.schedule)
      const schedule = decodeSchedule(state)
      if (req.initialPatch) applyPatch(state, schedule, req.initialPatch, now)
      state.schedule = encodeSchedule(schedule)
      const record: JobRecord = {
        ...key,
        version: 1,
        wakeTime: wakeTime(state, schedule, spec, now),
        data: JSON.stringify(state),
      }
      try {
        await this.#deps.jobs.createJob({ ...this.#deps.fence(key), job: record })
      } catch (e: unknown) {
        if (!(e instanceof ConditionFailedError)) throw e
        const existing = await this.#deps.jobs.getJob(key)
        const found = existing.job && (JSON.parse(existing.job.data) as ScheduleState)
        if (found?.createRequestId === req.requestId) return { conflictToken: 1 }
        throw new WorkflowExecutionAlreadyStartedError(
          `schedule "${req.scheduleId}" is already registered`,
          '',
          '',
        )
      }
      this.#deps.wakeups.set(key, record.wakeTime)
      return { conflictToken: 1 }
    })
  }

  async describe(ns: NamespaceEntry, scheduleId: string): Promise<DescribeScheduleResponse> {
    const s = await this.#load(jobKey(ns, scheduleId))
    const now = this.#deps.clock.now()
    return {
      schedule: s.schedule,
      info: scheduleInfo(s, now, FUTURE_ACTIONS, RECENT_ACTIONS_KEPT),
      memo: decoded(api.common.v1.Memo, s.state.memo),
      searchAttributes: decoded(api.common.v1.SearchAttributes, s.state.searchAttributes),
      conflictToken: conflictTokenBytes(s.state.conflictToken),
    }
  }

  /**
   * UpdateSchedule: replaces spec, action, policies and state; the info is kept. A conflict
   * token that is not the schedule's current one is refused (as Temporal's CHASM scheduler
   * does; the workflow-backed one ignored the update silently).
   */
  async update(
    ns: NamespaceEntry,
    req: {
      scheduleId: string
      schedule: Schedule
      conflictToken?: Uint8Array | null
      searchAttributes?: pb.SearchAttributes | null
    },
  ): Promise<void> {
    await this.#change(jobKey(ns, req.scheduleId), (s, now) => {
      const token = req.conflictToken
      if (token && token.length >= 8 && conflictTokenNumber(token) !== s.state.conflictToken) {
        throw new FailedPreconditionError('mismatched conflict token')
      }
      s.schedule = api.schedule.v1.Schedule.decode(
        api.schedule.v1.Schedule.encode(req.schedule).finish(),
      )
      s.spec = Schedules.compile(ns.id, req.scheduleId, req.schedule)
      s.state.updateTime = now
      s.state.conflictToken++
      if (req.searchAttributes) {
        s.state.searchAttributes = encoded(api.common.v1.SearchAttributes, req.searchAttributes)
      }
    })
  }

  /** PatchSchedule: trigger, backfill, pause, unpause, applied in that order. */
  async patch(
    ns: NamespaceEntry,
    scheduleId: string,
    patch: temporal.api.schedule.v1.ISchedulePatch,
  ): Promise<void> {
    await this.#change(jobKey(ns, scheduleId), (s, now) =>
      applyPatch(s.state, s.schedule, patch, now),
    )
  }

  /** DeleteSchedule: the workflows it started are left alone. */
  async delete(ns: NamespaceEntry, scheduleId: string): Promise<void> {
    const key = jobKey(ns, scheduleId)
    await this.#mutex.run(keyString(key), async () => {
      await this.#load(key)
      await this.#deps.jobs.deleteJob({ ...this.#deps.fence(key), ...key })
      this.#deps.wakeups.set(key, 0)
      this.#watches.track(key, ns.name, [])
    })
  }

  /** One page of a namespace's schedules, in id order, as ListSchedules shows them. */
  async list(
    ns: NamespaceEntry,
    pageSize: number,
    pageToken: Uint8Array | undefined,
  ): Promise<{
    entries: temporal.api.schedule.v1.IScheduleListEntry[]
    nextPageToken: Uint8Array
  }> {
    const page = await this.#deps.jobs.listJobs({
      namespaceId: ns.id,
      kind: 'schedule',
      pageSize,
      pageToken,
    })
    const now = this.#deps.clock.now()
    const entries = page.jobs.map((record) => {
      const s = loaded(record)
      // ListSchedules keeps five recent and five future actions (Recent/FutureActionCountForList).
      const info = scheduleInfo(s, now, 5, 5)
      return {
        scheduleId: s.state.scheduleId,
        memo: decoded(api.common.v1.Memo, s.state.memo),
        searchAttributes: decoded(api.common.v1.SearchAttributes, s.state.searchAttributes),
        info: {
          spec: s.schedule.spec,
          workflowType: s.schedule.action?.startWorkflow?.workflowType,
          notes: s.schedule.state?.notes ?? '',
          paused: Boolean(s.schedule.state?.paused),
          recentActions: info.recentActions,
          futureActionTimes: info.futureActionTimes,
        },
      }
    })
    return { entries, nextPageToken: page.nextPageToken }
  }

  /** The schedule's compiled spec, for ListScheduleMatchingTimes. */
  async spec(ns: NamespaceEntry, scheduleId: string): Promise<CompiledSpec> {
    return (await this.#load(jobKey(ns, scheduleId))).spec
  }

  /** JobWakeups' call: the schedule's due work. */
  async wake(key: JobKey): Promise<void> {
    await this.#change(key, () => undefined)
  }

  /**
   * Loads the schedule, applies `change`, then runs its due work — due spec times, backfills,
   * the buffer — and commits, with the next wake time. Everything a schedule does goes through
   * here, one at a time per schedule.
   */
  async #change(key: JobKey, change: (s: Loaded, now: number) => void): Promise<void> {
    await this.#mutex.run(keyString(key), async () => {
      const s = await this.#load(key)
      const now = this.#deps.clock.now()
      change(s, now)
      const ns = await this.#deps.namespaces.getById(key.namespaceId)
      await this.#run(ns, s, now)
      const wake = wakeTime(s.state, s.schedule, s.spec, this.#deps.clock.now())
      s.state.schedule = encodeSchedule(s.schedule)
      const job = {
        ...s.record,
        version: s.record.version + 1,
        wakeTime: wake,
        data: JSON.stringify(s.state),
      }
      await this.#deps.jobs.updateJob({
        ...this.#deps.fence(key),
        job,
        expectedVersion: s.record.version,
      })
      this.#deps.wakeups.set(key, wake)
      this.#watches.track(key, ns.name, s.state.running)
    })
  }

  /** Due work of a loaded schedule: refresh running workflows, collect starts, act on them. */
  async #run(ns: NamespaceEntry, s: Loaded, now: number): Promise<void> {
    await this.#refreshRunning(ns, s)
    collectDueTimes(s.state, s.schedule, s.spec, now)
    collectBackfills(s.state, s.spec)
    if (s.state.buffer.length === 0) return
    const decision = processBuffer(s.state, s.schedule)
    await this.#act(ns, s, decision)
  }

  async #act(ns: NamespaceEntry, s: Loaded, d: BufferDecision): Promise<void> {
    if (d.cancelRunning || d.terminateRunning) {
      for (const run of s.state.running) {
        const execution = { workflowId: run.workflowId }
        const request = {
          namespace: ns.name,
          workflowExecution: execution,
          identity: identity(ns, s),
        }
        await ignoreNotFound(
          d.terminateRunning
            ? this.#deps.frontend.terminateWorkflowExecution({
                ...request,
                reason: 'terminated by schedule overlap policy',
              })
            : this.#deps.frontend.requestCancelWorkflowExecution({
                ...request,
                reason: 'cancelled by schedule overlap policy',
                requestId: `${run.runId}-overlap-cancel`,
              }),
        )
      }
    }
    if (d.nonOverlapping && takeAction(s.state, s.schedule, d.nonOverlapping.manual)) {
      const started = await this.#start(ns, s, d.nonOverlapping)
      if (started) s.state.running.push(started)
    }
    for (const start of d.overlapping) {
      if (takeAction(s.state, s.schedule, start.manual)) await this.#start(ns, s, start)
    }
  }

  /** Starts the action's workflow for one buffered start; undefined if the start failed. */
  async #start(
    ns: NamespaceEntry,
    s: Loaded,
    start: BufferedStart,
  ): Promise<{ workflowId: string; runId: string } | undefined> {
    const action = s.schedule.action?.startWorkflow
    if (!action) return undefined
    const workflowId = scheduledWorkflowId(s.schedule, start.nominal)
    const scheduleId = s.state.scheduleId
    try {
      const started = await this.#deps.frontend.startWorkflowExecution({
        namespace: ns.name,
        workflowId,
        workflowType: action.workflowType,
        taskQueue: action.taskQueue,
        input: action.input,
        workflowExecutionTimeout: action.workflowExecutionTimeout,
        workflowRunTimeout: action.workflowRunTimeout,
        workflowTaskTimeout: action.workflowTaskTimeout,
        retryPolicy: action.retryPolicy,
        memo: action.memo,
        header: action.header,
        userMetadata: action.userMetadata,
        priority: action.priority,
        lastCompletionResult: decoded(api.common.v1.Payloads, s.state.lastCompletionResult),
        continuedFailure: decoded(api.failure.v1.Failure, s.state.continuedFailure),
        identity: identity(ns, s),
        // From the start's own times, so a start repeated after a crash finds its first run.
        requestId: `${scheduleId}-${start.nominal}-${start.actual}-${start.manual ? 'm' : 's'}`,
        workflowIdReusePolicy: start.manual
          ? WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
          : WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
        searchAttributes: {
          indexedFields: {
            ...action.searchAttributes?.indexedFields,
            TemporalScheduledStartTime: attributePayload(
              new Date(Math.floor(start.nominal / 1000) * 1000).toISOString(),
              'Datetime',
            ),
            TemporalScheduledById: attributePayload(scheduleId, 'Keyword'),
          },
        },
      })
      const runId = started.runId ?? ''
      s.state.actionCount++
      s.state.recentActions.push({
        scheduleTime: start.actual,
        actualTime: this.#deps.clock.now(),
        workflowId,
        runId,
        status: WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
      })
      s.state.recentActions = s.state.recentActions.slice(-RECENT_ACTIONS_KEPT)
      return { workflowId, runId }
    } catch (e: unknown) {
      // As in Temporal, a start that fails (the id already used, say) is dropped, not retried.
      if (!(e instanceof ServiceError)) throw e
      this.#deps.logger.warn(
        { err: ensureError(e), scheduleId, workflowId },
        'schedule start failed',
      )
      return undefined
    }
  }

  /**
   * Drops closed workflows from the running list, recording their status and their result or
   * failure for the next start, and pauses a schedule whose policy says so when one failed or
   * timed out.
   */
  async #refreshRunning(ns: NamespaceEntry, s: Loaded): Promise<void> {
    const stillRunning: ScheduleState['running'] = []
    for (const run of s.state.running) {
      const outcome = await runOutcome(this.#deps.frontend, ns.name, run)
      if (outcome.running) {
        stillRunning.push(run)
        continue
      }
      const { status } = outcome
      const recent = s.state.recentActions.find((a) => a.runId === run.runId)
      if (recent) recent.status = status
      if (status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        s.state.lastCompletionResult = encoded(api.common.v1.Payloads, outcome.result)
        s.state.continuedFailure = undefined
      }
      const failed =
        status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED ||
        status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT
      if (failed) s.state.continuedFailure = encoded(api.failure.v1.Failure, outcome.failure)
      if (failed && s.schedule.policies?.pauseOnFailure && !s.schedule.state?.paused) {
        s.schedule.state ??= {}
        s.schedule.state.paused = true
        s.schedule.state.notes =
          status === WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED
            ? `paused due to workflow failure: ${run.workflowId}`
            : `paused due to workflow timeout: ${run.workflowId}`
        s.state.conflictToken++
      }
    }
    s.state.running = stillRunning
  }

  async #load(key: JobKey): Promise<Loaded> {
    const { job } = await this.#deps.jobs.getJob(key)
    if (!job) throw new NotFoundError('schedule not found')
    return loaded(job)
  }
}

function loaded(record: JobRecord): Loaded {
  const state = JSON.parse(record.data) as ScheduleState
  const schedule = decodeSchedule(state)
  return {
    record,
    state,
    schedule,
    spec: Schedules.compile(record.namespaceId, record.jobId, schedule),
  }
}

/** Trigger, backfill, pause, unpause (Temporal's processPatch order). */
function applyPatch(
  state: ScheduleState,
  schedule: temporal.api.schedule.v1.Schedule,
  patch: temporal.api.schedule.v1.ISchedulePatch,
  now: number,
): void {
  const trigger = patch.triggerImmediately
  if (trigger) {
    const at = trigger.scheduledTime ? msFromTimestamp(trigger.scheduledTime) : now
    addStart(state, {
      nominal: at,
      actual: at,
      overlapPolicy: trigger.overlapPolicy ?? 0,
      manual: true,
    })
  }
  for (const b of patch.backfillRequest ?? []) {
    state.backfills.push({
      // Inclusive start: spec times are produced strictly after `after`.
      after: msFromTimestamp(b.startTime) - 1,
      end: msFromTimestamp(b.endTime),
      overlapPolicy: b.overlapPolicy ?? OverlapPolicy.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED,
    })
  }
  if (patch.pause) setPaused(state, schedule, true, patch.pause)
  if (patch.unpause) setPaused(state, schedule, false, patch.unpause)
}

function setPaused(
  state: ScheduleState,
  schedule: temporal.api.schedule.v1.Schedule,
  paused: boolean,
  notes: string,
): void {
  schedule.state ??= {}
  schedule.state.paused = paused
  schedule.state.notes = notes
  state.conflictToken++
}

/**
 * When the schedule next needs to wake: its next spec time, or soon while starts or backfills
 * wait; 0 when only a request can give it work (paused with nothing buffered, or done).
 */
function wakeTime(
  state: ScheduleState,
  schedule: Schedule,
  spec: CompiledSpec,
  now: number,
): number {
  if (state.backfills.length > 0) return now + 1
  const waiting = state.buffer.length > 0 ? now + RUNNING_POLL_MS : Infinity
  const next = scheduledActionsOff(schedule)
    ? undefined
    : spec.getNextTime(Math.max(state.lastProcessedTime, now - 1))
  // Tracked runs are watched in memory; a wake-up now and then re-arms the watches (restart).
  const resync = state.running.length > 0 ? now + RESYNC_MS : Infinity
  const at = Math.min(waiting, resync, next?.next ?? Infinity)
  return at === Infinity ? 0 : at
}

function scheduleInfo(
  s: Loaded,
  now: number,
  futureCount: number,
  recentCount: number,
): temporal.api.schedule.v1.IScheduleInfo {
  const future: number[] = []
  if (!s.schedule.state?.limitedActions || Number(s.schedule.state.remainingActions ?? 0) > 0) {
    const cap = s.schedule.state?.limitedActions
      ? Math.min(futureCount, Number(s.schedule.state.remainingActions))
      : futureCount
    let t = Math.max(s.state.lastProcessedTime, s.state.updateTime ?? 0, now - 1)
    while (future.length < cap) {
      const next = s.spec.getNextTime(t)
      if (!next) break
      future.push(next.next)
      t = next.next
    }
  }
  return {
    actionCount: long(s.state.actionCount),
    missedCatchupWindow: long(s.state.missedCatchupWindow),
    overlapSkipped: long(s.state.overlapSkipped),
    bufferDropped: long(s.state.bufferDropped),
    bufferSize: long(s.state.buffer.length),
    runningWorkflows: s.state.running.map((r) => ({ workflowId: r.workflowId, runId: r.runId })),
    recentActions: s.state.recentActions.slice(-recentCount).map((a) => ({
      scheduleTime: timestampFromMs(a.scheduleTime),
      actualTime: timestampFromMs(a.actualTime),
      startWorkflowResult: { workflowId: a.workflowId, runId: a.runId },
      startWorkflowStatus: a.status,
    })),
    futureActionTimes: future.map(timestampFromMs),
    createTime: timestampFromMs(s.state.createTime),
    updateTime: s.state.updateTime === undefined ? undefined : timestampFromMs(s.state.updateTime),
  }
}

function jobKey(ns: NamespaceEntry, scheduleId: string): JobKey {
  return { namespaceId: ns.id, kind: 'schedule', jobId: scheduleId }
}

function keyString(key: JobKey): string {
  return `${key.namespaceId}/${key.jobId}`
}

function identity(ns: NamespaceEntry, s: Loaded): string {
  return `temporal-scheduler-${ns.name}-${s.state.scheduleId}`
}

/** The 8-byte big-endian conflict token of the wire. */
export function conflictTokenBytes(n: number): Uint8Array {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(BigInt(n))
  return b
}

function conflictTokenNumber(token: Uint8Array): number {
  return Number(Buffer.from(token.subarray(0, 8)).readBigInt64BE())
}

function attributePayload(value: string, type: string): pb.Payload {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) },
    data: Buffer.from(JSON.stringify(value)),
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p
  } catch (e: unknown) {
    if (!(e instanceof NotFoundError)) throw e
  }
}

/**
 * ScheduleService RPCs of the WorkflowService: validation with Temporal's messages
 * (workflow_handler.go CreateSchedule ... ListScheduleMatchingTimes), then the internal worker's
 * Schedules. Spec errors start with "Invalid schedule spec: ", which the TypeScript SDK turns
 * into a TypeError.
 */
import { InvalidArgumentError } from '../../common/errors.js'
import { api, long, type temporal } from '../../common/proto.js'
import { durationFromMs, msFromTimestamp, timestampFromMs } from '../../common/time.js'
import type { SearchAttributeRegistry } from '../../visibility/search-attribute-registry.js'
import { compileFilter } from '../../visibility/query/evaluate.js'
import type { SearchAttributeTypeName } from '../../visibility/search-attributes.js'
import { searchAttributeValuesJson, typeName } from '../../visibility/values.js'
import { catchupWindowMs } from '../../worker/schedules/schedule-processor.js'
import { OverlapPolicy, type Schedule } from '../../worker/schedules/schedule-state.js'
import { conflictTokenBytes, type Schedules } from '../../worker/schedules/schedules.js'
import { canonicalizeSpec, matchingTimes } from '../../worker/schedules/spec.js'
import { payloadMapSize, payloadsSize } from '../../common/proto-size.js'
import { errNamespaceNotSet } from '../errors.js'
import { frontendLimits, LimitChecks, withIdentityCheck, type FrontendLimits } from '../limits.js'
import type { NamespaceEntry, NamespaceRegistry } from '../namespace-registry.js'
import type { WorkflowServiceHandlers } from '../rpc-types.js'

export interface ScheduleHandlersDeps {
  schedules: Schedules
  namespaces: NamespaceRegistry
  searchAttributes: SearchAttributeRegistry
  /** Blob, search attribute and identity limits; Temporal's defaults without it. */
  limits?: FrontendLimits
}

const maxIdLength = 1000
/** `temporal-sys-scheduler:` is part of Temporal's limit on a schedule id. */
const maxScheduleIdLength = maxIdLength - 'temporal-sys-scheduler:'.length
/** The workflow id suffix `-2009-11-10T23:00:00Z`, counted against the action's workflow id. */
const workflowIdSuffixLength = 21
const maxNotesLength = 1000
/** Page size when none (or too many) is asked for (frontend.visibilityMaxPageSize). */
const defaultPageSize = 1000
const IndexedValueType = api.enums.v1.IndexedValueType

const errScheduleIdNotSet = new InvalidArgumentError('ScheduleId is not set on request.')
const errRequestIdNotSet = new InvalidArgumentError('RequestId is not set on request.')
const errNotesTooLong = new InvalidArgumentError('Schedule notes exceeds limit.')

export function createScheduleHandlers(deps: ScheduleHandlersDeps): WorkflowServiceHandlers {
  const { schedules } = deps
  const limits = deps.limits ?? frontendLimits({})
  const checks = new LimitChecks(limits)
  /** The schedule's own search attributes and those of the workflows it starts. */
  const checkSearchAttributes = (
    ns: NamespaceEntry,
    own: temporal.api.common.v1.ISearchAttributes | null | undefined,
    schedule: temporal.api.schedule.v1.ISchedule,
  ): void => {
    deps.searchAttributes.validate(ns.id, ns.name, own, limits.searchAttributes)
    const started = schedule.action?.startWorkflow?.searchAttributes
    deps.searchAttributes.validate(ns.id, ns.name, started, limits.searchAttributes)
  }
  /** validateSchedulePayloadSize: the memo and the action's input together, against the blob limit. */
  const checkPayloadSize = (
    ns: NamespaceEntry,
    scheduleId: string,
    schedule: Schedule,
    memo: temporal.api.common.v1.IMemo | null | undefined,
    operation: string,
  ): void => {
    const size = payloadMapSize(memo?.fields) + payloadsSize(schedule.action?.startWorkflow?.input)
    checks.blob(size, { namespace: ns.name, workflowId: scheduleId, operation })
  }
  const namespace = async (name: string | null | undefined): Promise<NamespaceEntry> => {
    if (!name) throw errNamespaceNotSet
    return deps.namespaces.getByName(name)
  }
  return withIdentityCheck(checks, {
    async createSchedule(req) {
      const ns = await namespace(req.namespace)
      const scheduleId = checkScheduleId(req.scheduleId)
      if (!req.requestId) throw errRequestIdNotSet
      if (req.requestId.length > maxIdLength) {
        throw new InvalidArgumentError('RequestId length exceeds limit.')
      }
      const schedule = checkSchedule(req.schedule ?? {})
      checkPatch(req.initialPatch)
      checkPayloadSize(ns, scheduleId, schedule, req.memo, 'CreateSchedule')
      checkSearchAttributes(ns, req.searchAttributes, schedule)
      const { conflictToken } = await schedules.create(ns, {
        scheduleId,
        schedule,
        requestId: req.requestId,
        memo: req.memo,
        searchAttributes: req.searchAttributes,
        initialPatch: req.initialPatch,
      })
      return { conflictToken: conflictTokenBytes(conflictToken) }
    },

    async describeSchedule(req) {
      const ns = await namespace(req.namespace)
      return schedules.describe(ns, checkScheduleId(req.scheduleId))
    },

    async updateSchedule(req) {
      const ns = await namespace(req.namespace)
      const scheduleId = checkScheduleId(req.scheduleId)
      if ((req.requestId?.length ?? 0) > maxIdLength) {
        throw new InvalidArgumentError('RequestId length exceeds limit.')
      }
      if (!req.schedule?.action?.startWorkflow) {
        throw new InvalidArgumentError('Only StartWorkflow action is supported for schedules')
      }
      const schedule = checkSchedule(req.schedule)
      checkPayloadSize(ns, scheduleId, schedule, undefined, 'UpdateSchedule')
      checkSearchAttributes(ns, req.searchAttributes, schedule)
      await schedules.update(ns, {
        scheduleId,
        schedule,
        conflictToken: req.conflictToken,
        searchAttributes: req.searchAttributes,
      })
      return {}
    },

    async patchSchedule(req) {
      const ns = await namespace(req.namespace)
      const scheduleId = checkScheduleId(req.scheduleId)
      if (!req.patch) throw new InvalidArgumentError('Patch is not set on request.')
      checkPatch(req.patch)
      await schedules.patch(ns, scheduleId, req.patch)
      return {}
    },

    async deleteSchedule(req) {
      const ns = await namespace(req.namespace)
      await schedules.delete(ns, checkScheduleId(req.scheduleId))
      return {}
    },

    async listScheduleMatchingTimes(req) {
      const ns = await namespace(req.namespace)
      const spec = await schedules.spec(ns, checkScheduleId(req.scheduleId))
      if (!req.startTime || !req.endTime) {
        throw new InvalidArgumentError('missing or invalid query')
      }
      const times = matchingTimes(
        spec,
        msFromTimestamp(req.startTime),
        msFromTimestamp(req.endTime),
      )
      return { startTime: times.map(timestampFromMs) }
    },

    async listSchedules(req) {
      const ns = await namespace(req.namespace)
      const size = req.maximumPageSize ?? 0
      const pageSize = size <= 0 || size > defaultPageSize ? defaultPageSize : size
      const matches = scheduleFilter(ns, req.query)
      // The filter runs over the rows, so a page is filled from as many rows as it takes.
      const entries: temporal.api.schedule.v1.IScheduleListEntry[] = []
      let token: Uint8Array | undefined = req.nextPageToken?.length ? req.nextPageToken : undefined
      do {
        const page = await schedules.list(ns, pageSize - entries.length, token)
        entries.push(...page.entries.filter(matches))
        token = page.nextPageToken.length > 0 ? page.nextPageToken : undefined
      } while (token && entries.length < pageSize)
      return { schedules: entries, nextPageToken: token ?? new Uint8Array(0) }
    },

    async countSchedules(req) {
      const ns = await namespace(req.namespace)
      const matches = scheduleFilter(ns, req.query)
      let count = 0
      let token: Uint8Array | undefined
      do {
        const page = await schedules.list(ns, defaultPageSize, token)
        count += page.entries.filter(matches).length
        token = page.nextPageToken.length > 0 ? page.nextPageToken : undefined
      } while (token)
      return { count: long(count) }
    },
  })

  /**
   * ListSchedules' `query`, over what Temporal lets it filter on: the schedule's custom search
   * attributes, `TemporalSchedulePaused` and `ScheduleId`.
   */
  function scheduleFilter(
    ns: NamespaceEntry,
    query: string | null | undefined,
  ): (entry: temporal.api.schedule.v1.IScheduleListEntry) => boolean {
    const attributes = new Map(deps.searchAttributes.types(ns.id))
    attributes.set('TemporalSchedulePaused', IndexedValueType.INDEXED_VALUE_TYPE_BOOL)
    attributes.set('ScheduleId', IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
    const typeNames = new Map(
      [...attributes].map(([name, type]) => [name, typeName(type) as SearchAttributeTypeName]),
    )
    const matches = compileFilter(query ?? '', typeNames)
    return (entry) => {
      const stored = searchAttributeValuesJson(entry.searchAttributes ?? undefined, attributes)
      const values = new Map(Object.entries(JSON.parse(stored) as Record<string, unknown>))
      values.set('TemporalSchedulePaused', Boolean(entry.info?.paused))
      values.set('ScheduleId', entry.scheduleId)
      return matches(values)
    }
  }
}

function checkScheduleId(id: string | null | undefined): string {
  if (!id) throw errScheduleIdNotSet
  if (id.length > maxScheduleIdLength) {
    throw new InvalidArgumentError(
      `WorkflowId exceeds maximum allowed length (${id.length + 23}/${maxIdLength})`,
    )
  }
  return id
}

/**
 * A schedule as it is stored: its spec canonical (cron strings and calendars compiled), its
 * action checked as a workflow start, and the policies' defaults written in, so that Describe
 * shows them (Temporal's ensureFields).
 */
function checkSchedule(given: temporal.api.schedule.v1.ISchedule): Schedule {
  const schedule = api.schedule.v1.Schedule.fromObject(
    api.schedule.v1.Schedule.toObject(api.schedule.v1.Schedule.create(given)),
  )
  schedule.spec = api.schedule.v1.ScheduleSpec.create(canonicalizeSpec(given.spec ?? {}))
  const action = given.action?.startWorkflow
  if (action) {
    if ((action.workflowId?.length ?? 0) + workflowIdSuffixLength > maxIdLength) {
      throw new InvalidArgumentError('WorkflowId exceeds maximum allowed length.')
    }
    if (!action.workflowType?.name) {
      throw new InvalidArgumentError('WorkflowType is not set on request.')
    }
    if (action.workflowType.name.length > maxIdLength) {
      throw new InvalidArgumentError('WorkflowType length exceeds limit.')
    }
    if (!action.taskQueue?.name) throw new InvalidArgumentError('missing task queue name')
    if (action.taskQueue.name.length > maxIdLength) {
      throw new InvalidArgumentError('taskQueue length exceeds limit')
    }
    if (action.cronSchedule) {
      throw new InvalidArgumentError('Scheduled workflow must not contain CronSchedule')
    }
    const reuse = action.workflowIdReusePolicy ?? 0
    if (
      reuse !== 0 &&
      reuse !== api.enums.v1.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
    ) {
      throw new InvalidArgumentError('Scheduled workflow must not contain WorkflowIDReusePolicy')
    }
  }
  const policies = (schedule.policies ??= api.schedule.v1.SchedulePolicies.create())
  const overlap = policies.overlapPolicy ?? 0
  if (!Object.values(OverlapPolicy).includes(overlap)) {
    throw new InvalidArgumentError(`invalid overlap policy: ${overlap}`)
  }
  if (overlap === OverlapPolicy.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED) {
    policies.overlapPolicy = OverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP
  }
  policies.catchupWindow = durationFromMs(catchupWindowMs(schedule))
  if ((schedule.state?.notes?.length ?? 0) > maxNotesLength) throw errNotesTooLong
  return schedule
}

function checkPatch(patch: temporal.api.schedule.v1.ISchedulePatch | null | undefined): void {
  if (!patch) return
  if (
    (patch.pause?.length ?? 0) > maxNotesLength ||
    (patch.unpause?.length ?? 0) > maxNotesLength
  ) {
    throw errNotesTooLong
  }
  const policies = [
    patch.triggerImmediately?.overlapPolicy,
    ...(patch.backfillRequest ?? []).map((b) => b.overlapPolicy),
  ]
  for (const p of policies) {
    if (p !== undefined && p !== null && !Object.values(OverlapPolicy).includes(p)) {
      throw new InvalidArgumentError(`invalid overlap policy: ${p}`)
    }
  }
  for (const b of patch.backfillRequest ?? []) {
    if (!b.startTime || !b.endTime) {
      throw new InvalidArgumentError('a backfill request needs a start time and an end time')
    }
  }
}

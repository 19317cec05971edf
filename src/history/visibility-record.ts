/**
 * The visibility row of a run, derived from its mutable state. Like Temporal, the row is written
 * when the run starts, when it closes, and when its memo or search attributes change — not on
 * every transaction — so HistoryLength and friends are as of the last of those.
 */
import type { VisibilityRecord } from '../persistence/store.js'
import { searchAttributeValuesJson } from '../visibility/values.js'
import { encodedSearchAttributes } from './mutable-state/encoded.js'
import type { MutableStateData } from './mutable-state/state.js'

/** Whether the transaction from `before` to `after` moved anything the row shows. */
export function visibilityChanged(before: MutableStateData, after: MutableStateData): boolean {
  return (
    before.status !== after.status ||
    before.executionInfo.memo !== after.executionInfo.memo ||
    before.executionInfo.searchAttributes !== after.executionInfo.searchAttributes
  )
}

/** `registered`: the namespace's custom search attributes (name to IndexedValueType). */
export function visibilityRecord(
  data: MutableStateData,
  registered: ReadonlyMap<string, number> | undefined,
): VisibilityRecord {
  const info = data.executionInfo
  const sa = info.searchAttributes
  return {
    namespaceId: info.namespaceId,
    runId: info.runId,
    workflowId: info.workflowId,
    workflowType: info.workflowType,
    taskQueue: info.taskQueue,
    status: data.status,
    startTime: info.startTime,
    executionTime: info.executionTime,
    closeTime: data.state === 'completed' ? info.closeTime : 0,
    historyLength: data.nextEventId - 1,
    historySizeBytes: data.historySizeBytes,
    stateTransitionCount: data.stateTransitionCount,
    parentWorkflowId: info.parent?.workflowId,
    parentRunId: info.parent?.runId,
    rootWorkflowId: info.root?.workflowId ?? info.workflowId,
    rootRunId: info.root?.runId ?? info.runId,
    searchAttributes: searchAttributeValuesJson(encodedSearchAttributes.decode(sa), registered),
    searchAttributePayloads: sa ? Buffer.from(sa, 'base64') : undefined,
    memo: info.memo ? Buffer.from(info.memo, 'base64') : undefined,
  }
}

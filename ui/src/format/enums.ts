/**
 * Temporal's enum names without their prefix, the way its UI and CLI print them:
 * `WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW` → `ContinuedAsNew`.
 */

export function enumWord(value: string | undefined, prefix: string): string {
  if (!value) return ''
  const rest = value.startsWith(prefix) ? value.slice(prefix.length) : value
  return rest
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
}

/** The statuses a visibility query can name, in the order the UI lists them. */
export const STATUSES = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
] as const

export type Status = (typeof STATUSES)[number]

export const statusWord = (status: string | undefined) =>
  enumWord(status, 'WORKFLOW_EXECUTION_STATUS_')

export const eventTypeWord = (eventType: string | undefined) => enumWord(eventType, 'EVENT_TYPE_')

/** Overlap policies in Temporal's order, each with what it does when a run is still open. */
export const OVERLAP_POLICIES: [value: string, description: string][] = [
  ['SCHEDULE_OVERLAP_POLICY_SKIP', "don't start while one is running"],
  ['SCHEDULE_OVERLAP_POLICY_BUFFER_ONE', 'start one more once it finishes'],
  ['SCHEDULE_OVERLAP_POLICY_BUFFER_ALL', 'start each one in turn'],
  ['SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER', 'cancel the running one, then start'],
  ['SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER', 'terminate the running one, then start'],
  ['SCHEDULE_OVERLAP_POLICY_ALLOW_ALL', 'start regardless'],
]

export const overlapWord = (policy: string | undefined) =>
  enumWord(policy, 'SCHEDULE_OVERLAP_POLICY_')

export const batchStateWord = (state: string | undefined) =>
  enumWord(state, 'BATCH_OPERATION_STATE_')

/** `BATCH_OPERATION_TYPE_TERMINATE` (or its newer alias `..._TERMINATE_WORKFLOW`) → Terminate. */
export const batchTypeWord = (type: string | undefined) =>
  enumWord(type?.replace(/_WORKFLOW$/, ''), 'BATCH_OPERATION_TYPE_')

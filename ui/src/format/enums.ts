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

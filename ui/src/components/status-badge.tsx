import { statusWord } from '../format/enums.js'

/** A workflow status as a coloured word; `status` is the enum's full name. */
export function StatusBadge({ status }: { status?: string }) {
  const word = statusWord(status) || 'Unknown'
  return <span class={`status status-${word.toLowerCase()}`}>{word}</span>
}

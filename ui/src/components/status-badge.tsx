import { statusWord } from '../format/enums.js'

/** A state as a coloured word; `tone` names its colour (`status-<tone>`), the word by default. */
export function Badge({ word, tone }: { word: string; tone?: string }) {
  return <span class={`status status-${(tone ?? word).toLowerCase()}`}>{word}</span>
}

/** A workflow status as a coloured word; `status` is the enum's full name. */
export function StatusBadge({ status }: { status?: string }) {
  return <Badge word={statusWord(status) || 'Unknown'} />
}

/** A schedule's state: Paused or Active. */
export function PausedBadge({ paused }: { paused?: boolean }) {
  return <Badge word={paused ? 'Paused' : 'Active'} />
}

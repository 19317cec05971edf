/** A choice of overlap policy, each with what it does; optionally "the schedule's own". */
import { OVERLAP_POLICIES, overlapWord } from '../format/enums.js'

export function OverlapSelect(props: {
  value: string
  onChange(value: string): void
  /** When set, the first choice ('') is the schedule's own policy, named here. */
  inherited?: string
}) {
  return (
    <select
      aria-label="Overlap policy"
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
    >
      {props.inherited !== undefined && (
        <option value="">The schedule's policy ({overlapWord(props.inherited) || 'Skip'})</option>
      )}
      {OVERLAP_POLICIES.map(([value, description]) => (
        <option key={value} value={value}>
          {overlapWord(value)}: {description}
        </option>
      ))}
    </select>
  )
}

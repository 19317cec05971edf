/**
 * A select of every namespace; choosing one opens the same section there (`sectionFor`), its
 * workflows by default.
 */
import { allNamespaces } from '../api/namespaces.js'
import { navigate, paths } from '../router.js'
import { useLoad } from '../use-load.js'

export function NamespaceSwitcher({
  current,
  sectionFor = paths.workflows,
}: {
  current?: string
  sectionFor?: (namespace: string) => string
}) {
  const { data } = useLoad((signal) => allNamespaces(signal), [])
  const names = (data ?? []).map((n) => n.namespaceInfo?.name ?? '').filter(Boolean)
  // The current one may not be listed (yet, or misspelt in a link); keep it selectable.
  if (current && !names.includes(current)) names.unshift(current)
  return (
    <label class="switcher">
      <span>Namespace</span>
      <select
        aria-label="Namespace"
        value={current ?? ''}
        onChange={(e) => navigate(sectionFor(e.currentTarget.value))}
      >
        {!current && <option value="">choose…</option>}
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </label>
  )
}

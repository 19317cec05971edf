/** Every namespace with its state, retention and description. */
import { allNamespaces } from '../api/namespaces.js'
import { ErrorBox } from '../components/error-box.js'
import { enumWord } from '../format/enums.js'
import { formatDuration } from '../format/time.js'
import { paths } from '../router.js'
import { useLoad } from '../use-load.js'

export function NamespacesPage() {
  const { data, error, loading } = useLoad((signal) => allNamespaces(signal), [])
  return (
    <section>
      <h1>Namespaces</h1>
      {error && <ErrorBox error={error} />}
      {loading && !data && <p class="muted">Loading…</p>}
      {data && (
        <table class="grid" aria-label="Namespaces">
          <thead>
            <tr>
              <th>Name</th>
              <th>State</th>
              <th>Retention</th>
              <th>Description</th>
              <th>Id</th>
            </tr>
          </thead>
          <tbody>
            {data.map((n) => {
              const name = n.namespaceInfo?.name ?? ''
              return (
                <tr key={name}>
                  <td>
                    <a href={paths.workflows(name)}>{name}</a>
                  </td>
                  <td>{enumWord(n.namespaceInfo?.state, 'NAMESPACE_STATE_')}</td>
                  <td>{formatDuration(n.config?.workflowExecutionRetentionTtl)}</td>
                  <td>{n.namespaceInfo?.description ?? ''}</td>
                  <td class="mono">{n.namespaceInfo?.id ?? ''}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** The workers polling a task queue, for workflow tasks and for activity tasks. */
import type { PollerInfo } from '../api/types.js'
import { describeTaskQueue, type TaskQueueType } from '../api/workflow-service.js'
import { ErrorBox } from '../components/error-box.js'
import { formatTime } from '../format/time.js'
import { useLoad } from '../use-load.js'

const REFRESH_MS = 5000

export function TaskQueuePage({ namespace, taskQueue }: { namespace: string; taskQueue: string }) {
  return (
    <section>
      <h1>
        Task queue <span class="mono">{taskQueue}</span> <span class="muted">in {namespace}</span>
      </h1>
      <Pollers namespace={namespace} taskQueue={taskQueue} type="TASK_QUEUE_TYPE_WORKFLOW" />
      <Pollers namespace={namespace} taskQueue={taskQueue} type="TASK_QUEUE_TYPE_ACTIVITY" />
    </section>
  )
}

function Pollers(props: { namespace: string; taskQueue: string; type: TaskQueueType }) {
  const title = props.type === 'TASK_QUEUE_TYPE_WORKFLOW' ? 'Workflow pollers' : 'Activity pollers'
  const { data, error } = useLoad(
    () => describeTaskQueue(props.namespace, props.taskQueue, props.type),
    [props.namespace, props.taskQueue, props.type],
    { refreshMs: REFRESH_MS },
  )
  const pollers: PollerInfo[] = data?.pollers ?? []
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {error && <ErrorBox error={error} />}
      <table class="grid" aria-label={title}>
        <thead>
          <tr>
            <th>Identity</th>
            <th>Last access</th>
            <th>Rate per second</th>
          </tr>
        </thead>
        <tbody>
          {pollers.map((p) => (
            <tr key={p.identity}>
              <td>{p.identity}</td>
              <td>{formatTime(p.lastAccessTime)}</td>
              <td>{p.ratePerSecond ?? ''}</td>
            </tr>
          ))}
          {data && pollers.length === 0 && (
            <tr>
              <td colSpan={3} class="muted">
                No pollers in the last minutes.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  )
}

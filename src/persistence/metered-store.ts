/**
 * A Store decorator that times every call of every store group and reports it, with what it
 * threw, under Temporal's persistence operation names (common/metrics/metric_defs.go
 * `Persistence*Scope`; Temporal's persistence_metric_clients.go is the same kind of wrapper).
 * The wrapped store behaves exactly as the inner one: same results, same errors.
 */
import type { ServerMetrics } from '../common/server-metrics.js'
import type { Store } from './store.js'

type Groups = Omit<Store, 'close'>

/**
 * The operation label of each method. Typed over every method of every group, so a method added
 * to the interface does not compile until it is named here. Temporal's name where it has the
 * operation; otherwise the method's name in Temporal's PascalCase.
 */
export const PERSISTENCE_OPERATIONS: { [G in keyof Groups]: Record<keyof Groups[G], string> } = {
  namespaces: {
    createNamespace: 'CreateNamespace',
    getNamespace: 'GetNamespace',
    listNamespaces: 'ListNamespaces',
    updateNamespace: 'UpdateNamespace',
    deleteNamespace: 'DeleteNamespace',
  },
  executions: {
    updateWorkflowExecutions: 'UpdateWorkflowExecution',
    getWorkflowExecution: 'GetWorkflowExecution',
    deleteWorkflowExecution: 'DeleteWorkflowExecution',
    getCurrentExecution: 'GetCurrentExecution',
    readHistory: 'ReadHistoryBranch',
  },
  visibility: {
    listWorkflowExecutions: 'ListWorkflowExecutions',
    countWorkflowExecutions: 'CountWorkflowExecutions',
    listSearchAttributes: 'ListSearchAttributes',
    addSearchAttributes: 'AddSearchAttributes',
    removeSearchAttributes: 'RemoveSearchAttributes',
  },
  tasks: {
    listQueueTasks: 'GetTasks',
    deleteQueueTasks: 'CompleteTasks',
    listTimerTasks: 'GetHistoryTasks',
    deleteTimerTasks: 'CompleteHistoryTasks',
  },
  cluster: {
    getOrInitMetadata: 'GetClusterMetadata',
    acquireShard: 'GetOrCreateShard',
    releaseShard: 'ReleaseShard',
    listShards: 'ListShards',
    upsertMember: 'UpsertClusterMembership',
    listMembers: 'GetClusterMembers',
    deleteMember: 'DeleteClusterMember',
    pruneMembers: 'PruneClusterMembership',
  },
  jobs: {
    createJob: 'CreateJob',
    getJob: 'GetJob',
    updateJob: 'UpdateJob',
    deleteJob: 'DeleteJob',
    listJobs: 'ListJobs',
    listWakingJobs: 'ListWakingJobs',
  },
}

type Method = (req: unknown) => Promise<unknown>

/**
 * `store` with each call reported to `metrics.persistenceCall`. `now` gives seconds on a
 * monotonic clock (default `performance.now() / 1000`); latency is wall time, not virtual time.
 */
export function meteredStore(
  store: Store,
  metrics: ServerMetrics,
  now: () => number = () => performance.now() / 1000,
): Store {
  const wrap = <G extends keyof Groups>(group: G): Groups[G] => {
    const inner = store[group] as unknown as Record<string, Method>
    const out: Record<string, Method> = {}
    for (const [method, operation] of Object.entries(
      PERSISTENCE_OPERATIONS[group] as Record<string, string>,
    )) {
      out[method] = async (req) => {
        const start = now()
        try {
          const res = await inner[method]!.call(inner, req)
          metrics.persistenceCall(operation, now() - start, undefined)
          return res
        } catch (e: unknown) {
          metrics.persistenceCall(operation, now() - start, e)
          throw e
        }
      }
    }
    return out as unknown as Groups[G]
  }
  return {
    namespaces: wrap('namespaces'),
    executions: wrap('executions'),
    visibility: wrap('visibility'),
    tasks: wrap('tasks'),
    cluster: wrap('cluster'),
    jobs: wrap('jobs'),
    close: () => store.close(),
  }
}

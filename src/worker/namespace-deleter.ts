/**
 * DeleteNamespace's background half (Temporal's deletenamespace and reclaimresources workflows):
 * once a namespace is marked DELETED and renamed, its runs are deleted page by page through
 * history (running ones are terminated first, as DeleteWorkflowExecution does), then, after the
 * requested delay, the namespace row and its search attributes.
 *
 * The DELETED state is the durable record of the job: `resume` restarts every namespace left in it
 * by a stop or crash (a delay still pending then is not waited for again).
 */
import type { Logger } from 'pino'
import type { Clock } from '../common/clock.js'
import { ensureError, NotFoundError } from '../common/errors.js'
import { NamespaceState } from '../common/proto.js'
import type { NamespaceEntry, NamespaceRegistry } from '../frontend/namespace-registry.js'
import { invoke as deleteWorkflowExecution } from '../history/api/delete-workflow-execution.js'
import type { HistoryEngine } from '../history/history-engine.js'
import type { VisibilityStore } from '../persistence/store.js'
import type { SearchAttributeRegistry } from '../visibility/search-attribute-registry.js'

export interface NamespaceDeleterDeps {
  namespaces: NamespaceRegistry
  history: HistoryEngine
  visibility: VisibilityStore
  searchAttributes: SearchAttributeRegistry
  clock: Clock
  logger: Logger
}

/** Runs deleted per visibility page (Temporal's DeleteNamespacePageSize). */
const PAGE_SIZE = 1000
/** Wait before retrying after a failure (the store unavailable, say). */
const RETRY_DELAY_MS = 5_000

export class NamespaceDeleter {
  readonly #deps: NamespaceDeleterDeps
  /** Jobs under way, by namespace id, so a repeated DeleteNamespace does not start another. */
  readonly #jobs = new Map<string, Promise<void>>()
  #stopped = false

  constructor(deps: NamespaceDeleterDeps) {
    this.#deps = deps
  }

  /** Resumes the deletion of each of `namespaces` (all of them, at start) marked DELETED. */
  resume(namespaces: readonly NamespaceEntry[]): void {
    for (const entry of namespaces) {
      if (entry.state === NamespaceState.NAMESPACE_STATE_DELETED) void this.reclaim(entry, 0)
    }
  }

  stop(): void {
    this.#stopped = true
  }

  /**
   * Deletes the runs of `entry` (a namespace marked DELETED) and then, `delayMs` later, the
   * namespace itself. Resolves when done; failures are retried, not reported.
   */
  reclaim(entry: NamespaceEntry, delayMs: number): Promise<void> {
    let job = this.#jobs.get(entry.id)
    if (!job) {
      job = this.#run(entry, delayMs).finally(() => this.#jobs.delete(entry.id))
      this.#jobs.set(entry.id, job)
    }
    return job
  }

  async #run(entry: NamespaceEntry, delayMs: number): Promise<void> {
    const log = this.#deps.logger.child({ namespace: entry.name, namespaceId: entry.id })
    log.info('deleting namespace')
    while (!this.#stopped) {
      try {
        const deleted = await this.#deleteRuns(entry)
        if (this.#stopped) return
        if (delayMs > 0) await this.#sleep(delayMs)
        if (this.#stopped) return
        await this.#deps.namespaces.remove(entry)
        this.#deps.searchAttributes.forgetNamespace(entry.id)
        log.info({ deletedRuns: deleted }, 'namespace deleted')
        return
      } catch (e: unknown) {
        log.warn({ err: ensureError(e) }, 'namespace deletion failed; retrying')
        await this.#sleep(RETRY_DELAY_MS)
      }
    }
  }

  /** Deletes every run the namespace's visibility lists, until none is left. */
  async #deleteRuns(entry: NamespaceEntry): Promise<number> {
    let deleted = 0
    for (;;) {
      const page = await this.#deps.visibility.listWorkflowExecutions({
        namespaceId: entry.id,
        query: '',
        customAttributes: new Map(),
        pageSize: PAGE_SIZE,
      })
      if (page.records.length === 0 || this.#stopped) return deleted
      let progress = false
      for (const r of page.records) {
        if (this.#stopped) return deleted
        try {
          await deleteWorkflowExecution(this.#deps.history, entry.id, {
            workflowExecution: { workflowId: r.workflowId, runId: r.runId },
          })
          deleted++
          progress = true
        } catch (e: unknown) {
          // Deleted meanwhile (retention, another call): what we wanted.
          if (!(e instanceof NotFoundError)) throw e
        }
      }
      // Runs and their visibility rows go in one transaction, so a page of rows without runs
      // cannot happen; if it ever did, looping on it forever would be worse than leaving it.
      if (!progress) throw new Error('visibility lists runs that do not exist')
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.#deps.clock.schedule(this.#deps.clock.now() + ms, resolve))
  }
}

/**
 * Workflow updates in flight, per run, in memory (Temporal keeps the same registry,
 * service/history/workflow/update/registry.go): admitted requests waiting to be sent to the
 * worker in a workflow task, sent ones waiting for its answer, and callers waiting for a stage.
 * Accepted and completed updates are also recorded in history and in the run's mutable state,
 * which is what deduplicates an update id after it left this registry (or after a restart).
 */
import { api, type pb } from '../common/proto.js'
import type { RunKey } from '../persistence/store.js'

export const UpdateStage = api.enums.v1.UpdateWorkflowExecutionLifecycleStage
export type UpdateStage = (typeof UpdateStage)[keyof typeof UpdateStage]

export type UpdateRequest = NonNullable<NonNullable<pb.UpdateWorkflowExecutionRequest['request']>>
export type UpdateOutcome = NonNullable<pb.UpdateResponse['outcome']>

export interface UpdateEntry {
  readonly id: string
  readonly request: UpdateRequest
  /** ADMITTED until the worker accepts it, COMPLETED once it has an outcome. */
  stage: UpdateStage
  /** Sent to a worker in a workflow task that has not answered yet. */
  sent: boolean
  outcome?: UpdateOutcome
  readonly waiters: Set<() => void>
}

export class UpdateRegistry {
  private readonly runs = new Map<string, Map<string, UpdateEntry>>()

  get(key: RunKey, id: string): UpdateEntry | undefined {
    return this.runs.get(runKey(key))?.get(id)
  }

  /** Admits a request, or returns the entry already admitted under its id. */
  admit(key: RunKey, request: UpdateRequest): UpdateEntry {
    const id = request.meta?.updateId ?? ''
    const k = runKey(key)
    let run = this.runs.get(k)
    if (!run) this.runs.set(k, (run = new Map<string, UpdateEntry>()))
    let entry = run.get(id)
    if (!entry) {
      entry = {
        id,
        request,
        stage: UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED,
        sent: false,
        waiters: new Set(),
      }
      run.set(id, entry)
    }
    return entry
  }

  /** Requests a workflow task must carry: admitted, not yet accepted or rejected. */
  toSend(key: RunKey): UpdateEntry[] {
    const run = this.runs.get(runKey(key))
    if (!run) return []
    return [...run.values()].filter(
      (e) => e.stage === UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED,
    )
  }

  /** Whether a request waits that no workflow task has carried yet. */
  hasUnsent(key: RunKey): boolean {
    return this.toSend(key).some((e) => !e.sent)
  }

  accepted(key: RunKey, id: string): void {
    const e = this.get(key, id)
    if (!e) return
    e.stage = UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED
    wake(e)
  }

  /** Completed or rejected: the outcome is final and the entry leaves the registry. */
  completed(key: RunKey, id: string, outcome: UpdateOutcome): void {
    const e = this.get(key, id)
    if (!e) return
    e.stage = UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
    e.outcome = outcome
    this.runs.get(runKey(key))?.delete(id)
    wake(e)
  }

  /** The run closed: every update still in flight fails. */
  abortRun(key: RunKey, message: string): void {
    const run = this.runs.get(runKey(key))
    if (!run) return
    this.runs.delete(runKey(key))
    for (const e of run.values()) {
      e.stage = UpdateStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
      e.outcome = { failure: { message, source: 'Server', applicationFailureInfo: {} } }
      wake(e)
    }
  }

  /** Resolves when `entry` reaches `stage` (or a later one) or `signal` aborts. */
  waitFor(entry: UpdateEntry, stage: UpdateStage, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (entry.stage >= stage || signal.aborted) {
          entry.waiters.delete(check)
          signal.removeEventListener('abort', check)
          resolve()
        }
      }
      entry.waiters.add(check)
      signal.addEventListener('abort', check, { once: true })
      check()
    })
  }
}

function wake(e: UpdateEntry): void {
  for (const w of [...e.waiters]) w()
}

function runKey(key: RunKey): string {
  return `${key.namespaceId}/${key.workflowId}/${key.runId}`
}

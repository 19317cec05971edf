/**
 * ResetStickyTaskQueue: the run forgets its sticky worker, so its next workflow task goes to the
 * normal queue with the full history (history/api/resetstickytaskqueue/api.go). A task already
 * waiting on the sticky queue is left there: a sticky poll can no longer take it, and its
 * schedule-to-start timer moves it to the normal queue.
 */
import { NotFoundError } from '../../common/errors.js'
import type { RunKey } from '../../persistence/store.js'
import type { HistoryEngine } from '../history-engine.js'
import { clearStickyTaskQueue, isStickyTaskQueueSet } from '../mutable-state/sticky.js'

/** `ifRunning`: a closed run is left alone instead of answering NotFound. */
export async function invoke(
  engine: HistoryEngine,
  key: RunKey,
  opts: { ifRunning?: boolean } = {},
): Promise<object> {
  await engine.updateWorkflow(key, (ms) => {
    if (!ms.isRunning()) {
      if (opts.ifRunning) return
      throw new NotFoundError('workflow execution already completed')
    }
    if (!isStickyTaskQueueSet(ms.info)) return
    clearStickyTaskQueue(ms.info)
    ms.markDirty()
  })
  return {}
}

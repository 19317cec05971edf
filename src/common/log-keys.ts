/**
 * The keys Temporal's server logs a workflow under (`wf-namespace-id`, `wf-id`, `wf-run-id`), so
 * that log searches written for Temporal find Sundial's lines too.
 */
export function runLogKeys(run: {
  namespaceId?: string
  workflowId: string
  runId?: string
}): Record<string, string> {
  return {
    ...(run.namespaceId === undefined ? {} : { 'wf-namespace-id': run.namespaceId }),
    'wf-id': run.workflowId,
    ...(run.runId ? { 'wf-run-id': run.runId } : {}),
  }
}

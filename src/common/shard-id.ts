/**
 * Which history shard a workflow id lives in. Runs are partitioned by (namespace id, workflow
 * id), as Temporal's `common.WorkflowIDToHistoryShard` does, so that every run of one workflow
 * id (and its current-execution row) sits in one shard, and one node owns them all. The hash
 * must never change: stored runs stay where it put them.
 */

/** The default `cluster.numHistoryShards` (the guide we follow uses 512 in production). */
export const DEFAULT_NUM_HISTORY_SHARDS = 16

/** Shard ids run from 1 to `numShards`, as Temporal's do. */
export function shardIdFor(namespaceId: string, workflowId: string, numShards: number): number {
  return (fnv1a(`${namespaceId}_${workflowId}`) % numShards) + 1
}

/** 32-bit FNV-1a over the string's UTF-16 code units: fast, stable and well spread. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

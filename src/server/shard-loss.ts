/**
 * What a server does once another server took its store's shard (it has stopped serving by
 * then): `exit` with an error, for a supervisor to restart it, or `reacquire`: start again
 * in-process, taking the shard back. Apart from config.ts so that start-dev need not load it.
 */
export const SHARD_LOSS_ACTIONS = ['exit', 'reacquire'] as const
export type ShardLossAction = (typeof SHARD_LOSS_ACTIONS)[number]

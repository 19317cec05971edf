import { Long, toNumber, type pb } from './proto.js'

/** Milliseconds since the epoch → protobuf Timestamp. */
export function timestampFromMs(ms: number): pb.Timestamp {
  const seconds = Math.floor(ms / 1000)
  return { seconds: Long.fromNumber(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) }
}

export function msFromTimestamp(ts: pb.Timestamp | null | undefined): number {
  if (!ts) return 0
  return toNumber(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)
}

export function durationFromMs(ms: number): pb.Duration {
  const seconds = Math.floor(ms / 1000)
  return { seconds: Long.fromNumber(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) }
}

/** A missing duration is 0, which Temporal reads as "not set". */
export function msFromDuration(d: pb.Duration | null | undefined): number {
  if (!d) return 0
  return toNumber(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1e6)
}

/** Go-style rendering ("10s", "1m30s", "250ms"), used in failure messages the way Temporal prints them. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (ms < 1000) return `${ms}ms`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`
}

/**
 * Deterministic schedule jitter, reproducing `CompiledSpec.addJitter` in Temporal's
 * `service/worker/scheduler/spec.go` bit for bit, so a schedule moved between Temporal and
 * Sundial fires at the same jittered instants:
 *
 *   fp     = farmhash Fingerprint32(Go `time.MarshalBinary` of the UTC nominal time ++ seed)
 *   range  = min(maxJitter in whole ms, 2^32 - 1)
 *   jitter = (fp * range) >> 32 milliseconds
 *
 * The seed is `"<namespaceId>-<scheduleId>"` for schedules (`jitterSeed()` in
 * `service/worker/scheduler/workflow.go` and `chasm/lib/scheduler/scheduler.go`).
 */

const C1 = 0xcc9e2d51
const C2 = 0x1b873593
const textEncoder = new TextEncoder()

/** Seconds from 0001-01-01T00:00:00Z to the Unix epoch, Go's internal time origin. */
const GO_UNIX_TO_INTERNAL = 62_135_596_800

function rotr(x: number, r: number): number {
  return ((x >>> r) | (x << (32 - r))) >>> 0
}

/** Murmur3's 32-bit finaliser. */
function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** Murmur3's step that folds `a` into `h`. */
function mur(a: number, h: number): number {
  a = Math.imul(rotr(Math.imul(a, C1) >>> 0, 17), C2)
  h = rotr((h ^ a) >>> 0, 19)
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0
}

function fetch32(s: Uint8Array, i: number): number {
  return (s[i]! | (s[i + 1]! << 8) | (s[i + 2]! << 16) | (s[i + 3]! << 24)) >>> 0
}

/**
 * farmhash's 32-bit fingerprint (`Fingerprint32` in github.com/dgryski/go-farm, which is its
 * `Hash32`, the farmhashmk variant, with CityHash32-style handling of 13 to 24 bytes).
 */
export function fingerprint32(s: Uint8Array): number {
  const n = s.length
  if (n <= 4) {
    let b = 0
    let c = 9
    for (const byte of s) {
      b = (Math.imul(b, C1) + ((byte << 24) >> 24)) >>> 0 // bytes are signed (int8) here
      c = (c ^ b) >>> 0
    }
    return fmix(mur(b, mur(n, c)))
  }
  if (n <= 12) {
    const a = (n + fetch32(s, 0)) >>> 0
    const b = (n * 5 + fetch32(s, n - 4)) >>> 0
    const c = (9 + fetch32(s, (n >>> 1) & 4)) >>> 0
    return fmix(mur(c, mur(b, mur(a, n * 5))))
  }
  if (n <= 24) {
    let a = fetch32(s, (n >>> 1) - 4)
    const b = fetch32(s, 4)
    const c = fetch32(s, n - 8)
    const d = fetch32(s, n >>> 1)
    const e = fetch32(s, 0)
    const f = fetch32(s, n - 4)
    let h = (Math.imul(d, C1) + n) >>> 0
    a = (rotr(a, 12) + f) >>> 0
    h = (mur(c, h) + a) >>> 0
    a = (rotr(a, 3) + c) >>> 0
    h = (mur(e, h) + a) >>> 0
    a = (rotr((a + f) >>> 0, 12) + d) >>> 0
    h = (mur(b, h) + a) >>> 0
    return fmix(h)
  }
  return fingerprintLong(s)
}

/** Scrambles one 32-bit word the way the long-input path mixes its tail words. */
function tailWord(s: Uint8Array, i: number): number {
  return Math.imul(rotr(Math.imul(fetch32(s, i), C1) >>> 0, 17), C2) >>> 0
}

/** Rotate right 19, multiply by 5, add the Murmur constant: the long path's recurring step. */
function step19(x: number): number {
  return (Math.imul(rotr(x >>> 0, 19), 5) + 0xe6546b64) >>> 0
}

function fingerprintLong(s: Uint8Array): number {
  const n = s.length
  let h = n >>> 0
  let g = Math.imul(C1, n) >>> 0
  let f = g
  h = step19(h ^ tailWord(s, n - 4))
  h = step19(h ^ tailWord(s, n - 16))
  g = step19(g ^ tailWord(s, n - 8))
  g = step19(g ^ tailWord(s, n - 12))
  f = (rotr((f + tailWord(s, n - 20)) >>> 0, 19) + 113) >>> 0
  for (let i = 0; n - i > 20; i += 20) {
    const a = fetch32(s, i)
    const b = fetch32(s, i + 4)
    const c = fetch32(s, i + 8)
    const d = fetch32(s, i + 12)
    const e = fetch32(s, i + 16)
    h = (h + a) >>> 0
    g = (g + b) >>> 0
    f = (f + c) >>> 0
    h = (mur(d, h) + e) >>> 0
    g = (mur(c, g) + a) >>> 0
    f = (mur((b + Math.imul(e, C1)) >>> 0, f) + d) >>> 0
    f = (f + g) >>> 0
    g = (g + f) >>> 0
  }
  g = Math.imul(rotr(Math.imul(rotr(g, 11), C1) >>> 0, 17), C1) >>> 0
  f = Math.imul(rotr(Math.imul(rotr(f, 11), C1) >>> 0, 17), C1) >>> 0
  h = step19(h + g)
  h = Math.imul(rotr(h, 17), C1) >>> 0
  h = step19(h + f)
  return Math.imul(rotr(h, 17), C1) >>> 0
}

/**
 * Go's `time.Time.MarshalBinary` of a whole-second UTC time (what `rawNextTime` returns):
 * version 1, big-endian seconds since year 1, zero nanoseconds, zone offset -1 meaning UTC.
 */
function goTimeBinary(unixSeconds: number): Uint8Array {
  const out = new Uint8Array(15)
  const view = new DataView(out.buffer)
  out[0] = 1
  view.setBigInt64(1, BigInt(unixSeconds + GO_UNIX_TO_INTERNAL))
  view.setUint32(9, 0)
  view.setInt16(13, -1)
  return out
}

/**
 * The jitter (ms) Temporal adds to `nominalMs` (a whole second): a deterministic value in
 * `[0, maxJitterMs)`. `maxJitterMs` should already be capped by the gap to the following nominal
 * time; negative values mean no jitter.
 */
export function jitterMs(seed: string, nominalMs: number, maxJitterMs: number): number {
  const range = Math.min(Math.max(Math.trunc(maxJitterMs), 0), 0xffffffff)
  if (range === 0) return 0
  const time = goTimeBinary(Math.floor(nominalMs / 1000))
  const seedBytes = textEncoder.encode(seed)
  const input = new Uint8Array(time.length + seedBytes.length)
  input.set(time)
  input.set(seedBytes, time.length)
  const fp = fingerprint32(input)
  // (fp * range) >> 32 exactly, though the product needs up to 64 bits: split fp into 16-bit
  // halves so that every partial product stays below 2^53.
  const high = Math.floor(fp / 65536) * range
  const low = (fp % 65536) * range
  return Math.floor((high + Math.floor(low / 65536)) / 65536)
}

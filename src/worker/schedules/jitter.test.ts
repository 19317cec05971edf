import assert from 'node:assert/strict'
import { test } from 'node:test'
import { long } from '../../common/proto.js'
import { fingerprint32, jitterMs } from './jitter.js'
import { compileSpec } from './spec.js'

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms)

test('fingerprint32 matches go-farm for every input length class', () => {
  // Vectors from github.com/dgryski/go-farm farmhash_test.go (oh32), covering the 0-4, 5-12,
  // 13-24 and >24 byte paths.
  const vectors: [string, number][] = [
    ['', 0xdc56d17a],
    ['a', 0x3c973d4d],
    ['abcd', 0x98b51e95],
    ['abcde', 0xa3f366ac],
    ['0123456789-0', 0xf8cc7928],
    ['0123456789~01', 0x0d92cafb],
    ['0123456789$0123456789!0', 0xfa88d020],
    ['size:  a.out:  bad magic', 0xc6246b8d],
    ["Nepal premier won't resign.", 0x322984d9],
    ['Discard medicine more than two years old.', 0xe273108f],
    ['How can you write a big system without C++?  -Paul Glick', 0x0819a4e8],
  ]
  for (const [input, expected] of vectors) {
    assert.equal(fingerprint32(new TextEncoder().encode(input)), expected, JSON.stringify(input))
  }
})

test('jitter stays below its bound and is deterministic per seed and time', () => {
  const nominal = utc(2022, 3, 24)
  assert.equal(jitterMs('seed', nominal, 0), 0)
  assert.equal(jitterMs('seed', nominal, -5), 0)
  const seen = new Set<number>()
  for (let i = 0; i < 200; i++) {
    const t = nominal + i * 60_000
    const j = jitterMs('seed', t, 1000)
    assert.ok(j >= 0 && j < 1000, `${j}`)
    assert.equal(jitterMs('seed', t, 1000), j)
    seen.add(j)
  }
  assert.ok(seen.size > 150, 'jitter values spread over the range')
  // Ranges beyond 2^32 ms are capped, as Temporal caps them.
  assert.ok(jitterMs('seed', nominal, 2 ** 40) < 2 ** 32)
})

// The expected instants below are the ones Temporal's own spec_test.go asserts.
test('jitter seeds reproduce Temporal (TestSpecJitterSeed)', () => {
  const spec = {
    interval: [{ interval: { seconds: long(86_400) } }],
    jitter: { seconds: long(3600) },
  }
  const after = utc(2022, 3, 23, 11)
  const next = (seed: string): number | undefined =>
    compileSpec(spec, { jitterSeed: seed }).getNextTime(after)?.next
  assert.equal(next(''), utc(2022, 3, 24, 0, 35, 24, 276))
  assert.equal(next('seed-1'), utc(2022, 3, 24, 0, 6, 12, 519))
  assert.equal(next('seed-2'), utc(2022, 3, 24, 0, 39, 16, 922))
})

test('jitter is bounded by the gap to the following time (TestSpecBoundedJitter)', () => {
  const cs = compileSpec({
    interval: [{ interval: { seconds: long(90 * 60) } }],
    jitter: { seconds: long(24 * 3600) },
  })
  const expected = [
    utc(2022, 3, 23, 12, 14, 36, 524),
    utc(2022, 3, 23, 14, 22, 54, 562),
    utc(2022, 3, 23, 15, 8, 3, 724),
  ]
  let t = utc(2022, 3, 23, 11)
  for (const want of expected) {
    const r = cs.getNextTime(t)!
    assert.equal(r.next, want)
    assert.ok(r.next - r.nominal < 90 * 60_000)
    t = r.next
  }
})

test('a last time takes the full jitter (TestSpecJitterSingleRun)', () => {
  const calendar = [{ hour: '13', minute: '55', dayOfMonth: '7', month: '4', year: '2022' }]
  const after = utc(2022, 3, 23, 11)
  const plain = compileSpec({ calendar }).getNextTime(after)!
  assert.deepEqual(plain, { nominal: utc(2022, 4, 7, 13, 55), next: utc(2022, 4, 7, 13, 55) })
  const jittered = compileSpec({ calendar, jitter: { seconds: long(3600) } }).getNextTime(after)!
  assert.equal(jittered.next, utc(2022, 4, 7, 13, 57, 26, 927))
})

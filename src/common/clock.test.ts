import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { VirtualClock } from './clock.js'

test('virtual clock: advance fires what came due, in time order, and nothing else', () => {
  const clock = new VirtualClock()
  const start = clock.now()
  const fired: string[] = []
  clock.schedule(start + 3_600_000, () => fired.push('1h'))
  clock.schedule(start + 60_000, () => fired.push('1m'))
  const cancel = clock.schedule(start + 120_000, () => fired.push('cancelled'))
  clock.schedule(start + 2 * 86_400_000, () => fired.push('2d'))
  cancel()
  clock.advance(86_400_000)
  assert.deepEqual(fired, ['1m', '1h'])
  assert.ok(clock.now() - start >= 86_400_000)
  assert.throws(() => clock.advance(-1), RangeError)
})

test('virtual clock: real time still passes, and advancing shortens pending waits', async () => {
  const clock = new VirtualClock()
  let fired = false
  clock.schedule(clock.now() + 10_000, () => (fired = true))
  clock.advance(9_990)
  await sleep(60)
  assert.ok(fired)
})

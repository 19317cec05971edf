import assert from 'node:assert/strict'
import { test } from 'node:test'
import { KeyedMutex } from './keyed-mutex.js'

test('runs work for one key in order and other keys concurrently', async () => {
  const mutex = new KeyedMutex()
  const log: string[] = []
  let releaseA!: () => void
  const blocker = new Promise<void>((r) => (releaseA = r))
  const a1 = mutex.run('a', async () => {
    log.push('a1 start')
    await blocker
    log.push('a1 end')
  })
  const a2 = mutex.run('a', () => {
    log.push('a2')
    return Promise.resolve()
  })
  await mutex.run('b', () => {
    log.push('b')
    return Promise.resolve()
  })
  releaseA()
  await Promise.all([a1, a2])
  assert.deepEqual(log, ['a1 start', 'b', 'a1 end', 'a2'])
})

test('a failing holder releases the key', async () => {
  const mutex = new KeyedMutex()
  await assert.rejects(mutex.run('a', () => Promise.reject(new Error('boom'))))
  assert.equal(await mutex.run('a', () => Promise.resolve(7)), 7)
})

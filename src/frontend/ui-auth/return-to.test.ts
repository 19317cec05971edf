import assert from 'node:assert/strict'
import { test } from 'node:test'
import { safeReturnTo } from './return-to.js'

test('safeReturnTo keeps paths on this server, with their query and fragment', () => {
  assert.equal(
    safeReturnTo('/namespaces/default/workflows?id=x#top'),
    '/namespaces/default/workflows?id=x#top',
  )
  assert.equal(safeReturnTo('/a/../b'), '/b')
  assert.equal(safeReturnTo('/'), '/')
})

test('safeReturnTo sends anything else to /', () => {
  for (const bad of [
    null,
    undefined,
    '',
    'https://evil.example/',
    '//evil.example/x',
    '/\\evil.example',
    'javascript:alert(1)',
    'namespaces',
    '/x\nSet-Cookie: a=b',
    '/auth/login',
    '/auth/callback?code=1',
  ]) {
    assert.equal(safeReturnTo(bad), '/', String(bad))
  }
})

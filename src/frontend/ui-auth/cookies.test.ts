import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCookies, serializeCookie } from './cookies.js'

test('parseCookies reads a cookie header, first of a repeated name wins', () => {
  const jar = parseCookies('a=1; b = two ;c="quoted"; a=3; novalue; =x')
  assert.deepEqual(
    [...jar],
    [
      ['a', '1'],
      ['b', 'two'],
      ['c', 'quoted'],
    ],
  )
  assert.equal(parseCookies(undefined).size, 0)
  assert.equal(parseCookies('').size, 0)
})

test('serializeCookie is HttpOnly, SameSite=Lax and Path=/, Secure and Max-Age when asked', () => {
  assert.equal(
    serializeCookie('s', 'abc_-1', { secure: false }),
    's=abc_-1; Path=/; HttpOnly; SameSite=Lax',
  )
  assert.equal(
    serializeCookie('__Host-s', 'v', { secure: true, maxAgeSeconds: 60.7 }),
    '__Host-s=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=60',
  )
  assert.equal(
    serializeCookie('s', '', { secure: false, maxAgeSeconds: 0 }).includes('Max-Age=0'),
    true,
  )
  assert.throws(() => serializeCookie('s', 'a;b', { secure: false }), TypeError)
  assert.throws(() => serializeCookie('a b', 'v', { secure: false }), TypeError)
})

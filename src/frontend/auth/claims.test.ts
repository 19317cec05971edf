import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { pino } from 'pino'
import { Role, claimsFromPayload } from './claims.js'

const logger = pino({ level: 'silent' })

describe('default JWT claim mapper', () => {
  test('maps namespace and system permissions, role words case-insensitively', () => {
    const claims = claimsFromPayload(
      {
        sub: 'alice',
        permissions: ['ns1:read', 'ns1:WRITE', 'ns2:Worker', 'temporal-system:read', 'ns3:admin'],
      },
      'permissions',
      logger,
    )
    assert.ok(claims)
    assert.equal(claims.subject, 'alice')
    assert.equal(claims.system, Role.Reader)
    assert.equal(claims.namespaces.get('ns1'), Role.Reader | Role.Writer)
    assert.equal(claims.namespaces.get('ns2'), Role.Worker)
    assert.equal(claims.namespaces.get('ns3'), Role.Admin)
  })

  test('namespace names and temporal-system are matched exactly', () => {
    const claims = claimsFromPayload(
      { sub: 's', permissions: ['NS:admin', 'Temporal-System:admin'] },
      'permissions',
      logger,
    )
    assert.equal(claims?.system, Role.Undefined)
    assert.equal(claims?.namespaces.get('ns'), undefined)
    assert.equal(claims?.namespaces.get('NS'), Role.Admin)
    assert.equal(claims?.namespaces.get('Temporal-System'), Role.Admin)
  })

  test('skips entries that are no string, have no colon or name no role', () => {
    const claims = claimsFromPayload(
      { sub: 's', permissions: [42, null, 'ns-no-colon', 'ns:owner', 'ns:read:extra', 'ns:read'] },
      'permissions',
      logger,
    )
    // `ns:read:extra` splits at the first colon into role `read:extra`, which is no role.
    assert.equal(claims?.namespaces.get('ns'), Role.Reader)
    assert.equal(claims?.namespaces.size, 1)
  })

  test('a namespace named like an Object prototype key is just a namespace', () => {
    const claims = claimsFromPayload(
      { sub: 's', permissions: ['__proto__:admin', 'constructor:read'] },
      'permissions',
      logger,
    )
    assert.equal(claims?.namespaces.get('__proto__'), Role.Admin)
    assert.equal(claims?.namespaces.get('constructor'), Role.Reader)
    assert.equal(claims?.system, Role.Undefined)
  })

  test('reads the configured claim name, and ignores a claim that is no array', () => {
    assert.equal(
      claimsFromPayload({ sub: 's', roles: ['ns:write'] }, 'roles', logger)?.namespaces.get('ns'),
      Role.Writer,
    )
    const none = claimsFromPayload({ sub: 's', permissions: 'ns:admin' }, 'permissions', logger)
    assert.equal(none?.namespaces.size, 0)
  })

  test('a token whose sub is missing or no string gives no claims', () => {
    assert.equal(claimsFromPayload({ permissions: ['ns:read'] }, 'permissions', logger), undefined)
    assert.equal(claimsFromPayload({ sub: 7 }, 'permissions', logger), undefined)
    assert.equal(claimsFromPayload({ sub: '' }, 'permissions', logger)?.subject, '')
  })
})

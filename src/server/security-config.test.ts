import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError, readConfigFile, resolveServerConfig } from './config.js'

const dir = mkdtempSync(join(tmpdir(), 'sundial-security-config-'))
const write = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

async function resolved(yaml: string, env: NodeJS.ProcessEnv = {}, flags = {}) {
  const file = await readConfigFile(write(`c-${Math.random()}.yaml`, yaml))
  return resolveServerConfig(file, env, flags).security
}

test('the issue’s configuration, at the top level and under global, both CA spellings', async () => {
  const yaml = (indent: string) =>
    [
      'tls:',
      '  frontend:',
      '    server:',
      '      certFile: /path/server.pem',
      '      keyFile: /path/server.key',
      '      clientCaFiles: [/path/ca.pem]',
      '      clientCAFiles: [/path/ca2.pem]',
      '      requireClientAuth: true',
      'authorization:',
      '  jwtKeyProvider:',
      '    keySourceURIs: ["https://sso.example.com/application/o/temporal/jwks.json"]',
      '    refreshInterval: 1m',
      '  permissionsClaimName: permissions',
      '  authorizer: default',
      '  claimMapper: default',
    ]
      .map((l) => indent + l)
      .join('\n')
  for (const text of [yaml(''), `global:\n${yaml('  ')}`]) {
    const s = await resolved(text)
    assert.deepEqual(s.tls, {
      certFile: '/path/server.pem',
      keyFile: '/path/server.key',
      clientCaFiles: ['/path/ca.pem', '/path/ca2.pem'],
      requireClientAuth: true,
      minVersion: '1.2',
      reloadIntervalMs: undefined,
    })
    assert.deepEqual(s.authorization, {
      keySourceUris: ['https://sso.example.com/application/o/temporal/jwks.json'],
      refreshIntervalMs: 60_000,
      permissionsClaimName: 'permissions',
      audience: undefined,
      authorizer: 'default',
      claimMapper: 'default',
    })
  }
})

test('SUNDIAL_* variables over the file, flags over both; secrets read from files', async () => {
  const secret = write('client-secret', 's3cret\n')
  const key = write('token-key', `${Buffer.alloc(32, 7).toString('base64')}\n`)
  const s = await resolved(
    [
      'tls: { frontend: { server: { certFile: a.pem, keyFile: a.key } }, minVersion: "1.3" }',
      'server: { cors: { allowOrigins: ["https://ops.example.com"] }, taskTokenKeyFile: ' +
        key +
        ' }',
      'ui:',
      '  auth:',
      '    issuer: https://sso.example.com/o/',
      '    clientId: ui',
      `    clientSecretFile: ${secret}`,
      '    callbackUrl: https://sundial.example.com/auth/callback',
    ].join('\n'),
    {
      SUNDIAL_TLS_CERT_FILE: 'env.pem',
      SUNDIAL_TLS_KEY_FILE: 'env.key',
      SUNDIAL_AUTH_KEY_SOURCE_URIS: 'https://a.example/jwks, https://b.example/jwks',
      SUNDIAL_AUTH_AUDIENCE: 'temporal',
    },
    { tlsCertFile: 'flag.pem', tlsKeyFile: 'flag.key', tlsClientCaFile: ['ca.pem'] },
  )
  assert.equal(s.tls?.certFile, 'flag.pem')
  assert.equal(s.tls?.keyFile, 'flag.key')
  assert.deepEqual(s.tls?.clientCaFiles, ['ca.pem'])
  assert.equal(s.tls?.minVersion, '1.3')
  assert.deepEqual(s.authorization?.keySourceUris, [
    'https://a.example/jwks',
    'https://b.example/jwks',
  ])
  assert.equal(s.authorization?.audience, 'temporal')
  assert.equal(s.uiAuth?.clientSecret, 's3cret')
  assert.deepEqual(s.uiAuth?.scopes, ['openid', 'profile', 'email'])
  assert.deepEqual(s.cors, { allowOrigins: ['https://ops.example.com'] })
  assert.deepEqual(s.taskTokenKey, Buffer.alloc(32, 7))
})

test('nothing configured: no TLS, no authorization, no login', async () => {
  assert.deepEqual(await resolved('tls: {}\n'), {
    tls: undefined,
    authorization: undefined,
    uiAuth: undefined,
    cors: undefined,
    taskTokenKey: undefined,
  })
})

test('settings that cannot work are refused naming the key', async () => {
  const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['tls: { frontend: { server: { certFile: a.pem } } }', {}, /tls.*keyFile/],
    [
      'tls: { frontend: { server: { certFile: a, keyFile: b, requireClientAuth: true } } }',
      {},
      /requireClientAuth: needs clientCaFiles/,
    ],
    ['tls: { internode: { server: {} } }', {}, /tls.internode .*not supported yet/],
    ['authorization: { authorizer: default }', {}, /keySourceURIs: the default authorizer needs/],
    ['authorization: { jwtKeyProvider: { keySourceURIs: [nope] } }', {}, /keySourceURIs/],
    ['tls: {}\nglobal: { tls: {} }', {}, /tls: give it at the top level or under global/],
    ['ui: { auth: { clientId: x } }', {}, /ui.auth: issuer, clientId and callbackUrl/],
    ['server: { cors: { allowOrigins: ["ops.example.com"] } }', {}, /not an origin/],
    ['server: { taskTokenKeyFile: /nonexistent/key }', {}, /taskTokenKeyFile: cannot read/],
    [
      'store: { postgres: { url: "postgres://x@h/d", passwordFile: /nonexistent } }',
      {},
      /passwordFile: cannot read/,
    ],
    [
      '{}',
      { SUNDIAL_TLS_MIN_VERSION: '1.1', SUNDIAL_TLS_CERT_FILE: 'a', SUNDIAL_TLS_KEY_FILE: 'b' },
      /SUNDIAL_TLS_MIN_VERSION/,
    ],
  ]
  for (const [yaml, env, message] of cases) {
    await assert.rejects(
      resolved(yaml, env),
      (e: unknown) => e instanceof ConfigError && message.test(e.message),
      yaml,
    )
  }
})

test('dynamic config in the file becomes KEY=JSON values, as --dynamic-config-value gives them', async () => {
  const file = await readConfigFile(
    write('dc.yaml', 'dynamicConfig:\n  frontend.namespaceRPS: 5\n  limit.blobSize.error: 1024\n'),
  )
  assert.deepEqual(resolveServerConfig(file, {}, {}).dynamicConfig, [
    'frontend.namespaceRPS=5',
    'limit.blobSize.error=1024',
  ])
})

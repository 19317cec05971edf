/**
 * `sundial server start`: settings from a YAML file, overridden by SUNDIAL_* variables and then
 * by flags; a bad file, variable or store is refused with exit code 1 and the key named.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { Connection } from '@temporalio/client'
import { newTestSchema, testPostgres } from '../../src/testing/test-postgres.js'
import { eventually } from '../integration/harness.js'
import { migrations } from '../../src/persistence/sqlite/migrations.js'
import { spawnSundial, startSundial } from './cli-process.js'

/** The schema versions of this build (the same list on SQLite and PostgreSQL). */
const versions = migrations.map((m) => m.version)
const latest = versions.length

const dir = mkdtempSync(join(tmpdir(), 'sundial-start-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function configFile(name: string, yaml: string): string {
  const path = join(dir, name)
  writeFileSync(path, yaml)
  return path
}

test('file, then environment, then flags; the server serves what they say', async () => {
  const config = configFile(
    'sundial.yaml',
    [
      'server:',
      '  host: 127.0.0.1',
      '  grpcPort: 1', // overridden by --port 0
      '  logLevel: warn',
      '  metricsPort: 0',
      '  httpPort: 0',
      'store:',
      '  sqlite:',
      `    filename: ${join(dir, 'from-file.db')}`, // overridden by SUNDIAL_DB
      '    synchronous: normal',
      'namespaces: [orders]', // overridden by SUNDIAL_NAMESPACES
      'tls: {}',
    ].join('\n'),
  )
  const db = join(dir, 'from-env.db')
  const server = await startSundial(['server', 'start', '-c', config, '--port', '0'], {
    SUNDIAL_DB: db,
    SUNDIAL_DB_MIGRATE: 'true',
    SUNDIAL_NAMESPACES: 'billing, ledger',
  })
  try {
    assert.deepEqual(server.lines, [
      `Sundial server listening on 127.0.0.1:${server.port}`,
      `Store: SQLite file ${db}`,
      'Namespaces: default, billing, ledger',
    ])
    const connection = await Connection.connect({ address: server.address })
    const ns = await connection.workflowService.describeNamespace({ namespace: 'ledger' })
    assert.equal(ns.namespaceInfo?.name, 'ledger')
    await connection.close()
    // server.metricsPort: 0 in the file serves /metrics on a free port, named in the banner.
    const url = await eventually(() => {
      const m = /^Metrics: (http:\S+)$/m.exec(server.out.stdout)
      return m?.[1] ? Promise.resolve(m[1]) : Promise.reject(new Error('no metrics line yet'))
    })
    const metrics = await (await fetch(url)).text()
    assert.match(metrics, /service_requests\{operation="DescribeNamespace",namespace="ledger"\} 1/)
  } finally {
    server.child.kill('SIGTERM')
    assert.equal(await server.exit, 0)
  }
})

test('without --migrate a store behind this build is refused; db status and migrate fix it', async () => {
  const db = join(dir, 'migrate-me.db')
  const run = async (args: string[]) => {
    const cli = spawnSundial(args)
    return { code: await cli.exit, ...cli.out }
  }
  const missing = await run(['db', 'status', '--db', db])
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /cannot open SQLite file/)

  const refused = await run(['server', 'start', '--db', db, '--port', '0', '--http-port', '0'])
  assert.equal(refused.code, 1)
  assert.match(
    refused.stderr,
    new RegExp(`schema is at version 0, this build needs ${latest}: run \`sundial db migrate\``),
  )
  const before = await run(['db', 'status', '--db', db])
  assert.equal(before.code, 0)
  assert.match(
    before.stdout,
    new RegExp(
      `schema version 0, this build's ${latest}\n${versions.map((v) => `pending: ${v} .*`).join('\n')}`,
    ),
  )

  const migrated = await run(['db', 'migrate', '--db', db])
  assert.equal(migrated.code, 0, migrated.stderr)
  assert.match(
    migrated.stdout,
    new RegExp(`applied ${versions.join(', ')}; schema version ${latest}`),
  )
  assert.match((await run(['db', 'status', '--db', db])).stdout, /up to date/)
  assert.match(
    (await run(['db', 'migrate', '--db', db])).stdout,
    new RegExp(`schema version ${latest}, up to date`),
  )

  const server = await startSundial([
    'server',
    'start',
    '--db',
    db,
    '--port',
    '0',
    '--http-port',
    '0',
  ])
  server.child.kill('SIGTERM')
  assert.equal(await server.exit, 0)
})

test('bad settings are refused naming the key, before anything starts', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [
      ['-c', configFile('typo.yaml', 'server:\n  grpcPrt: 7233\n')],
      {},
      /config file .*typo\.yaml: server: Unrecognized key: "grpcPrt"/,
    ],
    [
      ['-c', configFile('tls.yaml', 'tls:\n  certFile: x.pem\n')],
      {},
      /tls: Unrecognized key: "certFile"/,
    ],
    [['-c', configFile('yaml.yaml', 'server: [\n')], {}, /is not valid YAML/],
    [['-c', join(dir, 'missing.yaml')], {}, /cannot read config file/],
    [[], { SUNDIAL_GRPC_PORT: '70000' }, /environment: SUNDIAL_GRPC_PORT: not a port number/],
    [[], { SUNDIAL_NAMESPACES: 'ok,not ok' }, /SUNDIAL_NAMESPACES.*not a namespace name/],
    [[], { SUNDIAL_DB_MIGRATE: 'yes' }, /SUNDIAL_DB_MIGRATE/],
    [
      ['--db', 'postgres://sundial:secret@127.0.0.1:1/sundial'],
      {},
      /cannot reach PostgreSQL postgres:\/\/sundial:\*\*\*@127\.0\.0\.1:1\/sundial: .*ECONNREFUSED/,
    ],
    [
      ['-c', configFile('both.yaml', 'store:\n  sqlite: {}\n  postgres: {}\n')],
      {},
      /store: give either sqlite or postgres/,
    ],
    [
      ['--db', 'postgres://127.0.0.1:1/sundial'],
      { SUNDIAL_POSTGRES_SCHEMA: 'no-dashes' },
      /SUNDIAL_POSTGRES_SCHEMA: not a schema name/,
    ],
  ]
  for (const [args, env, message] of cases) {
    const cli = spawnSundial(['server', 'start', ...args], env)
    assert.equal(await cli.exit, 1, cli.out.stderr)
    assert.match(cli.out.stderr, message)
    assert.doesNotMatch(cli.out.stderr, /secret/)
    assert.equal(cli.out.stdout, '')
  }
})

test('on PostgreSQL: db status and migrate, then server start serves from it', async () => {
  const { url } = await testPostgres()
  const schema = await newTestSchema('cli')
  const env = { SUNDIAL_DB: url, SUNDIAL_POSTGRES_SCHEMA: schema }
  const run = async (args: string[]) => {
    const cli = spawnSundial(args, env)
    return { code: await cli.exit, ...cli.out }
  }
  const before = await run(['db', 'status'])
  assert.equal(before.code, 0, before.stderr)
  assert.match(
    before.stdout,
    /^PostgreSQL postgres:\/\/postgres:\*\*\*@.* schema cli_\w+: schema version 0/,
  )
  const refused = await run(['server', 'start', '--port', '0', '--http-port', '0'])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, new RegExp(`schema is at version 0, this build needs ${latest}`))
  const migrated = await run(['db', 'migrate'])
  assert.equal(migrated.code, 0, migrated.stderr)
  assert.match(
    migrated.stdout,
    new RegExp(`applied ${versions.join(', ')}; schema version ${latest}`),
  )

  const server = await startSundial(['server', 'start', '--port', '0', '--http-port', '0'], {
    ...env,
    SUNDIAL_NAMESPACES: 'orders',
  })
  try {
    assert.match(server.lines[1] ?? '', /^Store: PostgreSQL postgres:\/\/postgres:\*\*\*@/)
    const connection = await Connection.connect({ address: server.address })
    const ns = await connection.workflowService.describeNamespace({ namespace: 'orders' })
    assert.equal(ns.namespaceInfo?.name, 'orders')
    await connection.close()
  } finally {
    server.child.kill('SIGTERM')
    assert.equal(await server.exit, 0)
  }
})

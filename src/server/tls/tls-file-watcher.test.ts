import assert from 'node:assert/strict'
import { mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { pino } from 'pino'
import { createTestCerts, type TestCerts } from '../../../test/security/test-certs.js'
import { TlsFileWatcher } from './tls-file-watcher.js'
import { TlsFileError } from './tls-material.js'

describe('TLS file watcher', () => {
  let certs: TestCerts
  let warnings: string[]
  let watcher: TlsFileWatcher | undefined
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        warnings.push((JSON.parse(chunk.toString()) as { err: { message: string } }).err.message)
        cb()
      },
    }),
  )

  before(async () => {
    certs = await createTestCerts()
  })
  after(() => certs.cleanup())
  beforeEach(async () => {
    warnings = []
    await certs.writeServer(certs.server)
  })
  afterEach(() => watcher?.close())

  /** Watches the server files; the tests call `check()` instead of waiting for the timer. */
  async function watch(certFile = certs.files.serverCert, keyFile = certs.files.serverKey) {
    watcher = await TlsFileWatcher.open({
      files: { certFile, keyFile, caFiles: [certs.files.ca] },
      intervalMs: 60_000,
      logger,
      name: 'test',
    })
    const seen: string[] = []
    watcher.onChange((m) => seen.push(m.leaf.serialNumber))
    return { w: watcher, seen }
  }

  test('open throws TlsFileError for unusable files', async () => {
    const missing = join(certs.dir, 'missing.key')
    await assert.rejects(
      TlsFileWatcher.open({
        files: { certFile: certs.files.serverCert, keyFile: missing, caFiles: [] },
        intervalMs: 1000,
        logger,
        name: 'test',
      }),
      (e: unknown) => e instanceof TlsFileError && e.file === missing,
    )
  })

  test('applies a rotated pair and tells the listeners', async () => {
    const { w, seen } = await watch()
    await w.check()
    assert.deepEqual(seen, [], 'unchanged files are no change')
    const next = await certs.issueServer()
    await certs.writeServer(next)
    await w.check()
    assert.deepEqual(seen, [next.serialNumber])
    assert.equal(w.current.leaf.serialNumber, next.serialNumber)
    assert.deepEqual(warnings, [])
  })

  test('keeps the old pair while the key does not match yet, warning once', async () => {
    const { w, seen } = await watch()
    const next = await certs.issueServer()
    await writeFile(certs.files.serverCert, next.cert)
    await w.check()
    await w.check()
    assert.equal(w.current.leaf.serialNumber, certs.server.serialNumber)
    assert.equal(warnings.length, 1)
    assert.match(warnings[0] ?? '', /does not match the certificate/)
    await writeFile(certs.files.serverKey, next.key)
    await w.check()
    assert.deepEqual(seen, [next.serialNumber])
  })

  test('keeps the old pair while a file is missing or garbage, then recovers', async () => {
    const { w, seen } = await watch()
    await unlink(certs.files.serverKey)
    await w.check()
    await writeFile(certs.files.serverKey, 'garbage')
    await w.check()
    assert.equal(w.current.leaf.serialNumber, certs.server.serialNumber)
    assert.equal(warnings.length, 2)
    assert.match(warnings[0] ?? '', /cannot be read/)
    assert.match(warnings[1] ?? '', /not a valid PEM private key/)
    // The same pair back: nothing to apply, and a later problem is reported again.
    await writeFile(certs.files.serverKey, certs.server.key)
    await w.check()
    assert.deepEqual(seen, [])
    await writeFile(certs.files.serverKey, 'garbage')
    await w.check()
    assert.equal(warnings.length, 3)
  })

  test('follows a Kubernetes Secret update (the ..data symlink swapped)', async () => {
    // The layout kubelet writes: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>/
    const secret = join(certs.dir, 'secret')
    await rm(secret, { recursive: true, force: true })
    const version = async (name: string, pair: { cert: string; key: string }) => {
      await mkdir(join(secret, name), { recursive: true })
      await writeFile(join(secret, name, 'tls.crt'), pair.cert)
      await writeFile(join(secret, name, 'tls.key'), pair.key)
      await symlink(name, join(secret, '..data_tmp'))
      await rename(join(secret, '..data_tmp'), join(secret, '..data'))
    }
    await version('..v1', certs.server)
    await symlink('..data/tls.crt', join(secret, 'tls.crt'))
    await symlink('..data/tls.key', join(secret, 'tls.key'))
    const { w, seen } = await watch(join(secret, 'tls.crt'), join(secret, 'tls.key'))
    const next = await certs.issueServer()
    await version('..v2', next)
    await rm(join(secret, '..v1'), { recursive: true })
    await w.check()
    assert.deepEqual(seen, [next.serialNumber])
  })

  test('close stops the listeners', async () => {
    const { w, seen } = await watch()
    w.close()
    await certs.writeServer(await certs.issueServer())
    await w.check()
    assert.deepEqual(seen, [])
    assert.equal(w.current.leaf.serialNumber, certs.server.serialNumber)
  })
})

import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { createTestCerts, type TestCerts } from '../../../test/security/test-certs.js'
import { loadTlsMaterial, sameTlsContents, TlsFileError, type TlsFiles } from './tls-material.js'

describe('TLS material', () => {
  let certs: TestCerts
  let files: TlsFiles

  before(async () => {
    certs = await createTestCerts()
    files = {
      certFile: certs.files.serverCert,
      keyFile: certs.files.serverKey,
      caFiles: [certs.files.ca, certs.files.otherCa],
    }
  })
  after(() => certs.cleanup())

  /** Writes `content` to a fresh file and returns its path. */
  let n = 0
  async function file(content: string): Promise<string> {
    const path = join(certs.dir, `case-${++n}.pem`)
    await writeFile(path, content)
    return path
  }

  async function refused(f: TlsFiles, file: string, problem: RegExp): Promise<void> {
    await assert.rejects(loadTlsMaterial(f), (e: unknown) => {
      assert.ok(e instanceof TlsFileError, String(e))
      assert.equal(e.file, file)
      assert.ok(e.message.includes(file), e.message)
      assert.match(e.message, problem)
      return true
    })
  }

  test('loads a certificate, its key and CA bundles', async () => {
    const m = await loadTlsMaterial(files)
    assert.equal(m.leaf.serialNumber, certs.server.serialNumber)
    assert.equal(m.ca.length, 2)
    assert.ok(sameTlsContents(m, await loadTlsMaterial(files)))
  })

  test('takes a chain with several certificates', async () => {
    const chain = await file(certs.server.cert + certs.ca.cert)
    const m = await loadTlsMaterial({ ...files, certFile: chain })
    assert.equal(m.leaf.serialNumber, certs.server.serialNumber)
  })

  test('names a missing file', async () => {
    const missing = join(certs.dir, 'nope.pem')
    await refused({ ...files, certFile: missing }, missing, /cannot be read .*ENOENT/)
    await refused({ ...files, keyFile: missing }, missing, /cannot be read/)
    await refused({ ...files, caFiles: [certs.files.ca, missing] }, missing, /cannot be read/)
  })

  test('names a file without a certificate', async () => {
    const empty = await file('')
    await refused({ ...files, certFile: empty }, empty, /holds no PEM certificate/)
    const keyOnly = await file(certs.server.key)
    await refused({ ...files, caFiles: [keyOnly] }, keyOnly, /holds no PEM certificate/)
  })

  test('names a half-written certificate file', async () => {
    const cut = await file(certs.server.cert.slice(0, 200))
    await refused({ ...files, certFile: cut }, cut, /incomplete/)
    const cutChain = await file(certs.server.cert + certs.ca.cert.slice(0, 100))
    await refused({ ...files, certFile: cutChain }, cutChain, /incomplete/)
  })

  test('names a corrupt certificate', async () => {
    const lines = certs.server.cert.split('\n')
    lines[2] = 'A'.repeat(lines[2]?.length ?? 64)
    const corrupt = await file(lines.join('\n'))
    await refused({ ...files, certFile: corrupt }, corrupt, /certificate 1 is not valid/)
  })

  test('names a key that is not a key', async () => {
    const bad = await file('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')
    await refused({ ...files, keyFile: bad }, bad, /not a valid PEM private key/)
  })

  test('refuses a key that does not match the certificate', async () => {
    const other = await certs.issueServer()
    const key = await file(other.key)
    await refused({ ...files, keyFile: key }, key, /does not match the certificate in/)
  })
})

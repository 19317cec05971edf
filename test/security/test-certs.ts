/**
 * Test certificates: a CA with a server certificate (for `localhost` and `127.0.0.1`) and a
 * client certificate, a second CA that has nothing to do with the first (with its own client
 * certificate), all written as PEM files into a fresh temporary directory. `issueServer` signs
 * another server certificate with a new serial number and a new key, for rotation tests.
 * ECDSA P-256 keeps generation fast.
 */
import { X509Certificate as NodeX509Certificate, randomBytes, webcrypto } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as x509 from '@peculiar/x509'

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const HOUR_MS = 60 * 60 * 1000

/** A certificate with its key, as PEM text. */
export interface IssuedCert {
  cert: string
  key: string
  /** As node:tls reports it (`getPeerCertificate().serialNumber`): upper-case hex. */
  serialNumber: string
}

export interface TestCa {
  cert: string
  /** Signs a certificate for a server (`localhost`, `127.0.0.1`) or a client. */
  issue(kind: 'server' | 'client', commonName?: string): Promise<IssuedCert>
}

export interface TestCerts {
  dir: string
  ca: TestCa
  /** Unrelated to `ca`: its certificates must not be accepted where `ca`'s are. */
  otherCa: TestCa
  server: IssuedCert
  client: IssuedCert
  /** A client certificate signed by `otherCa`. */
  otherClient: IssuedCert
  /** Where the PEM files are. */
  files: {
    ca: string
    otherCa: string
    serverCert: string
    serverKey: string
    clientCert: string
    clientKey: string
  }
  /** A new server certificate from `ca`: new key, new serial number; not written anywhere. */
  issueServer(): Promise<IssuedCert>
  /** Writes a server certificate over the server files (certificate first, then key). */
  writeServer(pair: IssuedCert): Promise<void>
  /** Removes the directory. */
  cleanup(): Promise<void>
}

export async function createTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'sundial-tls-'))
  const ca = await createCa('Sundial Test CA')
  const otherCa = await createCa('Unrelated Test CA')
  const [server, client, otherClient] = await Promise.all([
    ca.issue('server'),
    ca.issue('client', 'test-client'),
    otherCa.issue('client', 'intruder'),
  ])
  const files = {
    ca: join(dir, 'ca.pem'),
    otherCa: join(dir, 'other-ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
  }
  await Promise.all([
    writeFile(files.ca, ca.cert),
    writeFile(files.otherCa, otherCa.cert),
    writeFile(files.serverCert, server.cert),
    writeFile(files.serverKey, server.key),
    writeFile(files.clientCert, client.cert),
    writeFile(files.clientKey, client.key),
  ])
  return {
    dir,
    ca,
    otherCa,
    server,
    client,
    otherClient,
    files,
    issueServer: () => ca.issue('server'),
    async writeServer(pair) {
      await writeFile(files.serverCert, pair.cert)
      await writeFile(files.serverKey, pair.key)
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

async function createCa(name: string): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: ALG,
    serialNumber: serial(),
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  return {
    cert: pemFile(caCert.toString('pem')),
    async issue(kind, commonName = kind === 'server' ? 'localhost' : 'client') {
      const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([
          kind === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
      ]
      if (kind === 'server') {
        extensions.push(
          new x509.SubjectAlternativeNameExtension([
            { type: 'dns', value: 'localhost' },
            { type: 'ip', value: '127.0.0.1' },
          ]),
        )
      }
      const cert = await x509.X509CertificateGenerator.create({
        subject: `CN=${commonName}`,
        issuer: caCert.subject,
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: ALG,
        serialNumber: serial(),
        ...validity(),
        extensions,
      })
      const pem = pemFile(cert.toString('pem'))
      const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)
      return {
        cert: pem,
        key: pemFile(x509.PemConverter.encode(pkcs8, 'PRIVATE KEY')),
        serialNumber: new NodeX509Certificate(pem).serialNumber,
      }
    },
  }
}

/** PEM text as files hold it: ending in a newline, so that files can be concatenated. */
function pemFile(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`
}

/** 16 random bytes, positive and without a leading zero byte, as hex. */
function serial(): string {
  const bytes = randomBytes(16)
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10
  return bytes.toString('hex')
}

/** Valid from an hour ago (clock skew) for a day. */
function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now()
  return { notBefore: new Date(now - HOUR_MS), notAfter: new Date(now + 24 * HOUR_MS) }
}

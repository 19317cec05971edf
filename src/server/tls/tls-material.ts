/**
 * The PEM files behind a TLS listener: read, checked, and kept as the buffers node:tls takes.
 * Every failure names its file, and a key that does not belong to the certificate is refused
 * here, at start-up or on reload, instead of at the first handshake (or, in grpc-js, by a
 * listener that drops every new connection once `setSecureContext` throws).
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import { ensureError } from '../../common/errors.js'

/** Where the material is; the same shape will serve internode TLS. */
export interface TlsFiles {
  /** PEM certificate chain, leaf first. */
  certFile: string
  /** PEM private key (unencrypted) of the leaf certificate. */
  keyFile: string
  /** PEM bundles of the CAs that peer certificates must chain to; may be empty. */
  caFiles: readonly string[]
}

/** The raw contents of {@link TlsFiles}, in the same order. */
export interface TlsContents {
  cert: Buffer
  key: Buffer
  ca: Buffer[]
}

/** Contents that passed {@link parseTlsMaterial}. */
export interface TlsMaterial extends TlsContents {
  /** The leaf certificate, for logs (serial number, expiry) and tests. */
  leaf: X509Certificate
}

/** A TLS file that is missing, unreadable, malformed or inconsistent with another. */
export class TlsFileError extends Error {
  constructor(
    /** The file at fault. */
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`TLS file ${file}: ${problem}`, options)
    this.name = 'TlsFileError'
  }
}

/** Reads the files; throws {@link TlsFileError} for the first one that cannot be read. */
export async function readTlsFiles(files: TlsFiles): Promise<TlsContents> {
  const read = async (file: string): Promise<Buffer> => {
    try {
      // readFile follows symlinks, so a Kubernetes Secret's swapped `..data` link is seen.
      return await readFile(file)
    } catch (e: unknown) {
      throw new TlsFileError(file, `cannot be read (${message(e)})`, { cause: e })
    }
  }
  const [cert, key, ...ca] = await Promise.all(
    [files.certFile, files.keyFile, ...files.caFiles].map(read),
  )
  if (!cert || !key) throw new Error('unreachable: certificate and key were read')
  return { cert, key, ca }
}

/**
 * Checks that every file holds complete PEM blocks of the right kind, that the key is the
 * leaf certificate's, and that node:tls accepts the whole; throws {@link TlsFileError}.
 */
export function parseTlsMaterial(files: TlsFiles, contents: TlsContents): TlsMaterial {
  const [leaf] = parseCertificates(files.certFile, contents.cert)
  if (!leaf) throw new Error('unreachable: parseCertificates returns at least one')
  let key: KeyObject
  try {
    key = createPrivateKey(contents.key)
  } catch (e: unknown) {
    throw new TlsFileError(files.keyFile, `is not a valid PEM private key (${message(e)})`, {
      cause: e,
    })
  }
  if (!leaf.checkPrivateKey(key)) {
    throw new TlsFileError(files.keyFile, `does not match the certificate in ${files.certFile}`)
  }
  files.caFiles.forEach((file, i) => parseCertificates(file, contents.ca[i] ?? Buffer.alloc(0)))
  try {
    createSecureContext({ cert: contents.cert, key: contents.key, ca: contents.ca })
  } catch (e: unknown) {
    throw new TlsFileError(files.certFile, `is refused by node:tls (${message(e)})`, { cause: e })
  }
  return { ...contents, leaf }
}

/** {@link readTlsFiles} then {@link parseTlsMaterial}. */
export async function loadTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  return parseTlsMaterial(files, await readTlsFiles(files))
}

/** True when both hold the same bytes, file by file. */
export function sameTlsContents(a: TlsContents, b: TlsContents): boolean {
  return (
    a.cert.equals(b.cert) &&
    a.key.equals(b.key) &&
    a.ca.length === b.ca.length &&
    a.ca.every((c, i) => b.ca[i]?.equals(c) === true)
  )
}

const BEGIN = '-----BEGIN CERTIFICATE-----'
const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g

/**
 * Every certificate of a PEM file, at least one. A BEGIN line without its END (a file caught
 * half-written) is an error, not a shorter chain.
 */
function parseCertificates(file: string, pem: Buffer): X509Certificate[] {
  const text = pem.toString('latin1')
  const blocks = text.match(CERTIFICATE_BLOCK) ?? []
  if (text.split(BEGIN).length - 1 !== blocks.length) {
    throw new TlsFileError(file, 'holds an incomplete PEM certificate')
  }
  if (blocks.length === 0) throw new TlsFileError(file, 'holds no PEM certificate')
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block)
    } catch (e: unknown) {
      throw new TlsFileError(file, `certificate ${i + 1} is not valid (${message(e)})`, {
        cause: e,
      })
    }
  })
}

function message(e: unknown): string {
  return ensureError(e).message
}

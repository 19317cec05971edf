/**
 * Keeps a listener's TLS material in step with its files. The files are read again every
 * interval and compared byte for byte with what was last seen: that catches an in-place write
 * and a Kubernetes Secret update alike (cert-manager swaps the `..data` symlink, so the paths
 * stay the same while the resolved files change). Polling contents rather than watching inodes
 * keeps one code path for every way a file can be replaced.
 *
 * New contents are applied only once they parse and the key matches the certificate; until
 * then the old material stays in service and one warning per distinct problem is logged, so a
 * rotation that writes the certificate before the key is picked up when the key lands.
 */
import type { Logger } from 'pino'
import { ensureError } from '../../common/errors.js'
import {
  loadTlsMaterial,
  parseTlsMaterial,
  readTlsFiles,
  sameTlsContents,
  type TlsContents,
  type TlsFiles,
  type TlsMaterial,
} from './tls-material.js'

export interface TlsFileWatcherOptions {
  files: TlsFiles
  /** How often the files are read again, in ms. */
  intervalMs: number
  logger: Logger
  /** What the files serve, for logs (`frontend`). */
  name: string
}

export type TlsMaterialListener = (material: TlsMaterial) => void

export class TlsFileWatcher {
  readonly #opts: TlsFileWatcherOptions
  #material: TlsMaterial
  /**
   * The contents last looked at, good or bad, so that unchanged files are not parsed again;
   * undefined after a read failed.
   */
  #seen: TlsContents | undefined
  #lastWarning: string | undefined
  readonly #listeners = new Set<TlsMaterialListener>()
  readonly #timer: NodeJS.Timeout
  #checking: Promise<void> | undefined
  #closed = false

  /** Loads the files (throwing `TlsFileError` when they are unusable) and starts watching. */
  static async open(opts: TlsFileWatcherOptions): Promise<TlsFileWatcher> {
    return new TlsFileWatcher(opts, await loadTlsMaterial(opts.files))
  }

  private constructor(opts: TlsFileWatcherOptions, material: TlsMaterial) {
    this.#opts = opts
    this.#material = material
    this.#seen = material
    this.#timer = setInterval(() => void this.check(), opts.intervalMs)
    // Watching must not keep a process alive that has nothing else to do.
    this.#timer.unref()
  }

  /** The material new handshakes get. */
  get current(): TlsMaterial {
    return this.#material
  }

  /**
   * Calls `listener` with the new material after each change, in order of registration, on
   * the watcher's timer; a listener that throws is logged and does not stop the others.
   * Returns a function that removes it.
   */
  onChange(listener: TlsMaterialListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Reads the files now (the timer does this every interval); never rejects. */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => (this.#checking = undefined))
    return this.#checking
  }

  /** Stops watching; `current` stays as it was. */
  close(): void {
    this.#closed = true
    clearInterval(this.#timer)
    this.#listeners.clear()
  }

  async #check(): Promise<void> {
    const { files, logger, name } = this.#opts
    let contents: TlsContents
    try {
      contents = await readTlsFiles(files)
    } catch (e: unknown) {
      this.#seen = undefined
      return this.#warn(e)
    }
    if (this.#closed || (this.#seen && sameTlsContents(contents, this.#seen))) return
    this.#seen = contents
    if (sameTlsContents(contents, this.#material)) {
      // Back to what is served (a broken write undone): nothing to apply.
      this.#lastWarning = undefined
      return
    }
    let material: TlsMaterial
    try {
      material = parseTlsMaterial(files, contents)
    } catch (e: unknown) {
      return this.#warn(e)
    }
    this.#material = material
    this.#lastWarning = undefined
    logger.info(
      {
        certFile: files.certFile,
        serialNumber: material.leaf.serialNumber,
        validTo: material.leaf.validTo,
      },
      `${name} TLS material reloaded`,
    )
    for (const listener of this.#listeners) {
      try {
        listener(material)
      } catch (e: unknown) {
        logger.error({ err: e }, `${name} TLS material could not be applied`)
      }
    }
  }

  #warn(e: unknown): void {
    const err = ensureError(e)
    if (this.#closed || err.message === this.#lastWarning) return
    this.#lastWarning = err.message
    this.#opts.logger.warn(
      { err, serialNumber: this.#material.leaf.serialNumber },
      `${this.#opts.name} TLS files changed but are not usable; the previous certificate stays`,
    )
  }
}

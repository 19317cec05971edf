/**
 * What the Web UI's browser tests share: an in-process Sundial serving the UI on a free port, the
 * SDK client to start workflows, a worker running ui-workflows.ts (bundled once per test file),
 * and Debian's Chromium driven by playwright-core. Each test gets a fresh page.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { after, afterEach, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Client, Connection } from '@temporalio/client'
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
} from '@temporalio/worker'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'
import { pino } from 'pino'
import { createServer, type SundialServer } from '../../src/server/server.js'
import { testStoreConfig } from '../../src/testing/test-store.js'
import * as activities from './ui-activities.js'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * Why the browser tests cannot run here, if they cannot. Outside CI a machine without Chromium
 * skips them; in CI (`.ci/run` installs it) a missing browser must fail, not pass silently.
 */
export const skipReason: string | false =
  !existsSync(CHROMIUM) && !process.env.CI
    ? `Debian's chromium is not installed (${CHROMIUM}); .ci/run installs it`
    : false

/** Debian's Chromium, headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Without the background-networking flags Chromium tries to reach Google's hosts, which
    // this sandbox refuses, many times over.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/** Where screenshots go (git-ignored; CI keeps them). */
export const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url))

// Core's own logs (a task completed after its run was terminated) go to stderr unless filtered.
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
})

export interface UiHarness {
  server: SundialServer
  client: Client
  /** The task queue the worker polls. */
  taskQueue: string
  /** `http://127.0.0.1:<ui port>`. */
  baseUrl: string
  /** A new page at `path`, with uncaught page errors collected into `pageErrors`. */
  open(path: string): Promise<Page>
  /** Errors thrown in any page so far; a test ends by checking there were none. */
  pageErrors: string[]
  /** The URL of every HTTP API call the pages made, in order. */
  apiCalls: URL[]
  /** Writes a full-page PNG to test-results/<name>.png. */
  screenshot(page: Page, name: string): Promise<void>
  close(): Promise<void>
}

let counter = 0
/** A unique id in this test process. */
export function uid(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`
}

/**
 * Within a `describe`: one harness for its tests, started before them and closed after them,
 * handed to `set`; a test fails when any page threw during it.
 */
export function useUiHarness(
  set: (h: UiHarness) => void,
  opts: { namespaces?: string[] } = {},
): void {
  let h: UiHarness | undefined
  before(async () => {
    h = await startUiHarness(opts)
    set(h)
  })
  after(async () => {
    await h?.close()
  })
  afterEach(() => {
    assert.deepEqual(h?.pageErrors.splice(0) ?? [], [], 'errors thrown in the page')
  })
}

/** The value of a `<dl>` entry marked `data-field="name"`. */
export const field = (page: Page, name: string): Locator =>
  page.locator(`[data-field="${name}"] dd`).first()

/** The body rows of the table labelled `table`. */
export const tableRows = (page: Page, table: string): Locator =>
  page.getByRole('table', { name: table }).locator('tbody tr')

export async function startUiHarness(opts: { namespaces?: string[] } = {}): Promise<UiHarness> {
  const server = await createServer({
    port: 0,
    http: { port: 0 },
    ui: { port: 0 },
    logger: pino({ level: 'warn' }),
    store: await testStoreConfig(),
    namespaces: opts.namespaces,
  })
  const stops: (() => Promise<unknown>)[] = [() => server.stop()]
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop()
  }
  try {
    const connection = await Connection.connect({ address: server.address })
    stops.push(() => connection.close())
    const taskQueue = uid('ui')
    const workerConnection = await NativeConnection.connect({ address: server.address })
    stops.push(() => workerConnection.close())
    const worker = await Worker.create({
      connection: workerConnection,
      taskQueue,
      identity: 'ui-test-worker',
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: fileURLToPath(new URL('./ui-workflows.js', import.meta.url)),
        logger: new DefaultLogger('WARN'),
      }),
      activities,
      shutdownGraceTime: '1s',
    })
    const running = worker.run()
    stops.push(async () => {
      worker.shutdown()
      await running
    })
    const browser = await launchChromium()
    stops.push(() => browser.close())
    const baseUrl = `http://127.0.0.1:${server.uiPort}`
    const pageErrors: string[] = []
    const apiCalls: URL[] = []
    await mkdir(RESULTS_DIR, { recursive: true })
    return {
      server,
      client: new Client({ connection }),
      taskQueue,
      baseUrl,
      pageErrors,
      apiCalls,
      async open(path) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
        page.setDefaultTimeout(15_000)
        page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`))
        page.on('request', (r) => {
          const url = new URL(r.url())
          if (url.pathname.startsWith('/api/')) apiCalls.push(url)
        })
        await page.goto(baseUrl + path)
        return page
      },
      async screenshot(page, name) {
        await page.screenshot({ path: `${RESULTS_DIR}${name}.png`, fullPage: true })
      },
      close: stopAll,
    }
  } catch (e: unknown) {
    await stopAll()
    throw e
  }
}

/**
 * Waits until the text of `locator` matches `want` (Playwright's locators wait for elements,
 * not for their text to change, and playwright-core has no `expect`). Fails with the last text.
 */
export async function expectText(
  locator: Locator,
  want: RegExp | string,
  timeoutMs = 15_000,
): Promise<string> {
  const matches = (t: string) => (typeof want === 'string' ? t.includes(want) : want.test(t))
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let last: string
    try {
      last = await locator.innerText({ timeout: 1000 })
      if (matches(last)) return last
    } catch (e: unknown) {
      last = `(${e instanceof Error ? e.message.split('\n')[0] : String(e)})`
    }
    if (Date.now() > deadline) {
      throw new Error(`expected ${String(want)} in ${locator.toString()}, last saw: ${last}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Waits until `locator` matches exactly `n` elements. */
export async function expectCount(locator: Locator, n: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const count = await locator.count()
    if (count === n) return
    if (Date.now() > deadline) {
      throw new Error(`expected ${n} of ${locator.toString()}, found ${count}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

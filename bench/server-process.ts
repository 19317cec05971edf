/**
 * The Sundial server under test, in its own child process so that its RSS and CPU time are its
 * own and the drivers' work does not share its event loop. Linux only: reads /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { WorkflowService, type BenchConnection } from './raw-driver.js'

/** Linux USER_HZ; /proc/<pid>/stat reports utime and stime in these ticks. */
const CLOCK_TICKS_PER_S = 100

export interface ServerProcess {
  address: string
  pid: number
  /** Spawn to the first successful `getSystemInfo` answer. */
  startupMs: number
  rssMb(): number
  cpuMs(): number
  /** Samples RSS every `intervalMs` until the returned function is called; it returns the peak. */
  samplePeakRss(intervalMs?: number): () => number
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()

/** Kills every server still running; safe to call from `exit` handlers (synchronous). */
export function killAllServers(): void {
  for (const child of live) child.kill('SIGKILL')
  live.clear()
}

/**
 * `sundial server start-dev --port 0`, on `dbFilename` or, without one, in memory; with `start`,
 * `sundial server start` with those arguments and environment instead (a production start, and
 * `connection` how to reach it).
 */
export async function startServerProcess(
  dbFilename?: string,
  start?: { args: string[]; env: Record<string, string>; connection: BenchConnection },
): Promise<ServerProcess> {
  const mainJs = new URL('../src/cli/main.js', import.meta.url).pathname
  const store = dbFilename ? ['--db-filename', dbFilename] : []
  // One namespace carries the whole load here, beyond Temporal's per-namespace rate limits
  // (2400 calls/s, 10 visibility calls/s), which would measure the limiter, not the server.
  const unlimited = [
    'frontend.namespaceRPS=1000000',
    'frontend.namespaceRPS.visibility=1000000',
  ].flatMap((v) => ['--dynamic-config-value', v])
  const args = start
    ? ['server', 'start', ...start.args]
    : ['server', 'start-dev', ...store, ...unlimited]
  const t0 = performance.now()
  const child = spawn(process.execPath, [mainJs, ...args, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...start?.env },
  })
  live.add(child)
  child.once('exit', () => live.delete(child))
  const pid = child.pid
  if (pid === undefined) throw new Error('server did not spawn')

  const address = await new Promise<string>((resolve, reject) => {
    let out = ''
    const onData = (chunk: Buffer): void => {
      out += chunk.toString()
      const m = /Sundial server listening on (\S+)/.exec(out)
      if (m?.[1]) {
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(m[1])
      }
    }
    child.stdout?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)))
  })

  await waitForSystemInfo(address, start?.connection)
  const startupMs = performance.now() - t0

  const rssMb = (): number => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m?.[1] ? Number(m[1]) / 1024 : NaN
  }
  const cpuMs = (): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11]) + Number(fields[12])
    return (ticks * 1000) / CLOCK_TICKS_PER_S
  }

  return {
    address,
    pid,
    startupMs,
    rssMb,
    cpuMs,
    samplePeakRss(intervalMs = 200) {
      let peak = rssMb()
      const timer = setInterval(() => {
        peak = Math.max(peak, rssMb())
      }, intervalMs)
      return () => {
        clearInterval(timer)
        return Math.max(peak, rssMb())
      }
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise<void>((r) => child.once('exit', () => r()))
      child.kill('SIGTERM')
      const forced = sleep(5000).then(() => child.kill('SIGKILL'))
      await Promise.race([exited, forced])
      await exited
    },
  }
}

/** Polls with the bare grpc-js client, so the figure is the server's and not an SDK's set-up. */
async function waitForSystemInfo(address: string, connection?: BenchConnection): Promise<void> {
  const service = new WorkflowService(address, connection)
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await service.call('GetSystemInfo', {})
        return
      } catch (e: unknown) {
        if (attempt > 200) throw e
        await sleep(10)
      }
    }
  } finally {
    service.close()
  }
}

/**
 * `npm run bench [-- --quick]`: Sundial's throughput, latency, startup, memory and CPU, next to
 * the gRPC and SQLite ceilings of the same machine, measured in the same run. Writes
 * bench/results/<date>-<commit>.json and .svg; the last stdout line is a JSON summary.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { grpcCeiling, sqliteCeiling } from './ceilings.js'
import { runRawLevel, type RawLevelResult } from './raw-driver.js'
import { rawPlotSvg, round, table } from './report.js'
import { runSdk } from './sdk-driver.js'
import { measureVisibility } from './visibility.js'
import { runScheduleFleet } from './schedules.js'
import { runSecurityComparison } from './security.js'
import { killAllServers, startServerProcess } from './server-process.js'
import { measureStartDev } from './startup.js'

const quick = process.argv.includes('--quick')
const cfg = quick
  ? {
      levels: [10, 50],
      warmupMs: 1000,
      measureMs: 8000,
      sdkCount: 300,
      sdkSeq: 50,
      ceilMs: 1500,
      startDevSamples: 3,
      fleet: { active: 200, paused: 2000, measureMs: 5000 },
    }
  : {
      levels: [1, 10, 50, 200],
      warmupMs: 2000,
      measureMs: 10_000,
      sdkCount: 2000,
      sdkSeq: 200,
      ceilMs: 2000,
      startDevSamples: 7,
      fleet: { active: 1000, paused: 10_000, measureMs: 10_000 },
    }
const SDK_CONCURRENCY = 50
/** The raw driver's in-flight calls for the TLS + JWT comparison. */
const SECURITY_CONCURRENCY = 50
/** How long the server sits idle before its idle RSS is read. */
const IDLE_SETTLE_MS = 12_000

process.on('exit', killAllServers)
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAllServers()
    process.exit(130)
  })
}

async function main(): Promise<void> {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
  const commit = gitShortHead(repoRoot)
  const runId = `${process.pid}-${Date.now().toString(36)}`
  const nproc = availableParallelism()
  // Other processes on the machine skew every figure here, ceilings included; keep the evidence.
  const loadAtStart = loadavg()
  log(
    `Sundial bench (${quick ? 'quick' : 'full'}), commit ${commit}, ${nproc} cores, ` +
      `load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
  )

  // Ceilings first, while nothing else runs.
  log('ceilings: SQLite durable commits ...')
  const sqliteCommitsPerS = sqliteCeiling(2000)
  const grpcPerS: Record<number, number> = {}
  for (const c of cfg.levels) {
    log(`ceilings: bare gRPC unary at ${c} in flight ...`)
    grpcPerS[c] = await grpcCeiling(c, cfg.ceilMs)
  }

  log(`start-dev in memory: ${cfg.startDevSamples} starts, then idle RSS ...`)
  const startDev = await measureStartDev(cfg.startDevSamples, IDLE_SETTLE_MS)

  const tmp = mkdtempSync(join(tmpdir(), 'sundial-bench-'))
  const server = await startServerProcess(join(tmp, 'bench.db'))
  try {
    log(`server pid ${server.pid} at ${server.address}, up in ${server.startupMs.toFixed(0)} ms`)
    await new Promise((r) => setTimeout(r, 1000))
    const startRssMb = server.rssMb()
    // V8 keeps the young generation that start-up grew until its memory reducer runs, about 8 s
    // into a quiet spell; the idle figure is what a server that is doing nothing holds.
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS))
    const idleRssMb = server.rssMb()
    const stopSampling = server.samplePeakRss(200)

    const raw: (RawLevelResult & { serverCpuMsPerWf: number; driverCpuMsPerWf: number })[] = []
    let rawCpuMs = 0
    let rawCompleted = 0
    for (const concurrency of cfg.levels) {
      log(`raw driver: concurrency ${concurrency} ...`)
      const cpu0 = server.cpuMs()
      const driver0 = benchProcessCpuMs()
      const r = await runRawLevel({ address: server.address, concurrency, runId, ...cfg })
      const cpu = server.cpuMs() - cpu0
      const driverCpu = benchProcessCpuMs() - driver0
      rawCpuMs += cpu
      rawCompleted += r.completed
      raw.push({
        ...r,
        serverCpuMsPerWf: cpu / Math.max(1, r.completed),
        driverCpuMsPerWf: driverCpu / Math.max(1, r.completed),
      })
    }

    log(
      `sdk driver: ${cfg.sdkCount} at ${SDK_CONCURRENCY} in flight, then ${cfg.sdkSeq} one by one ...`,
    )
    const cpuSdk0 = server.cpuMs()
    const sdkDriver0 = benchProcessCpuMs()
    const sdk = await runSdk({
      address: server.address,
      runId,
      count: cfg.sdkCount,
      concurrency: SDK_CONCURRENCY,
      sequentialCount: cfg.sdkSeq,
    })
    const sdkCpuMs = server.cpuMs() - cpuSdk0
    // The SDK's own cost: worker (Rust core threads, workflow sandbox threads) and client, all
    // in this process. Server plus SDK CPU per workflow bounds throughput on these cores.
    const sdkDriverCpuMs = benchProcessCpuMs() - sdkDriver0
    const sdkWorkflows = sdk.warmup.workflows + sdk.throughput.workflows + sdk.sequential.workflows
    const sdkServerCpuPerWf = sdkCpuMs / Math.max(1, sdkWorkflows)
    const sdkDriverCpuPerWf = sdkDriverCpuMs / Math.max(1, sdkWorkflows)
    const peakRssMb = stopSampling()

    log('visibility: list and count with >= 10,000 closed workflows ...')
    const visibility = await measureVisibility(server.address, runId)

    log(
      `schedules: ${cfg.fleet.active} every 1 s on a fresh SQLite file, then ${cfg.fleet.paused} paused ...`,
    )
    const fleetServer = await startServerProcess(join(tmp, 'fleet.db'))
    const fleet = await runScheduleFleet({ server: fleetServer, runId, ...cfg.fleet }).finally(() =>
      fleetServer.stop(),
    )

    log(`envelope: raw driver at ${SECURITY_CONCURRENCY} in flight: plain, metrics, TLS + JWT ...`)
    const security = await runSecurityComparison({
      runId,
      concurrency: SECURITY_CONCURRENCY,
      warmupMs: cfg.warmupMs,
      measureMs: cfg.measureMs,
    })

    // The raw headline is the best level; its ratio uses the gRPC ceiling at that concurrency.
    const best = raw.reduce((a, b) => (b.wfPerS > a.wfPerS ? b : a))
    const grpcAtBest = grpcPerS[best.concurrency] ?? NaN
    const summary = {
      sdk_wf_per_s: round(sdk.throughput.wfPerS),
      sdk_p99_ms: round(sdk.throughput.latency.p99),
      sdk_seq_p50_ms: round(sdk.sequential.latency.p50),
      raw_wf_per_s: round(best.wfPerS),
      raw_best_concurrency: best.concurrency,
      raw_rpcs_per_wf: round(best.rpcsPerWorkflow, 2),
      raw_rpc_ceiling_ratio: round((best.rpcsPerWorkflow * best.wfPerS) / grpcAtBest, 3),
      startup_ms: round(server.startupMs, 0),
      start_dev_startup_p50_ms: round(startDev.startupMs.p50, 0),
      start_dev_startup_max_ms: round(startDev.startupMs.max, 0),
      start_dev_idle_rss_mb: round(startDev.idleRssMb),
      idle_rss_mb: round(idleRssMb),
      start_rss_mb: round(startRssMb),
      peak_rss_mb: round(peakRssMb),
      cpu_ms_per_wf: round(rawCpuMs / Math.max(1, rawCompleted), 2),
      raw_driver_cpu_ms_per_wf: round(best.driverCpuMsPerWf, 2),
      sdk_server_cpu_ms_per_wf: round(sdkServerCpuPerWf, 2),
      sdk_process_cpu_ms_per_wf: round(sdkDriverCpuPerWf, 2),
      // What the cores allow when every CPU millisecond goes to the two processes' work.
      sdk_cpu_bound_wf_per_s: round((nproc * 1000) / (sdkServerCpuPerWf + sdkDriverCpuPerWf)),
      list_closed_workflows: visibility.closedWorkflows,
      list_100_p50_ms: round(visibility.list100.p50, 2),
      list_1000_p50_ms: round(visibility.list1000.p50, 2),
      list_filtered_p50_ms: round(visibility.filtered.p50, 2),
      count_p50_ms: round(visibility.count.p50, 2),
      schedules_active: fleet.activeSchedules,
      schedule_delay_p50_ms: round(fleet.delay.p50, 1),
      schedule_delay_p99_ms: round(fleet.delay.p99, 1),
      schedule_starts_ratio: round(fleet.starts / Math.max(1, fleet.expectedStarts), 3),
      schedule_fleet_cpu_ms_per_s: round(fleet.serverCpuMsPerS, 0),
      schedules_paused: fleet.pausedSchedules,
      schedule_paused_idle_cpu_ms_per_s: round(fleet.pausedIdleCpuMsPerS, 2),
      security_off_wf_per_s: round(security.off.wfPerS),
      security_on_wf_per_s: round(security.on.wfPerS),
      security_on_off_ratio: round(security.ratio, 3),
      metrics_on_wf_per_s: round(security.metrics.wfPerS),
      metrics_on_off_ratio: round(security.metricsRatio, 3),
      sqlite_commits_per_s: round(sqliteCommitsPerS, 0),
      grpc_rpc_ceiling_per_s: round(grpcAtBest, 0),
      nproc,
      loadavg_1m_at_start: round(loadAtStart[0] ?? NaN, 2),
    }

    console.log('\nRaw gRPC driver (server only; server CPU per workflow from /proc)')
    console.log(
      table(
        [
          'concurrency',
          'wf/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'RPCs/wf',
          'server CPU ms/wf',
          'driver CPU ms/wf',
          'errors',
          'gRPC ceil/s',
          'ceil ratio',
        ],
        raw.map((r) => {
          const ceil = grpcPerS[r.concurrency] ?? NaN
          return [
            String(r.concurrency),
            r.wfPerS,
            r.latency.p50,
            r.latency.p95,
            r.latency.p99,
            r.rpcsPerWorkflow,
            r.serverCpuMsPerWf,
            r.driverCpuMsPerWf,
            String(r.errors),
            ceil,
            ((r.rpcsPerWorkflow * r.wfPerS) / ceil).toFixed(3),
          ]
        }),
      ),
    )
    console.log('\nSDK driver (Worker + Client in the bench process)')
    console.log(
      table(
        ['phase', 'workflows', 'in flight', 'wf/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
        [sdk.throughput, sdk.sequential].map((p, i) => [
          i === 0 ? 'throughput' : 'sequential',
          String(p.workflows),
          String(p.concurrency),
          p.wfPerS,
          p.latency.p50,
          p.latency.p95,
          p.latency.p99,
          String(p.errors),
        ]),
      ),
    )
    console.log(
      `\nVisibility (${visibility.closedWorkflows} closed workflows; ${visibility.list100.count} calls each)`,
    )
    console.log(
      table(
        ['call', 'p50 ms', 'p95 ms', 'p99 ms'],
        (
          [
            ['list, first 100 (default order)', visibility.list100],
            ['list, first 1,000 (default order)', visibility.list1000],
            ['list, type + status filter, 100', visibility.filtered],
            ['count', visibility.count],
            ['count GROUP BY ExecutionStatus', visibility.countGroupBy],
          ] as const
        ).map(([name, l]) => [name, l.p50, l.p95, l.p99]),
      ),
    )
    console.log('\nServer process and ceilings')
    console.log(
      table(
        ['metric', 'value'],
        [
          ['startup ms (spawn to getSystemInfo, SQLite file)', server.startupMs],
          [
            `start-dev in memory: startup ms p50 / max of ${startDev.samples}`,
            `${round(startDev.startupMs.p50, 0)} / ${round(startDev.startupMs.max, 0)}`,
          ],
          ['start-dev in memory: RSS MB 1 s after start', startDev.startRssMb],
          [
            `start-dev in memory: idle RSS MB (${IDLE_SETTLE_MS / 1000} s later)`,
            startDev.idleRssMb,
          ],
          ['RSS MB 1 s after start', startRssMb],
          [`idle RSS MB (${IDLE_SETTLE_MS / 1000} s later)`, idleRssMb],
          ['peak RSS MB (200 ms samples)', peakRssMb],
          ['server CPU ms/wf (raw)', summary.cpu_ms_per_wf],
          ['server CPU ms/wf (SDK)', sdkServerCpuPerWf],
          ['SDK process CPU ms/wf (worker + client)', sdkDriverCpuPerWf],
          ['SDK wf/s the cores allow (nproc / total CPU per wf)', summary.sdk_cpu_bound_wf_per_s],
          ['SQLite durable commits/s', sqliteCommitsPerS],
          ['SDK bundle ms', sdk.bundleMs],
        ],
      ),
    )

    console.log('\nSchedule fleet (fresh SQLite file, interval 1 s, ALLOW_ALL, no worker)')
    console.log(
      table(
        ['figure', 'value'],
        [
          ['active schedules', fleet.activeSchedules],
          ['starts measured / asked for', `${fleet.starts} / ${fleet.expectedStarts}`],
          [
            'nominal time → start p50 / p95 / p99 / max ms',
            `${round(fleet.delay.p50)} / ${round(fleet.delay.p95)} / ${round(fleet.delay.p99)} / ${round(fleet.delay.max)}`,
          ],
          ['server CPU while firing, ms/s', round(fleet.serverCpuMsPerS, 0)],
          ['paused schedules', fleet.pausedSchedules],
          ['server CPU with only paused ones, ms/s', round(fleet.pausedIdleCpuMsPerS, 2)],
        ],
      ),
    )

    console.log(
      `\nProduction envelope (raw driver, ${security.concurrency} in flight, fresh SQLite files)`,
    )
    console.log(
      table(
        ['server', 'wf/s', 'p50 ms', 'p99 ms', 'server CPU ms/wf', 'errors'],
        (
          [
            ['plain', security.off],
            ['Prometheus metrics on', security.metrics],
            ['TLS + JWT on every call', security.on],
          ] as const
        ).map(([name, r]) => [
          name,
          round(r.wfPerS),
          round(r.latency.p50),
          round(r.latency.p99),
          round(r.serverCpuMsPerWf, 2),
          r.errors,
        ]),
      ),
    )
    console.log(`TLS + JWT / plain: ${round(security.ratio, 3)} (target >= 0.9)`)
    console.log(`metrics / plain: ${round(security.metricsRatio, 3)} (target >= 0.95)`)

    const date = new Date().toISOString().slice(0, 10)
    const outDir = join(repoRoot, 'bench', 'results')
    mkdirSync(outDir, { recursive: true })
    const base = join(outDir, `${date}-${commit}`)
    const result = {
      date: new Date().toISOString(),
      commit,
      mode: quick ? 'quick' : 'full',
      node: process.version,
      nproc,
      loadavgAtStart: loadAtStart,
      loadavgAtEnd: loadavg(),
      config: { ...cfg, sdkConcurrency: SDK_CONCURRENCY },
      summary,
      server: {
        startupMs: server.startupMs,
        startRssMb,
        idleRssMb,
        peakRssMb,
        rawCpuMs,
        rawCompleted,
        sdkCpuMs,
      },
      startDev,
      raw,
      visibility,
      scheduleFleet: fleet,
      security,
      sdk,
      ceilings: { grpcRpcPerSByConcurrency: grpcPerS, sqliteCommitsPerS },
    }
    writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n')
    writeFileSync(
      `${base}.svg`,
      rawPlotSvg(
        raw,
        `Sundial raw driver, ${commit} (${quick ? 'quick' : 'full'}), ${nproc} cores`,
      ),
    )
    console.log(`\nWrote ${base}.json and ${base}.svg`)
    console.log(JSON.stringify(summary))
  } finally {
    await server.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** CPU time of this process, all threads (the drivers, the SDK's core and sandbox threads). */
function benchProcessCpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

function gitShortHead(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim()
  } catch {
    return 'nogit'
  }
}

function log(msg: string): void {
  console.error(`[bench] ${msg}`)
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    killAllServers()
    process.exit(1)
  },
)

/**
 * What the production envelope costs: the raw driver against fresh production starts on SQLite
 * files, one plain, one with Prometheus metrics (every store call and task metered), one with
 * TLS on every port and a JWT (verified against a local JWKS) on every call, measured one after
 * the other in the same run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as grpc from '@grpc/grpc-js'
import { JwksServer } from '../test/security/jwks-server.js'
import { createTestCerts } from '../test/security/test-certs.js'
import { runRawLevel, type BenchConnection, type RawLevelResult } from './raw-driver.js'
import { startServerProcess, type ServerProcess } from './server-process.js'

/** Temporal's per-namespace rate limits, raised: one namespace carries the whole load. */
const UNLIMITED = [
  'dynamicConfig:',
  '  frontend.namespaceRPS: 1000000',
  '  frontend.namespaceRPS.visibility: 1000000',
]

export interface SecurityResult {
  concurrency: number
  off: RawLevelResult & { serverCpuMsPerWf: number }
  on: RawLevelResult & { serverCpuMsPerWf: number }
  /** Workflows per second with TLS and authorization, over without. */
  ratio: number
  metrics: RawLevelResult & { serverCpuMsPerWf: number }
  /** Workflows per second with metrics, over without. */
  metricsRatio: number
}

export interface SecurityOptions {
  runId: string
  concurrency: number
  warmupMs: number
  measureMs: number
}

export async function runSecurityComparison(opts: SecurityOptions): Promise<SecurityResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sundial-bench-security-'))
  const certs = await createTestCerts()
  const idp = await JwksServer.start('ES256')
  try {
    const plainConfig = join(dir, 'plain.yaml')
    writeFileSync(plainConfig, UNLIMITED.join('\n'))
    const plain = await measure(opts, 'off', {
      args: ['-c', plainConfig, '--log-level', 'warn'],
      env: { SUNDIAL_DB: join(dir, 'off.db'), SUNDIAL_DB_MIGRATE: 'true' },
      connection: {},
    })
    const metricsConfig = join(dir, 'metrics.yaml')
    writeFileSync(metricsConfig, ['server:', '  metricsPort: 0', ...UNLIMITED].join('\n'))
    const metered = await measure(opts, 'metrics', {
      args: ['-c', metricsConfig, '--log-level', 'warn'],
      env: { SUNDIAL_DB: join(dir, 'metrics.db'), SUNDIAL_DB_MIGRATE: 'true' },
      connection: {},
    })
    const config = join(dir, 'secure.yaml')
    writeFileSync(
      config,
      [
        'tls:',
        '  frontend:',
        '    server:',
        `      certFile: ${certs.files.serverCert}`,
        `      keyFile: ${certs.files.serverKey}`,
        'authorization:',
        '  jwtKeyProvider:',
        `    keySourceURIs: ["${idp.url}"]`,
        '  authorizer: default',
        '  claimMapper: default',
        ...UNLIMITED,
      ].join('\n'),
    )
    const secure = await measure(opts, 'on', {
      args: ['-c', config, '--log-level', 'warn'],
      env: { SUNDIAL_DB: join(dir, 'on.db'), SUNDIAL_DB_MIGRATE: 'true' },
      connection: {
        credentials: grpc.credentials.createSsl(Buffer.from(certs.ca.cert)),
        serverName: 'localhost',
        headers: { authorization: `Bearer ${await idp.token(['default:write'])}` },
      },
    })
    return {
      concurrency: opts.concurrency,
      off: plain,
      on: secure,
      ratio: secure.wfPerS / Math.max(1e-9, plain.wfPerS),
      metrics: metered,
      metricsRatio: metered.wfPerS / Math.max(1e-9, plain.wfPerS),
    }
  } finally {
    await idp.close()
    await certs.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
}

async function measure(
  opts: SecurityOptions,
  label: string,
  start: { args: string[]; env: Record<string, string>; connection: BenchConnection },
): Promise<RawLevelResult & { serverCpuMsPerWf: number }> {
  let server: ServerProcess | undefined
  try {
    server = await startServerProcess(undefined, start)
    const cpu0 = server.cpuMs()
    const r = await runRawLevel({
      address: server.address,
      connection: start.connection,
      concurrency: opts.concurrency,
      runId: `${opts.runId}-${label}`,
      warmupMs: opts.warmupMs,
      measureMs: opts.measureMs,
    })
    return { ...r, serverCpuMsPerWf: (server.cpuMs() - cpu0) / Math.max(1, r.completed) }
  } finally {
    await server?.stop()
  }
}

/**
 * What the hardware gives before Sundial does anything: a bare grpc-js unary RPC and a bare
 * durable SQLite commit. Sundial's figures are read against these, on the same machine and run.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import * as grpc from '@grpc/grpc-js'
import Database from 'better-sqlite3'

const passthrough = {
  path: '/bench.Echo/Ping',
  requestStream: false,
  responseStream: false,
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
} as const
const service: grpc.ServiceDefinition = { ping: passthrough }

function startEchoServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server()
  server.addService(service, {
    ping: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) =>
      cb(null, call.request),
  })
  return new Promise((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve({ server, port }),
    ),
  )
}

// In the echo thread: serve until the main thread terminates the worker.
if (!isMainThread && (workerData as { role?: string } | null)?.role === 'grpc-echo') {
  void startEchoServer().then(({ port }) => parentPort?.postMessage(port))
}

/**
 * Unary RPCs/s with `concurrency` calls in flight for `ms`. The server runs on its own thread
 * (its own event loop), as Sundial's runs in its own process; the client runs here.
 */
export async function grpcCeiling(concurrency: number, ms: number): Promise<number> {
  const thread = new Worker(new URL(import.meta.url), { workerData: { role: 'grpc-echo' } })
  const port = await new Promise<number>((resolve, reject) => {
    thread.once('message', (p: number) => resolve(p))
    thread.once('error', reject)
  })
  const Client = grpc.makeGenericClientConstructor(service, 'Echo')
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  const payload = Buffer.alloc(64)
  const call = (): Promise<void> =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest(
        passthrough.path,
        passthrough.requestSerialize,
        passthrough.responseDeserialize,
        payload,
        (err) => (err ? reject(err) : resolve()),
      ),
    )
  // Warm-up: the connection and the JIT.
  for (let i = 0; i < 200; i++) await call()
  let done = 0
  const t0 = performance.now()
  const until = t0 + ms
  const loop = async (): Promise<void> => {
    while (performance.now() < until) {
      await call()
      done++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))
  const perS = done / ((performance.now() - t0) / 1000)
  client.close()
  await thread.terminate()
  return perS
}

/** One-row durable commits/s (WAL, synchronous=FULL), one INSERT per transaction, for `ms`. */
export function sqliteCeiling(ms: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'sundial-bench-sqlite-'))
  try {
    const db = new Database(join(dir, 'bench.db'))
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB NOT NULL)')
    const insert = db.prepare('INSERT INTO t (data) VALUES (?)')
    const commit = db.transaction((data: Buffer) => insert.run(data))
    const data = Buffer.alloc(256)
    let n = 0
    const t0 = performance.now()
    const until = t0 + ms
    while (performance.now() < until) {
      commit(data)
      n++
    }
    const perS = n / ((performance.now() - t0) / 1000)
    db.close()
    return perS
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The internal gRPC port: where the other nodes of a cluster reach this one, at the address it
 * advertises in its membership row. It serves the admin service (DescribeCluster) now; the
 * calls nodes forward to each other's shards and task queues are to come here too.
 */
import * as grpc from '@grpc/grpc-js'
import type { Logger } from 'pino'
import { adminServiceDefinition, type AdminServiceHandlers } from '../../frontend/admin-service.js'
import { toGrpcError } from '../../frontend/grpc-server.js'

export interface InternalServer {
  readonly port: number
  /** Starts answering the admin service; until then calls answer UNAVAILABLE. */
  serve(admin: AdminServiceHandlers): void
  close(): Promise<void>
}

export async function bindInternalServer(opts: {
  host: string
  /** 0: a free port. */
  port: number
  logger: Logger
}): Promise<InternalServer> {
  const server = new grpc.Server()
  const service = adminServiceDefinition()
  let handlers: AdminServiceHandlers | undefined
  const impl: grpc.UntypedServiceImplementation = {}
  for (const method of service.methods) {
    impl[method.name] = (
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      const served = handlers
      const key = method.key as keyof AdminServiceHandlers
      if (!served?.[key]) {
        callback({ code: grpc.status.UNAVAILABLE, details: 'the node is starting' })
        return
      }
      const controller = new AbortController()
      call.on('cancelled', () => controller.abort())
      served[key](call.request as { clusterName?: string }, {
        signal: controller.signal,
        metadata: call.metadata,
        peer: call.getPeer(),
        deadline: Infinity,
        rpcName: method.name,
      }).then(
        (response) => callback(null, response),
        (e: unknown) => callback(toGrpcError(e, method, opts.logger)),
      )
    }
  }
  server.addService(service.definition, impl)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`,
      grpc.ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    )
  })
  return {
    port,
    serve(admin) {
      handlers = admin
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve())
        // Calls still open after a short grace are cut, as the frontend's are.
        setTimeout(() => server.forceShutdown(), 1_000).unref()
      }),
  }
}

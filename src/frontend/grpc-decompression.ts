/**
 * One-shot decompression of compressed gRPC requests.
 *
 * The SDK's Rust core gzips every request it sends. grpc-js (1.14) inflates each compressed
 * message through a new zlib stream, which costs about 50 µs of CPU for a message of a few hundred
 * bytes, against about 7 µs for `zlib.gunzipSync`: with four compressed requests per workflow that
 * was an eighth of the server's CPU under the SDK benchmark. This replaces grpc-js' method with one
 * that inflates in a single synchronous call, keeping its contract: the same size limit
 * (RESOURCE_EXHAUSTED), the same INTERNAL status for corrupt data, identity passed through.
 *
 * grpc-js keeps the method on an internal class, so the patch checks that the class and method
 * are there and otherwise leaves grpc-js as it is (slower, still correct).
 */
import { createRequire } from 'node:module'
import zlib from 'node:zlib'
import { status } from '@grpc/grpc-js'

interface InterceptingCallPrototype {
  decompressMessage(
    this: { maxReceiveMessageSize: number },
    message: Buffer,
    encoding: string,
  ): unknown
}

/** Compressed messages up to this size are inflated in one call (well under a millisecond). */
const MAX_ONE_SHOT_BYTES = 64 * 1024

let installed = false

/** Installs the patch once per process; returns whether grpc-js had the expected shape. */
export function installFastDecompression(): boolean {
  if (installed) return true
  const require = createRequire(import.meta.url)
  let proto: Partial<InterceptingCallPrototype> | undefined
  try {
    const mod = require('@grpc/grpc-js/build/src/server-interceptors.js') as {
      BaseServerInterceptingCall?: { prototype: Partial<InterceptingCallPrototype> }
    }
    proto = mod.BaseServerInterceptingCall?.prototype
  } catch {
    return false
  }
  const original = proto?.decompressMessage
  if (!proto || typeof original !== 'function') return false
  proto.decompressMessage = function (message, encoding) {
    // Large messages keep grpc-js' streaming path, which does not hold the event loop.
    if ((encoding !== 'gzip' && encoding !== 'deflate') || message.length > MAX_ONE_SHOT_BYTES) {
      return original.call(this, message, encoding)
    }
    return inflate(message.subarray(5), encoding, this.maxReceiveMessageSize)
  }
  installed = true
  return true
}

/** grpc-js sends a rejection's `code` and `details` as the call's status. */
function statusError(code: status, details: string): Error {
  return Object.assign(new Error(details), { code, details })
}

/** The inflated message, or a rejection carrying the status grpc-js' own code would send. */
function inflate(
  contents: Buffer,
  encoding: 'gzip' | 'deflate',
  maxBytes: number,
): Promise<Buffer> {
  const options = maxBytes === -1 ? {} : { maxOutputLength: maxBytes }
  try {
    return Promise.resolve(
      encoding === 'gzip'
        ? zlib.gunzipSync(contents, options)
        : zlib.inflateSync(contents, options),
    )
  } catch (e: unknown) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return Promise.reject(
        statusError(
          status.RESOURCE_EXHAUSTED,
          `Received message that decompresses to a size larger than ${maxBytes}`,
        ),
      )
    }
    return Promise.reject(statusError(status.INTERNAL, 'Failed to decompress message'))
  }
}

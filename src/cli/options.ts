/**
 * Option parsers shared by the `sundial` commands. Each throws commander's
 * `InvalidArgumentError`, which commander prints as `error: option '...' argument '...' is
 * invalid. <message>` before exiting with code 1.
 */
import { InvalidArgumentError } from 'commander'

/** A TCP port; 0 asks the OS for a free one. */
export function parsePort(value: string): number {
  // Number('') and Number(' 7 ') are numbers; a port must be written as plain digits.
  const port = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0-65535).`)
  }
  return port
}

/**
 * The rule RegisterNamespace applies (src/frontend/handlers/namespaces.ts). Namespaces created at
 * start-up skip that handler, so without this check a bad name would be stored and then be
 * unusable through the API.
 */
const NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/

/** Accumulates a repeatable `--namespace`, dropping repeats. */
export function collectNamespace(value: string, previous: string[]): string[] {
  if (!NAMESPACE_NAME.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a namespace name: use up to 255 letters, digits, '.', '_' and '-', starting with a letter or digit.`,
    )
  }
  return previous.includes(value) ? previous : [...previous, value]
}

/** `host:port` as gRPC clients write it: IPv6 literals go in brackets. */
export function formatAddress(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

/**
 * The server logger of the `sundial server` commands: pino on stderr (stdout carries only the
 * start-up banner), as JSON or as one readable line per entry (`--log-format text`, Temporal's
 * default, which it also calls `pretty`). Synchronous, so nothing logged just before
 * process.exit is lost.
 */
import { pino, type Logger } from 'pino'

export const LOG_FORMATS = ['text', 'json', 'pretty'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export async function createLogger(level: string, format: LogFormat): Promise<Logger> {
  // Temporal's CLI says `never` where pino says `silent`.
  const options = { level: level === 'never' ? 'silent' : level }
  if (format === 'json') return pino(options, pino.destination({ dest: 2, sync: true }))
  // Loaded only when used: JSON logging, and `server start`, never pay for it.
  const { default: pretty } = await import('pino-pretty')
  const stream = pretty({
    destination: 2,
    sync: true,
    colorize: false,
    singleLine: true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
  })
  return pino(options, stream)
}

/** pino's levels, as `--log-level`, `server.logLevel` and `SUNDIAL_LOG_LEVEL` take them. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

export type LogLevel = (typeof LOG_LEVELS)[number]

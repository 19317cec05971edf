/**
 * Payloads and failures in text output, and the pieces of requests built from flags: inputs,
 * memo and search attributes (`KEY=JSON`), Temporal enum names from flag values.
 */
import { payloadEncoding, payloadJsonValue } from '../../common/payload-value.js'
import type { pb } from '../../common/proto.js'
import { CliError } from './cli-error.js'
import { readFlagFile } from './connection-options.js'

/** One payload as text: its JSON value, or its encoding and size when it holds no JSON. */
export function payloadText(payload: pb.Payload | null | undefined): string {
  if (!payload) return 'null'
  const json = payloadJsonValue(payload)
  if (json) return JSON.stringify(json.value)
  return `<${payloadEncoding(payload) || 'no encoding'}, ${payload.data?.length ?? 0} bytes>`
}

/**
 * Payloads as text the way Temporal's CLI prints a result: one value alone, several as a list,
 * none as null.
 */
export function payloadsText(payloads: pb.Payloads | null | undefined): string {
  const list = payloads?.payloads ?? []
  if (list.length <= 1) return payloadText(list[0])
  return `[${list.map(payloadText).join(', ')}]`
}

/** A map of payloads (memo, search attributes) as `key=value` lines, keys sorted. */
export function payloadMapText(
  fields: Record<string, pb.Payload> | null | undefined,
): string | undefined {
  const entries = Object.entries(fields ?? {}).sort(([a], [b]) => a.localeCompare(b))
  if (entries.length === 0) return undefined
  return entries.map(([k, v]) => `${k}=${payloadText(v)}`).join('\n')
}

/** A failure and its causes, one per line: `message (type)`. */
export function failureText(failure: pb.Failure | null | undefined): string {
  const lines: string[] = []
  for (let f = failure; f; f = f.cause) {
    const type = f.applicationFailureInfo?.type
    const kind = type ? ` (${type})` : ''
    lines.push(`${lines.length === 0 ? '' : 'caused by: '}${f.message ?? ''}${kind}`)
  }
  return lines.join('\n')
}

/**
 * The values of `--input` (already parsed JSON) or else of `--input-file` (read and parsed
 * here); the two cannot be combined, as in Temporal's CLI.
 */
export function inputValues(
  inputs: unknown[],
  files: string[],
  flags = { input: '--input', file: '--input-file' },
): unknown[] {
  if (files.length === 0) return inputs
  if (inputs.length > 0) throw new CliError(`${flags.input} and ${flags.file} cannot be combined`)
  return files.map((path) => {
    const text = readFlagFile(flags.file, path).toString('utf8')
    try {
      return JSON.parse(text) as unknown
    } catch (e: unknown) {
      throw new CliError(`${flags.file} ${path} is not valid JSON: ${(e as Error).message}`)
    }
  })
}

/**
 * A Temporal enum value from a flag's PascalCase word: `enumValue(WorkflowIdReusePolicy,
 * 'WORKFLOW_ID_REUSE_POLICY_', 'AllowDuplicate')`. The flag's choices guarantee the word exists.
 */
export function enumValue(
  values: Readonly<Record<string, number | string | undefined>>,
  prefix: string,
  word: string,
): number {
  const value = values[prefix + word.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()]
  if (typeof value !== 'number') throw new CliError(`"${word}" is not a ${prefix}* value`)
  return value
}

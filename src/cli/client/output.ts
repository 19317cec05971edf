/**
 * Where a client command's answer goes, in the format `-o` asked for: `text` for people (lines
 * built by render.ts), `json` as one pretty document, `jsonl` as one compact object per line,
 * `none` as nothing. JSON is the protobuf JSON mapping of what the server answered, with
 * Temporal's payload shorthand.
 */
import { toProtoJson } from '../../common/proto-json.js'
import type { OutputFormat } from './options.js'

/** Prints a command's answer in the format `-o` asked for. */
export class Output {
  constructor(
    readonly format: OutputFormat,
    /** Temporal's payload shorthand in JSON (off with `--no-json-shorthand-payloads`). */
    private readonly payloadShorthand = true,
    private readonly write: (chunk: string) => void = (chunk) => void process.stdout.write(chunk),
  ) {}

  get isText(): boolean {
    return this.format === 'text'
  }

  /** True for json and jsonl. */
  get isJson(): boolean {
    return this.format === 'json' || this.format === 'jsonl'
  }

  /** Lines for people; printed in text mode only. */
  text(lines: string | string[]): void {
    if (!this.isText) return
    for (const line of typeof lines === 'string' ? [lines] : lines) this.write(`${line}\n`)
  }

  /** One JSON document: pretty for json, one line for jsonl; nothing in other modes. */
  json(value: unknown): void {
    if (this.format === 'json') this.write(`${JSON.stringify(value, null, 2)}\n`)
    else if (this.format === 'jsonl') this.write(`${JSON.stringify(value)}\n`)
  }

  /** Several documents: an array for json, one line each for jsonl. */
  list(values: unknown[]): void {
    if (this.format === 'json') this.json(values)
    else if (this.format === 'jsonl') for (const v of values) this.json(v)
  }

  /** `message` (of proto type `typeName`) as a JSON document. */
  message(typeName: string, message: object): void {
    if (this.isJson) this.json(this.protoJson(typeName, message))
  }

  /** The proto JSON of `message`, as every JSON output prints it. */
  protoJson(typeName: string, message: object): unknown {
    return toProtoJson(typeName, message, { payloadShorthand: this.payloadShorthand })
  }
}

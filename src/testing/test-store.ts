/**
 * The store integration tests run on: SQLite by default, PostgreSQL with
 * `SUNDIAL_TEST_STORE=postgres` (the server from test-postgres.ts), so the whole SDK-driven
 * suite can be run against either.
 */
import type { StoreConfig } from '../persistence/open-store.js'
import { ensureTestSchema, newTestSchema, schemaFor, testPostgres } from './test-postgres.js'

export type TestStoreKind = 'sqlite' | 'postgres'

export function testStoreKind(): TestStoreKind {
  const kind = process.env.SUNDIAL_TEST_STORE ?? 'sqlite'
  if (kind !== 'sqlite' && kind !== 'postgres') {
    throw new Error(`SUNDIAL_TEST_STORE must be sqlite or postgres, not ${kind}`)
  }
  return kind
}

/**
 * A store for one test server. Without `file`, a new empty one (SQLite in memory, or a new
 * PostgreSQL schema). With `file`, the store a test reopens across restarts: that SQLite file, or
 * on PostgreSQL a schema named after it, the same for the same file within the process.
 */
export async function testStoreConfig(
  file?: string,
  kind: TestStoreKind = testStoreKind(),
): Promise<StoreConfig> {
  if (kind === 'sqlite') return { kind: 'sqlite', filename: file }
  const { url } = await testPostgres()
  if (file === undefined) return { kind: 'postgres', url, schema: await newTestSchema('server') }
  const schema = schemaFor(file)
  await ensureTestSchema(schema)
  return { kind: 'postgres', url, schema }
}

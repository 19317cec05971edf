/**
 * The store contract: behaviour every Store implementation must show, run by each
 * implementation's own test file (`sqlite/sqlite.test.ts`, `postgres/postgres.test.ts`), in the
 * manner of hono's `common.case.test.ts` and Temporal's shared persistence suites.
 *
 * Importing this file registers nothing (the test runner also loads it as a test file, since its
 * name ends in `.test`); tests exist only once an implementation calls `runStoreContract`.
 */
import { describe, test } from 'node:test'
import { executionCases } from './contract/execution-cases.js'
import type { ContractTest } from './contract/fixtures.js'
import { historyTaskCases } from './contract/history-task-cases.js'
import { jobCases } from './contract/job-cases.js'
import { namespaceClusterCases } from './contract/namespace-cluster-cases.js'
import { visibilityCases } from './contract/visibility-cases.js'
import type { Store } from './store.js'

export interface StoreContractOptions {
  /** Names the implementation in the test report. */
  name: string
  /** Returns a new, empty store. Each test opens its own and closes it when done. */
  newStore: () => Promise<Store>
  /**
   * Tests this implementation does not run, by exact title, grouped under the reason. Naming a
   * test that does not exist fails the suite, so a skip cannot outlive the test it skips.
   */
  skip?: { reason: string; tests: string[] }[]
}

export function runStoreContract(opts: StoreContractOptions): void {
  const skipped = new Map<string, string>()
  for (const group of opts.skip ?? []) {
    for (const title of group.tests) skipped.set(title, group.reason)
  }
  const titles = new Set<string>()

  const it: ContractTest = (title, fn) => {
    // Skips match on titles alone, so two tests sharing one would be skipped together.
    if (titles.has(title)) throw new Error(`duplicate contract test title: ${title}`)
    titles.add(title)
    test(title, { skip: skipped.get(title) ?? false }, async () => {
      const store = await opts.newStore()
      try {
        await fn(store)
      } finally {
        await store.close()
      }
    })
  }

  describe(`store contract: ${opts.name}`, () => {
    describe('namespaces and cluster', () => namespaceClusterCases(it))
    describe('executions', () => executionCases(it))
    describe('history and tasks', () => historyTaskCases(it))
    describe('visibility', () => visibilityCases(it))
    describe('worker jobs', () => jobCases(it))

    test('every skipped test exists', () => {
      const unknown = [...skipped.keys()].filter((t) => !titles.has(t))
      if (unknown.length > 0) throw new Error(`skip names unknown tests: ${unknown.join('; ')}`)
    })
  })
}

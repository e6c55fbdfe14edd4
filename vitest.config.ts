import { defineConfig } from 'vitest/config'

/**
 * Two projects:
 * - unit: everything offline (`*.test.ts` beside the code). `npm test` runs only this one.
 * - e2e: the scenarios under suites/ against a real cluster, started by the CLI's `run`
 *   (never by `npm test`), one file at a time, with long timeouts. Its global setup stops
 *   the run at once, with one line, when the cluster is unreachable.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{helpers,cluster,suites}/**/*.test.ts'],
          testTimeout: 15_000,
          hookTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['suites/**/*.e2e.ts'],
          globalSetup: ['helpers/runner/e2e-global-setup.ts'],
          fileParallelism: false,
          maxConcurrency: 1,
          testTimeout: 30 * 60_000,
          hookTimeout: 10 * 60_000,
        },
      },
    ],
  },
})

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
          // Files share a worker's loaded modules (client-node, undici...): loading them once per
          // worker instead of once per file keeps the offline tier well under a minute on 2 cores.
          // Tests restore what they stub, so they do not depend on isolation.
          isolate: false,
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
          // Above the slowest scenario's own deadlines (flagger-canary with --book-timing: two
          // revisions watched for up to 15.5 min each, plus setup): a vitest timeout would abandon
          // the scenario before its cleanup ran. Every wait inside has its own, earlier deadline.
          testTimeout: 60 * 60_000,
          hookTimeout: 10 * 60_000,
        },
      },
    ],
  },
})

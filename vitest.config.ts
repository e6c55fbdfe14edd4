import { defineConfig } from 'vitest/config'

/**
 * The offline tier (`npm test`): everything beside the code as `*.test.ts`. The end-to-end
 * tier is `npm run conformance -- run`, which runs the scenarios in its own process against a
 * real cluster (README, "Running scenarios").
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
          // The suite speaks the user's language (helpers/i18n/lang.ts): tests that expect English
          // must not follow a Korean LANG on a student's machine; tests of Korean set it themselves.
          env: { LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8' },
          testTimeout: 15_000,
          hookTimeout: 15_000,
        },
      },
    ],
  },
})

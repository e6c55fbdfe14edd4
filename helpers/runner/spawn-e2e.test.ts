import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { suiteFile } from '../cli/commands/run.js'
import { startFakeApiServer } from '../testing/fake-apiserver.js'
import { writeKubeconfig } from '../testing/kubeconfig-fixtures.js'
import { answered } from '../testing/recording-server.js'
import { e2eEnvVars } from './e2e-env.js'
import type { ScenarioResult } from './scenario.js'
import { e2eArgv, spawnE2e } from './spawn-e2e.js'

describe('the real e2e path', () => {
  it('builds the vitest command line for the e2e project', () => {
    expect(e2eArgv('/x/vitest.mjs', ['a.e2e.ts'])).toEqual([
      '/x/vitest.mjs',
      'run',
      '--project',
      'e2e',
      'a.e2e.ts',
    ])
  })

  it('runs a scenario in the e2e project: it fails honestly, writes diagnostics before cleanup, and saves its result', async () => {
    // An API server that answers discovery and reads but refuses every apply: the scenario
    // cannot set up, so it must stop, record every check as unobserved, and clean up.
    const api = await startFakeApiServer((req, res) => {
      if (req.url === '/version') return answered(res, 200, { gitVersion: 'v1.26.15' })
      if (req.method === 'PATCH')
        return answered(res, 500, { kind: 'Status', message: 'apply refused (test)' })
      return false
    })
    try {
      const runDir = mkdtempSync(join(tmpdir(), 'itc-run-'))
      const env = e2eEnvVars({
        context: 'kind-istio-conformance',
        kubeconfig: writeKubeconfig({
          currentContext: 'kind-istio-conformance',
          contexts: ['kind-istio-conformance'],
          server: api.url,
        }),
        clusterName: 'istio-conformance',
        allowExistingCluster: false,
        runDir,
        ingress: '127.0.0.1:1',
        bookTiming: false,
        egress: 'hermetic',
      })
      const code = await spawnE2e([suiteFile('subset-v1')], env, 'ignore')
      expect(code).toBe(1)
      const result = JSON.parse(
        readFileSync(join(runDir, 'scenarios', 'subset-v1.json'), 'utf8'),
      ) as ScenarioResult
      expect(result.passed).toBe(false)
      expect(result.error).toContain('apply refused (test)')
      expect(result.checks.map((c) => c.cause)).toEqual([
        expect.stringMatching(/^not observed: scenario stopped before this check: .*apply refused/),
      ])
      const diagnostics = join(runDir, 'diagnostics', 'subset-v1')
      expect(existsSync(diagnostics)).toBe(true)
      expect(readdirSync(diagnostics)).toEqual(expect.arrayContaining(['resources.yaml', 'logs']))
    } finally {
      await api.close()
    }
  }, 90_000)
})

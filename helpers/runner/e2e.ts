import { join } from 'node:path'
import { expect, test } from 'vitest'
import { KubeClient } from '../kube/client.js'
import { loadKubeConfig } from '../kube/kubeconfig.js'
import type { LogQuery } from '../logs/reader.js'
import { writeJson } from '../progress.js'
import { writeDiagnostics } from '../report/diagnostics.js'
import { clusterDiagnostics } from '../report/diagnostics-source.js'
import { readE2eEnv } from './e2e-env.js'
import type { LabAdapters } from './lab.js'
import { parseTarget, realLabAdapters } from './real-lab.js'
import { runScenario, type ScenarioDefinition, type ScenarioResult } from './scenario.js'

/** One line per failed check, for the test failure message. Pure. */
export function failureSummary(result: ScenarioResult): string {
  const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.check}: ${c.cause}`)
  if (result.error) failed.unshift(`stopped: ${result.error}`)
  if (result.cleanup.errors.length) failed.push(`cleanup: ${result.cleanup.errors.join('; ')}`)
  return `${result.id} failed\n  ${failed.join('\n  ')}`
}

/**
 * The body of every suites/<id>/<id>.e2e.ts: run the scenario against the cluster the CLI
 * chose (the global setup has already refused foreign contexts and unreachable clusters),
 * save its result for the reports, and fail the test if any check failed.
 */
export function e2eScenario(definition: ScenarioDefinition): void {
  test(definition.id, async () => {
    const env = readE2eEnv(process.env)
    const client = new KubeClient(loadKubeConfig(env.kubeconfig).kubeConfig, env.context)
    // Every line with the time since the scenario started: canary runs take minutes.
    const started = Date.now()
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`
    const real = realLabAdapters(client, parseTarget(env.ingress), (line) =>
      process.stdout.write(`[${elapsed()}] ${line}\n`),
    )
    // Remember which containers the checks read: their last lines go into the diagnostics.
    const logQueries: LogQuery[] = []
    const adapters: LabAdapters = {
      ...real,
      cluster: {
        ...real.cluster,
        readLogs: (query, window) => {
          logQueries.push(query)
          return real.cluster.readLogs(query, window)
        },
      },
    }
    const runDir = env.runDir
    const collectDiagnostics = runDir
      ? async () => {
          await writeDiagnostics(
            join(runDir, 'diagnostics', definition.id),
            clusterDiagnostics(client),
            'istioinaction',
            logQueries,
          )
        }
      : undefined
    const result = await runScenario(
      definition,
      adapters,
      { bookTiming: env.bookTiming, egress: env.egress, existingCluster: env.allowExistingCluster },
      collectDiagnostics,
    )
    if (env.runDir) await writeJson(join(env.runDir, 'scenarios', `${definition.id}.json`), result)
    expect(result.passed, failureSummary(result)).toBe(true)
  })
}

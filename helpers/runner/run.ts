import type { LogQuery } from '../logs/reader.js'
import type { ScenarioResult } from '../report/model.js'
import type { ScenarioDefinition, ScenarioOptions } from './define.js'
import type { LabAdapters } from './lab.js'
import { runScenario } from './scenario.js'

export interface RunOptions extends ScenarioOptions {
  /** Stop after the first scenario that fails; the rest are reported as not run, never as passed. */
  readonly failFast: boolean
}

export interface RunOutcome {
  readonly results: readonly ScenarioResult[]
  /** Scenarios that produced no result (fail-fast, or the run was stopped): failed, never passed. */
  readonly notRun: readonly string[]
}

export interface RunHooks {
  /**
   * Runs for a scenario that failed, before its cleanup: `logQueries` are the containers its
   * checks read, whose last lines belong in the diagnostics.
   */
  readonly diagnostics?: (scenario: ScenarioDefinition, logQueries: readonly LogQuery[]) => Promise<void>
  /** Each scenario's result as soon as it is known (saved, so a crash keeps what was done). */
  readonly onResult?: (result: ScenarioResult) => Promise<void>
  /** Whether to start another scenario (false once the user asked to stop). */
  readonly shouldContinue?: () => boolean
}

/** Runs the scenarios one after another in this process and returns their results as values. */
export async function runScenarios(
  scenarios: readonly ScenarioDefinition[],
  adapters: LabAdapters,
  options: RunOptions,
  hooks: RunHooks = {},
): Promise<RunOutcome> {
  const results: ScenarioResult[] = []
  for (const [i, scenario] of scenarios.entries()) {
    const stop =
      (options.failFast && results.some((r) => !r.passed)) ||
      (hooks.shouldContinue && !hooks.shouldContinue())
    if (stop) return { results, notRun: scenarios.slice(i).map((s) => s.id) }
    const { adapters: watched, logQueries } = watchingLogs(adapters)
    const { diagnostics } = hooks
    const result = await runScenario(
      scenario,
      watched,
      options,
      diagnostics ? () => diagnostics(scenario, logQueries) : undefined,
    )
    results.push(result)
    await hooks.onResult?.(result)
  }
  return { results, notRun: [] }
}

/**
 * The adapters with every log read remembered: the containers a failed scenario's checks read
 * are the ones whose last lines its diagnostics keep.
 */
export function watchingLogs(adapters: LabAdapters): {
  adapters: LabAdapters
  logQueries: readonly LogQuery[]
} {
  const logQueries: LogQuery[] = []
  return {
    logQueries,
    adapters: {
      ...adapters,
      cluster: {
        ...adapters.cluster,
        readLogs: (query, window) => {
          logQueries.push(query)
          return adapters.cluster.readLogs(query, window)
        },
      },
    },
  }
}

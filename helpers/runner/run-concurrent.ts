import { SuiteError } from '../errors.js'
import { describeError } from '../kube/describe-error.js'
import { scenarioNamespace } from '../manifests/namespace.js'
import type { ScenarioResult } from '../report/model.js'
import { type Budget, REQUEST_BUDGET } from '../schedule/budget.js'
import { type Job, longestFirst, neverStartable, startable } from '../schedule/concurrent.js'
import type { ScenarioDefinition } from './define.js'
import { jobsOf } from './estimate.js'
import type { LabAdapters } from './lab.js'
import { type RunHooks, type RunOptions, type RunOutcome, watchingLogs } from './run.js'
import { runScenario } from './scenario.js'

export interface ConcurrentRunOptions extends RunOptions {
  /** At most this many scenarios at once (run --parallel N). */
  readonly maxConcurrent: number
  /** The requests those running may send together; REQUEST_BUDGET unless a test gives another. */
  readonly budget?: Budget
}

/**
 * Runs the scenarios concurrently, each in a namespace of its own (scenarioNamespace), which it
 * creates as its first journaled change and removes last. Whenever one ends, `startable`
 * starts those pending (longest expected first) that interfere with nothing running and whose
 * requests fit in the budget beside theirs: two that touch the same mesh-wide state never
 * overlap, and those running never send more than the budget (helpers/schedule/budget.ts). A
 * scenario whose demand alone exceeds the budget is refused before anything starts, never left
 * waiting. One scenario's failure stops nothing else unless `failFast`: then nothing new
 * starts, and those running are stopped (their unfinished checks report why) and cleaned up.
 * Results come back in the order given.
 *
 * `adaptersFor` gives each scenario its adapters: the same real ones for every scenario on a
 * cluster, one in-memory lab per namespace in the tests.
 */
export async function runScenariosConcurrently(
  scenarios: readonly ScenarioDefinition[],
  adaptersFor: (scenario: ScenarioDefinition) => LabAdapters,
  options: ConcurrentRunOptions,
  hooks: RunHooks = {},
): Promise<RunOutcome> {
  if (options.existingCluster)
    throw new Error(
      'scenarios run concurrently only on the suite\u2019s own cluster (they create namespaces)',
    )
  const limits = { maxConcurrent: options.maxConcurrent, budget: options.budget ?? REQUEST_BUDGET }
  const jobs = jobsOf(scenarios, { ...options, ownNamespace: true })
  const never = neverStartable(jobs, limits.budget)
  if (never.length)
    throw new SuiteError(
      `refused by the request budget: ${never.join('; ')}`,
      2,
      'lower the scenario\u2019s demand, or raise the budget in helpers/schedule/budget.ts with suites/request-budget.test.ts driving it',
    )
  const byId = new Map(scenarios.map((s) => [s.id, s]))
  let pending: Job[] = longestFirst(jobs)
  const running = new Map<string, { job: Job; done: Promise<ScenarioResult> }>()
  const results = new Map<string, ScenarioResult>()
  const failFast = new AbortController()
  const stopped = () => failFast.signal.aborted || (hooks.shouldContinue ? !hooks.shouldContinue() : false)

  const start = (job: Job) => {
    const scenario = byId.get(job.id) as ScenarioDefinition
    const { adapters: watched, logQueries } = watchingLogs(adaptersFor(scenario))
    const adapters: LabAdapters = { ...watched, stop: failFast.signal }
    const { diagnostics } = hooks
    const done = runScenario(
      scenario,
      adapters,
      { ...options, namespace: scenarioNamespace(scenario.id), ownNamespace: true },
      diagnostics ? () => diagnostics(scenario, logQueries) : undefined,
    )
    running.set(job.id, { job, done })
  }

  try {
    for (;;) {
      if (!stopped()) {
        const next = startable(
          pending,
          [...running.values()].map((r) => r.job),
          limits,
        )
        for (const job of next) start(job)
        pending = pending.filter((j) => !next.includes(j))
      }
      if (running.size === 0) break
      const result = await Promise.race([...running.values()].map((r) => r.done))
      running.delete(result.id)
      results.set(result.id, result)
      await hooks.onResult?.(result)
      if (options.failFast && !result.passed && !failFast.signal.aborted)
        failFast.abort(`--fail-fast: ${result.id} failed`)
    }
  } catch (error) {
    // The run itself failed (a result could not be saved, a scenario could not start): stop
    // those running and let each clean up before the error goes on, so nothing is left behind.
    if (!failFast.signal.aborted) failFast.abort(`the run stopped: ${describeError(error)}`)
    await Promise.allSettled([...running.values()].map((r) => r.done))
    throw error
  }
  const ordered = scenarios.flatMap((s) => results.get(s.id) ?? [])
  return { results: ordered, notRun: scenarios.filter((s) => !results.has(s.id)).map((s) => s.id) }
}

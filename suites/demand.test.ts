import { describe, expect, it } from 'vitest'
import { DEFAULT_PARALLEL } from '../helpers/cli/commands/run-mode.js'
import type { LoadHandle } from '../helpers/http/load.js'
import { DEFAULT_OPTIONS, type ScenarioDefinition, type ScenarioOptions } from '../helpers/runner/define.js'
import { demandOf } from '../helpers/runner/demand.js'
import { jobsOf } from '../helpers/runner/estimate.js'
import type { LabAdapters, LabIngress } from '../helpers/runner/lab.js'
import { runScenario } from '../helpers/runner/scenario.js'
import { REQUEST_BUDGET, SAMPLER_CONNECTIONS, totalDemand, withinBudget } from '../helpers/schedule/budget.js'
import { neverStartable } from '../helpers/schedule/concurrent.js'
import type { CheckDesign } from '../helpers/stats/run-budget.js'
import { summaryOf } from '../helpers/stats/summaries.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'
import { SCENARIOS, scenarioById } from './index.js'

/**
 * What each scenario's body sends through the ingress, metered in the in-memory lab: the most
 * connections open at once (a sampler holds SAMPLER_CONNECTIONS, as the real adapter's `sample`
 * opens by default; a convergence gate one) and the most load per second running at once, with
 * every rate it started.
 */
async function meter(definition: ScenarioDefinition, options: ScenarioOptions) {
  const fake = new FakeLab(CLUSTER_CONFIG)
  fake.internet = true
  const adapters = fake.adapters()
  const inner = adapters.ingress
  let connections = 0
  let loadRps = 0
  const seen = { connections: 0, loadRps: 0, rates: [] as number[] }
  const holding = async <T>(n: number, work: () => Promise<T>): Promise<T> => {
    connections += n
    seen.connections = Math.max(seen.connections, connections)
    try {
      return await work()
    } finally {
      connections -= n
    }
  }
  const ingress: LabIngress = {
    converge: (probe, expected, timeoutMs) => holding(1, () => inner.converge(probe, expected, timeoutMs)),
    sample: (probe, o) => holding(SAMPLER_CONNECTIONS, () => inner.sample(probe, o)),
    startLoad: (probe, rps): LoadHandle => {
      seen.rates.push(rps)
      loadRps += rps
      seen.loadRps = Math.max(seen.loadRps, loadRps)
      const handle = inner.startLoad(probe, rps)
      let running = true
      return {
        answered: () => handle.answered(),
        stop: () => {
          if (running) loadRps -= rps
          running = false
          return handle.stop()
        },
      }
    },
  }
  const metered: LabAdapters = { ...adapters, ingress }
  const result = await runScenario(definition, metered, options)
  expect(result.passed, result.error ?? '').toBe(true)
  // Everything started was stopped: no load outlives its scenario.
  expect(loadRps).toBe(0)
  return seen
}

describe("each scenario's request demand, against what its body sends", () => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s: its sampler connections and its load are what its body opens and drives at the default timing',
    async (_id, definition) => {
      const seen = await meter(definition, DEFAULT_OPTIONS)
      const declared = demandOf(definition)
      expect(seen.connections).toBe(declared.samplerConnections)
      expect(seen.loadRps).toBe(declared.loadRps)
      // Nothing is declared that the body does not drive, and one load at most.
      expect(seen.rates).toEqual(declared.loadRps > 0 ? [declared.loadRps] : [])
    },
    60_000,
  )

  it.each(SCENARIOS.filter((s) => s.loadRps > 0).map((s) => [s.id, s] as const))(
    '%s with --book-timing drives no more than it declares',
    async (_id, definition) => {
      const seen = await meter(definition, { ...DEFAULT_OPTIONS, bookTiming: true })
      expect(seen.loadRps).toBeGreaterThan(0)
      expect(seen.loadRps).toBeLessThanOrEqual(definition.loadRps)
      expect(seen.connections).toBe(demandOf(definition).samplerConnections)
    },
    60_000,
  )

  it('flagger-canary declares the rate its design needs, and the book timing asks less (66/s)', async () => {
    const canary = scenarioById('flagger-canary') as ScenarioDefinition
    const design = canary.checks.find((c) => c.id === 'share-per-step')?.design as CheckDesign
    expect(summaryOf(design).loadRate).toBe(canary.loadRps)
    expect(canary.loadRps).toBe(161)
    expect((await meter(canary, { ...DEFAULT_OPTIONS, bookTiming: true })).rates).toEqual([66])
    expect(scenarioById('flagger-rollback')?.loadRps).toBe(25)
  }, 60_000)
})

describe('the registry within the budget', () => {
  const demands = SCENARIOS.map(demandOf)

  it('every scenario fits alone, so none waits forever', () => {
    expect(
      neverStartable(jobsOf(SCENARIOS, { bookTiming: false, ownNamespace: true }), REQUEST_BUDGET),
    ).toEqual([])
  })

  it('run --parallel 4 of sampling scenarios fits, a fifth does not; both Flagger loads fit together', () => {
    const sampling = demands.filter((d) => d.samplerConnections > 0)
    expect(sampling.length).toBe(SCENARIOS.length)
    const connections = (n: number) => ({ samplerConnections: n * SAMPLER_CONNECTIONS, loadRps: 0 })
    expect(withinBudget(connections(DEFAULT_PARALLEL), REQUEST_BUDGET)).toBe(true)
    expect(withinBudget(connections(DEFAULT_PARALLEL + 1), REQUEST_BUDGET)).toBe(false)
    const loads = totalDemand(demands.filter((d) => d.loadRps > 0))
    expect(loads.loadRps).toBe(REQUEST_BUDGET.loadRps)
  })
})

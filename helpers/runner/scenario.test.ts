import { describe, expect, it } from 'vitest'
import { SCENARIOS } from '../../suites/index.js'
import type { Clock } from '../poll.js'
import type { PhaseKind, ScenarioResult } from '../report/model.js'
import { FakeLab } from '../testing/fake-lab.js'
import { BREAKAGE, CLUSTER_CONFIG } from '../testing/run-fixtures.js'
import { DEFAULT_OPTIONS } from './define.js'
import type { LabAdapters } from './lab.js'
import { runScenario } from './scenario.js'

/**
 * Rough costs of the cluster's answers on a real cluster (ms): the in-memory lab answers at
 * once, so without them only polling and sampling would take time on its clock.
 */
const COSTS = {
  read: 20,
  apply: 300,
  delete: 1_000,
  waitForDeployments: 5_000,
  fetchRoutes: 100,
  readLogs: 200,
  exec: 500,
  events: 50,
  istioVersion: 50,
  namespaceFacts: 50,
  converge: 1_000,
  startStandIn: 2_000,
} as const

/** The in-memory lab's adapters, each call to the cluster or the ingress taking its cost first. */
function costed(fake: FakeLab): LabAdapters {
  const base = fake.adapters()
  const clock = base.clock as Clock
  const after =
    <A extends unknown[], R>(ms: number, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await clock.sleep(ms)
      return call(...args)
    }
  const c = base.cluster
  const standIn = base.startStandIn
  return {
    ...base,
    cluster: {
      ...c,
      read: after(COSTS.read, c.read),
      apply: after(COSTS.apply, c.apply),
      delete: after(COSTS.delete, c.delete),
      waitForDeployments: after(COSTS.waitForDeployments, c.waitForDeployments),
      fetchRoutes: after(COSTS.fetchRoutes, c.fetchRoutes),
      readLogs: after(COSTS.readLogs, c.readLogs),
      exec: after(COSTS.exec, c.exec),
      events: after(COSTS.events, c.events),
      istioVersion: after(COSTS.istioVersion, c.istioVersion),
      namespaceFacts: after(COSTS.namespaceFacts, c.namespaceFacts),
    },
    ingress: { ...base.ingress, converge: after(COSTS.converge, base.ingress.converge) },
    ...(standIn ? { startStandIn: after(COSTS.startStandIn, standIn) } : {}),
  }
}

const ms = (iso: string) => Date.parse(iso)

/** The share of a scenario's wall time its phase spans cover. */
function coverage(result: ScenarioResult): number {
  const wall = ms(result.endedAt) - ms(result.startedAt)
  const covered = (result.phases ?? []).reduce((sum, p) => sum + p.durationMs, 0)
  return covered / wall
}

/**
 * The least share of a scenario's wall time its spans must cover. What no span covers is the
 * Istio version read before the body and the body's own reads (events, a ConfigMap, a route
 * table): tens of milliseconds each, where one rollout alone takes 5 s.
 */
const MIN_COVERAGE = 0.99

/** Kinds each scenario's timeline must show, beside apply, rollout and cleanup. */
const EXPECTED_KINDS: Readonly<Record<string, readonly PhaseKind[]>> = {
  'edge-routing': ['delete', 'converge', 'measure'],
  'weighted-shift': ['routes', 'measure'],
  'flagger-canary': ['delete', 'watch', 'measure'],
  'flagger-rollback': ['delete', 'watch', 'measure'],
  mirroring: ['observe', 'measure'],
  'service-entry': ['stand-in', 'observe', 'measure'],
}

describe('phase spans of real scenarios on the in-memory lab', () => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s: spans in order, inside the scenario, not overlapping, covering most of its wall time',
    async (id, definition) => {
      const fake = new FakeLab(CLUSTER_CONFIG)
      const result = await runScenario(definition, costed(fake))
      expect(result.passed, result.error ?? id).toBe(true)
      const phases = result.phases ?? []
      const kinds = new Set(phases.map((p) => p.kind))
      for (const kind of ['apply', 'rollout', 'cleanup', ...(EXPECTED_KINDS[id] ?? [])])
        expect(kinds, `${id} shows ${kind}`).toContain(kind)
      expect(phases.at(-1)?.kind).toBe('cleanup')
      let end = ms(result.startedAt)
      for (const p of phases) {
        expect(
          ms(p.startedAt),
          `${p.kind} ${p.label} starts after the step before ends`,
        ).toBeGreaterThanOrEqual(end)
        expect(p.durationMs).toBeGreaterThanOrEqual(0)
        end = ms(p.startedAt) + p.durationMs
      }
      expect(end).toBeLessThanOrEqual(ms(result.endedAt))
      expect(coverage(result)).toBeGreaterThanOrEqual(MIN_COVERAGE)
      expect(coverage(result)).toBeLessThanOrEqual(1)
    },
    30_000,
  )

  it('a failed scenario spends time on diagnostics, between its last check and its cleanup', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    BREAKAGE['weighted-shift']?.(fake)
    const adapters = costed(fake)
    const weighted = SCENARIOS.find((s) => s.id === 'weighted-shift')
    if (!weighted) throw new Error('weighted-shift is registered')
    const result = await runScenario(weighted, adapters, DEFAULT_OPTIONS, () =>
      (adapters.clock as Clock).sleep(3_000),
    )
    expect(result.passed).toBe(false)
    expect(result.phases?.slice(-2).map((p) => [p.kind, p.durationMs])).toEqual([
      ['diagnostics', 3_000],
      ['cleanup', expect.any(Number)],
    ])
    expect(coverage(result)).toBeGreaterThanOrEqual(MIN_COVERAGE)
  })
})

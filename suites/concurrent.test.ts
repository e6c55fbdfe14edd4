import { describe, expect, it } from 'vitest'
import { scenarioNamespace } from '../helpers/manifests/namespace.js'
import { DEFAULT_OPTIONS, type ScenarioDefinition } from '../helpers/runner/define.js'
import { runScenariosConcurrently } from '../helpers/runner/run-concurrent.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'
import { SCENARIOS } from './index.js'

/**
 * The whole registry as `run` runs it on the suite's own cluster: concurrently, four at a time,
 * each scenario in its own namespace with its own in-memory lab (routed by Istio's goldens for
 * that namespace). Every scenario passes, cleans up, and two that interfere never overlap: the
 * order of starts and ends is the run's own, whatever each lab's clock says.
 */
describe('the registry, concurrently', () => {
  it('passes every scenario, four at a time, keeping interfering ones apart and leaving nothing', async () => {
    const events: { id: string; at: 'start' | 'end' }[] = []
    const labs = new Map<string, FakeLab>()
    const adaptersFor = (s: ScenarioDefinition) => {
      events.push({ id: s.id, at: 'start' })
      const fake = new FakeLab(CLUSTER_CONFIG)
      fake.internet = true
      labs.set(s.id, fake)
      return fake.adapters()
    }
    const outcome = await runScenariosConcurrently(
      SCENARIOS,
      adaptersFor,
      { ...DEFAULT_OPTIONS, failFast: false, maxConcurrent: 4 },
      { onResult: async (r) => void events.push({ id: r.id, at: 'end' }) },
    )
    expect(
      outcome.results.flatMap((r) =>
        r.checks.filter((c) => !c.passed).map((c) => `${r.id}/${c.check}: ${c.cause}`),
      ),
    ).toEqual([])
    expect(outcome.results.map((r) => [r.id, r.error, r.namespace])).toEqual(
      SCENARIOS.map((s) => [s.id, undefined, scenarioNamespace(s.id)]),
    )
    expect(outcome.notRun).toEqual([])

    // Who ran beside whom, from the order of starts and ends. Which scenarios changed mesh-wide
    // state is read from what each lab saw applied, not from their declarations.
    const meshWide = [...labs]
      .filter(([, fake]) => fake.applied.some((a) => a === 'ConfigMap/istio' || a === 'ConfigMap/coredns'))
      .map(([id]) => id)
    expect(meshWide.sort()).toEqual(['egress-registry-only', 'service-entry'])
    const running = new Set<string>()
    let most = 0
    for (const e of events) {
      if (e.at === 'end') {
        running.delete(e.id)
        continue
      }
      if (meshWide.includes(e.id))
        expect(
          [...running].filter((other) => meshWide.includes(other)),
          `${e.id} started beside`,
        ).toEqual([])
      running.add(e.id)
      most = Math.max(most, running.size)
    }
    expect(most).toBe(4)

    for (const [id, fake] of labs) {
      const ns = scenarioNamespace(id)
      expect(
        [...fake.objects.keys()].filter((k) => k.includes(ns)),
        id,
      ).toEqual([])
      expect(fake.objects.get('ConfigMap/istio-system/istio'), id).toEqual(CLUSTER_CONFIG[0])
      for (const p of fake.probes) expect(p.host.endsWith(`.${ns}.istioinaction.io`), id).toBe(true)
    }
  }, 120_000)
})

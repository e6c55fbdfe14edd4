import { readFileSync } from 'node:fs'
import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS } from '../helpers/runner/define.js'
import { estimateScenario, flaggerIntervalS } from '../helpers/runner/estimate.js'
import { runScenario } from '../helpers/runner/scenario.js'
import type { MeshWide } from '../helpers/schedule/concurrent.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'
import { SCENARIOS, scenarioById } from './index.js'

/**
 * A scenario's footprint and waits are data the scheduler and the plan trust: this holds them
 * to what each body really does on the suite's own cluster, in the in-memory lab. A scenario
 * that changed mesh-wide state it did not declare could be run beside one it disturbs.
 */
const MESH_WIDE_OBJECTS: Readonly<Record<string, MeshWide>> = {
  'ConfigMap/istio-system/istio': 'outbound-policy',
  'ConfigMap/kube-system/coredns': 'cluster-dns',
}

describe('footprints and waits, against what each scenario does', () => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s touches exactly the mesh-wide state it declares, and reads logs only if it says so',
    async (_id, definition) => {
      const fake = new FakeLab(CLUSTER_CONFIG)
      fake.internet = true
      const changed = new Set<string>()
      const apply = fake.cluster.apply
      fake.cluster.apply = async (objects: readonly KubernetesObject[]) => {
        for (const o of objects) changed.add(`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`)
        await apply(objects)
      }
      const result = await runScenario(definition, fake.adapters(), DEFAULT_OPTIONS)
      expect(result.passed, result.error ?? '').toBe(true)

      const outside = [...changed].filter((c) => c.split('/')[1] !== 'istioinaction')
      expect(outside.filter((c) => !(c in MESH_WIDE_OBJECTS))).toEqual([])
      const touched = [...new Set(outside.map((c) => MESH_WIDE_OBJECTS[c] as MeshWide))].sort()
      expect(touched).toEqual([...definition.footprint.touches].sort())

      const { waits } = definition
      expect((waits.logReads ?? 0) > 0).toBe(fake.logReads.length > 0)
      expect((waits.meshPolicyChanges ?? 0) > 0).toBe(touched.includes('outbound-policy'))
      if ((waits.dnsChanges ?? 0) > 0) expect(touched).toContain('cluster-dns')
      expect((waits.flaggerIntervals ?? 0) > 0).toBe(changed.has('Canary/istioinaction/catalog-release'))
    },
    60_000,
  )

  /**
   * The Flagger goldens each Flagger scenario goes through (oracles/flagger runs Flagger 1.36.1's
   * own controller over the Canary): initialisation, then the revision the scenario applies.
   */
  const FLAGGER_PATHS: Readonly<Record<string, readonly string[]>> = {
    'flagger-canary': ['initialize', 'success'],
    'flagger-rollback': ['initialize', 'rollback'],
  }
  const statusesIn = (step: string): number =>
    (
      JSON.parse(
        readFileSync(
          new URL(`../helpers/testing/flagger-golden/1.36.1/flagger-canary/${step}.json`, import.meta.url),
          'utf8',
        ),
      ) as { statuses: unknown[] }
    ).statuses.length

  it('names the goldens of every scenario that runs a Canary, and of no other', () => {
    const withCanary = SCENARIOS.filter((s) =>
      s.manifestSets.some((set) => set.files.includes('ch5/catalog-canary.yaml')),
    ).map((s) => s.id)
    expect(Object.keys(FLAGGER_PATHS).sort()).toEqual([...withCanary].sort())
    expect(withCanary).toEqual(['flagger-canary', 'flagger-rollback'])
  })

  it.each(Object.entries(FLAGGER_PATHS))(
    "%s waits through as many analysis intervals as Flagger's own scheduler takes",
    (id, steps) => {
      // Each distinct status Flagger 1.36.1's scheduler reported (oracles/flagger) took one tick.
      const ticks = steps.reduce((n, step) => n + statusesIn(step), 0)
      expect(scenarioById(id)?.waits.flaggerIntervals).toBe(ticks)
    },
  )

  it('the book timing lengthens only the Flagger scenarios, by their intervals', () => {
    const longer = flaggerIntervalS({ bookTiming: true }) - flaggerIntervalS({ bookTiming: false })
    expect(longer).toBe(45 - 20)
    for (const s of SCENARIOS) {
      const e = estimateScenario(s, { bookTiming: false })
      const book = estimateScenario(s, { bookTiming: true })
      const intervals = s.waits.flaggerIntervals ?? 0
      expect(book.seconds - e.seconds).toBe(intervals * longer)
      if (s.id in FLAGGER_PATHS) expect(intervals).toBeGreaterThan(0)
      else expect(book.seconds).toBe(e.seconds)
    }
  })
})

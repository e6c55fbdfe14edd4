import { readFileSync } from 'node:fs'
import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS } from '../helpers/runner/define.js'
import { estimateScenario } from '../helpers/runner/estimate.js'
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

  it("flagger-canary waits through as many analysis intervals as Flagger's own scheduler takes", () => {
    // Each distinct status Flagger 1.36.1's scheduler reported (oracles/flagger) took one tick.
    const ticks = ['initialize', 'rollback', 'success']
      .map(
        (step) =>
          JSON.parse(
            readFileSync(
              new URL(
                `../helpers/testing/flagger-golden/1.36.1/flagger-canary/${step}.json`,
                import.meta.url,
              ),
              'utf8',
            ),
          ) as { statuses: unknown[] },
      )
      .reduce((n, golden) => n + golden.statuses.length, 0)
    expect(scenarioById('flagger-canary')?.waits.flaggerIntervals).toBe(ticks)
  })

  it('the estimate adds its parts, and the book timing lengthens only the canary', () => {
    for (const s of SCENARIOS) {
      const e = estimateScenario(s, { bookTiming: false })
      expect(e.seconds).toBeCloseTo(
        Object.values(e.parts).reduce((a, b) => a + b, 0),
        6,
      )
      const book = estimateScenario(s, { bookTiming: true })
      if (s.id === 'flagger-canary') expect(book.seconds - e.seconds).toBe(19 * (45 - 20))
      else expect(book.seconds).toBe(e.seconds)
    }
  })
})

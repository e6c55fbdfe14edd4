import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS, type ScenarioOptions } from '../helpers/runner/define.js'
import { runScenario } from '../helpers/runner/scenario.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'
import { SCENARIOS } from './index.js'

/**
 * `run --namespace itc-staging`: every scenario, on the suite's own cluster and on an existing
 * one, runs its lab in that namespace and nowhere else. The in-memory lab routes it by the
 * goldens Istio computed for the objects in itc-staging (helpers/testing/istio-golden/<line>/
 * <scenario>@itc-staging), and finds no pod in a namespace the apps are not in, so a scenario
 * that still sent, read or changed anything of the book's namespace would fail here.
 */
const NAMESPACE = 'itc-staging'
const MODES: readonly [string, ScenarioOptions][] = [
  ["the suite's own cluster", { ...DEFAULT_OPTIONS, namespace: NAMESPACE }],
  [
    'an existing cluster',
    { ...DEFAULT_OPTIONS, existingCluster: true, egress: 'internet', namespace: NAMESPACE },
  ],
]

/** Objects the suite may change outside the lab's namespace on its own cluster: mesh config and CoreDNS. */
const MESH_WIDE = new Set(['ConfigMap/istio-system/istio', 'ConfigMap/kube-system/coredns'])

describe.each(MODES)('in namespace itc-staging, on %s', (_mode, options) => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s passes, and touches, sends to and reads nothing of the book namespace',
    async (_id, definition) => {
      const fake = new FakeLab(CLUSTER_CONFIG)
      fake.internet = true
      const changed: string[] = []
      const apply = fake.cluster.apply
      fake.cluster.apply = async (objects: readonly KubernetesObject[]) => {
        for (const o of objects) changed.push(`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`)
        await apply(objects)
      }
      const result = await runScenario(definition, fake.adapters(), options)

      expect(
        result.checks.filter((c) => !c.passed).map((c) => `${c.check}: ${c.cause}`),
        result.error ?? '',
      ).toEqual([])
      expect(result.error).toBeUndefined()
      const outside = changed.filter((c) => c.split('/')[1] !== NAMESPACE)
      expect(outside.filter((c) => options.existingCluster || !MESH_WIDE.has(c))).toEqual([])
      expect(changed.some((c) => c.includes('/istioinaction/'))).toBe(false)
      for (const p of fake.probes) expect(p.host).toMatch(/\.itc-staging\.istioinaction\.io$/)
      for (const q of [...fake.logReads, ...fake.routeFetches])
        expect([NAMESPACE, 'istio-system']).toContain(q.namespace)
      // Cleanup left the lab as it found it.
      expect([...fake.objects.keys()].filter((k) => k.includes(`/${NAMESPACE}/`))).toEqual([])
    },
    60_000,
  )
})

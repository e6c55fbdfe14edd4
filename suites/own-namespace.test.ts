import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { refOf } from '../helpers/kube/client.js'
import { scenarioNamespace } from '../helpers/manifests/namespace.js'
import { DEFAULT_OPTIONS } from '../helpers/runner/define.js'
import { runScenario } from '../helpers/runner/scenario.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { ownNamespaceKey } from '../helpers/testing/istio-goldens.js'
import { CLUSTER_CONFIG, labNamespace } from '../helpers/testing/run-fixtures.js'
import { SCENARIOS } from './index.js'

/**
 * Concurrent runs (issue 17): each scenario runs in a namespace of its own, itc-<id>
 * (scenarioNamespace), on the suite's own cluster only, in a lab of its own. The run creates
 * that Namespace as the scenario's first change and deletes it afterwards; here the test creates
 * it, as the run will, then runs the scenario there. The in-memory lab routes it by the goldens
 * Istio computed for that scenario alone in that namespace (<id>@itc-<id>), and finds no pod in
 * any other namespace, so a scenario that still sent, read or changed anything elsewhere (the
 * book's namespace, itc-staging, another scenario's) would fail here.
 */

const key = (r: { kind: string; namespace?: string; name: string }) =>
  `${r.kind}/${r.namespace ?? ''}/${r.name}`

/** Objects the suite may change outside the lab's namespace on its own cluster: mesh config and CoreDNS. */
const MESH_WIDE = new Set(['ConfigMap/istio-system/istio', 'ConfigMap/kube-system/coredns'])

describe("each scenario in its own namespace itc-<id>, on the suite's own cluster", () => {
  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s passes, and touches, sends to and reads nothing outside its namespace but the mesh-wide config',
    async (id, definition) => {
      const namespace = scenarioNamespace(id)
      const fake = new FakeLab(CLUSTER_CONFIG)
      const { cluster } = fake.adapters()
      // What the run will do first: create the scenario's namespace, with sidecar injection.
      await cluster.apply([labNamespace(namespace)])
      expect((await cluster.namespaceFacts(namespace)).labels).toEqual({ 'istio-injection': 'enabled' })

      const changed: string[] = []
      const apply = fake.cluster.apply
      fake.cluster.apply = async (objects: readonly KubernetesObject[]) => {
        for (const o of objects) changed.push(`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`)
        await apply(objects)
      }
      const deleted: string[] = []
      const remove = fake.cluster.delete
      fake.cluster.delete = async (refs) => {
        for (const r of refs) deleted.push(`${r.kind}/${r.namespace ?? ''}/${r.name}`)
        await remove(refs)
      }
      // Which goldens routed it: only those of this scenario in its namespace.
      const routedBy = new Set<string>()
      const golden = fake.goldens
      fake.goldens = (line, key, step, proxy) => {
        routedBy.add(key)
        return golden(line, key, step, proxy)
      }
      const result = await runScenario(definition, fake.adapters(), { ...DEFAULT_OPTIONS, namespace })

      expect(
        result.checks.filter((c) => !c.passed).map((c) => `${c.check}: ${c.cause}`),
        result.error ?? '',
      ).toEqual([])
      expect(result.error).toBeUndefined()
      expect(result.checks.length).toBe(definition.checks.length)
      // A Flagger scenario's calls (flagger-canary, flagger-rollback) all follow the VirtualService
      // Flagger generates (the lab's Flagger), so no golden routes them.
      const flagger = definition.manifestSets.some((set) => set.files.includes('ch5/catalog-canary.yaml'))
      expect([...routedBy]).toEqual(flagger ? [] : [ownNamespaceKey(id)])
      const outside = [...changed, ...deleted].filter((c) => c.split('/')[1] !== namespace)
      expect(outside.filter((c) => !MESH_WIDE.has(c))).toEqual([])
      for (const p of fake.probes) expect(p.host.endsWith(`.${namespace}.istioinaction.io`)).toBe(true)
      for (const q of [...fake.logReads, ...fake.routeFetches])
        expect([namespace, 'istio-system']).toContain(q.namespace)
      // The scenario's own cleanup left its namespace empty (the Namespace itself is the run's)
      // and put the mesh-wide config back as it found it.
      expect([...fake.objects.keys()].filter((k) => k.includes(`/${namespace}/`))).toEqual([])
      for (const o of CLUSTER_CONFIG) expect(fake.objects.get(key(refOf(o)))).toEqual(o)
      // The run deletes the namespace last: nothing was left for Kubernetes to delete with it.
      await cluster.delete([{ apiVersion: 'v1', kind: 'Namespace', name: namespace }])
      expect(fake.cascaded).toEqual([])
      expect((await cluster.namespaceFacts(namespace)).labels).toBeUndefined()
    },
    60_000,
  )
})

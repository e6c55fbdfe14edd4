import { describe, expect, it } from 'vitest'
import { BOOK_NAMESPACE, scenarioNamespace } from '../helpers/manifests/namespace.js'
import { type BaseObjectKey, baseObjects, orderForBaseLab, planBaseLab } from '../helpers/runner/base-lab.js'
import { DEFAULT_OPTIONS, type ScenarioDefinition } from '../helpers/runner/define.js'
import { Journal, memoryJournalStore } from '../helpers/runner/journal.js'
import { runScenarios } from '../helpers/runner/run.js'
import { runScenariosConcurrently } from '../helpers/runner/run-concurrent.js'
import { runScenario } from '../helpers/runner/scenario.js'
import { Interrupts } from '../helpers/system/interrupt.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'
import { SCENARIOS } from './index.js'
import { BASE_LAB } from './shared.js'

/**
 * A serial run applies the apps once, as its base lab, and every scenario applies only what it
 * adds. Against the in-memory lab (routed by Istio's `@base-lab` goldens) the whole registry
 * passes on one shared lab, each base workload rolls out once, and the canaries' own revisions
 * are the only other rollouts.
 */

const CANARIES = ['flagger-canary', 'flagger-rollback']
const BASE_WORKLOADS = baseObjects(BASE_LAB)
  .filter((o) => o.object.kind === 'Deployment')
  .map((o) => o.object.metadata?.name ?? '')

/** The rollouts each scenario's run caused, by scenario, from the fake's own count. */
async function serialOnOneLab(namespace: string) {
  const fake = new FakeLab(CLUSTER_CONFIG)
  fake.internet = true
  const journal = new Journal(memoryJournalStore(), 'in-memory', 'in-memory')
  const during = new Map<string, string[]>()
  /** Deployment catalog's replicas when each scenario ended (Flagger scales its target to zero). */
  const catalogReplicas = new Map<string, unknown>()
  const outcome = await runScenarios(
    SCENARIOS,
    { ...fake.adapters(), journal },
    {
      ...DEFAULT_OPTIONS,
      namespace,
      failFast: false,
      base: BASE_LAB,
    },
    {
      onResult: async (r) => {
        during.set(r.id, fake.rollouts.splice(0))
        const catalog = fake.objects.get(`Deployment/${namespace}/catalog`) as {
          spec?: { replicas?: number }
        }
        catalogReplicas.set(r.id, catalog?.spec?.replicas)
      },
    },
  )
  return { fake, outcome, during, journal, catalogReplicas }
}

describe('the base lab of a serial run', () => {
  it.each([BOOK_NAMESPACE, 'itc-staging'])(
    'in %s: every scenario passes on one shared lab, each base workload rolls out once, and nothing is left',
    async (namespace) => {
      const { fake, outcome, during, journal, catalogReplicas } = await serialOnOneLab(namespace)
      expect(
        outcome.results.flatMap((r) => [
          ...(r.error ? [`${r.id}: ${r.error}`] : []),
          ...r.checks.filter((c) => !c.passed).map((c) => `${r.id}/${c.check}: ${c.cause}`),
        ]),
      ).toEqual([])
      // The canaries take Service catalog and catalog-v2 away: they run last.
      expect(outcome.results.map((r) => r.id)).toEqual([
        ...SCENARIOS.map((s) => s.id).filter((id) => !CANARIES.includes(id)),
        ...CANARIES,
      ])
      expect(outcome.baseLab?.order).toEqual(outcome.results.map((r) => r.id))

      // Outside the canaries, the only rollouts are the base lab's: one per base workload.
      const outsideCanaries = [...during].filter(([id]) => !CANARIES.includes(id)).flatMap(([, r]) => r)
      expect([...outsideCanaries].sort()).toEqual(
        BASE_WORKLOADS.map((name) => `Deployment/${namespace}/${name}`).sort(),
      )
      expect(outcome.baseLab?.rollouts).toEqual(
        Object.fromEntries(BASE_WORKLOADS.map((name) => [`Deployment/${name}`, 1])),
      )
      // Each canary rolls out catalog's new revision and, at its cleanup, catalog back to the base lab's.
      for (const id of CANARIES)
        expect(during.get(id), id).toEqual([
          `Deployment/${namespace}/catalog`,
          `Deployment/${namespace}/catalog`,
        ])
      // Flagger scaled catalog to zero while it served the primary; each canary's cleanup gave
      // the next scenario the base lab's catalog back, not Flagger's scaled-down one.
      for (const id of CANARIES) expect(catalogReplicas.get(id), id).toBe(1)
      // Every scenario applied only what it adds: no app file but the canaries' revision.
      for (const r of outcome.results)
        expect(
          r.manifests.filter((f) => f.startsWith('apps/')),
          r.id,
        ).toEqual([])

      // Removed once at the end: nothing of the lab remains, and the journal is empty.
      expect(outcome.baseLab?.cleanup.errors).toEqual([])
      expect([...fake.objects.keys()].filter((k) => k.includes(`/${namespace}/`))).toEqual([])
      expect(journal.entries()).toEqual([])
      expect(fake.objects.get('ConfigMap/istio-system/istio')).toEqual(CLUSTER_CONFIG[0])
      expect(fake.objects.get('ConfigMap/kube-system/coredns')).toEqual(CLUSTER_CONFIG[1])
    },
    120_000,
  )

  it('concurrently, each scenario rolls out the workloads of its own namespace once (the canaries: plus their revision)', async () => {
    const labs = new Map<string, FakeLab>()
    const outcome = await runScenariosConcurrently(
      SCENARIOS,
      (s: ScenarioDefinition) => {
        const fake = new FakeLab(CLUSTER_CONFIG)
        fake.internet = true
        labs.set(s.id, fake)
        return fake.adapters()
      },
      { ...DEFAULT_OPTIONS, failFast: false, maxConcurrent: 4 },
    )
    expect(outcome.results.every((r) => r.passed)).toBe(true)
    for (const [id, fake] of labs) {
      const counts = new Map<string, number>()
      for (const r of fake.rollouts) counts.set(r, (counts.get(r) ?? 0) + 1)
      const ns = scenarioNamespace(id)
      for (const [rollout, n] of counts) {
        expect(rollout.startsWith(`Deployment/${ns}/`), `${id}: ${rollout}`).toBe(true)
        // catalog: v1, then the canary's revision; every other workload once.
        expect(n, `${id}: ${rollout}`).toBe(CANARIES.includes(id) && rollout.endsWith('/catalog') ? 2 : 1)
      }
    }
  }, 120_000)

  it.each(SCENARIOS.map((s) => [s.id, s] as const))(
    '%s declares in `without` exactly the base objects its body removes',
    async (_id, definition) => {
      const fake = new FakeLab(CLUSTER_CONFIG)
      fake.internet = true
      const journal = new Journal(memoryJournalStore(), 'in-memory', 'in-memory')
      const removed: string[] = []
      const record = journal.record.bind(journal)
      journal.record = (scenario, ref, before, change, at) => {
        if (change.kind === 'delete') removed.push(`${ref.kind}/${ref.name}`)
        record(scenario, ref, before, change, at)
      }
      const result = await runScenario(definition, { ...fake.adapters(), journal })
      expect(result.passed, result.error ?? '').toBe(true)
      const baseKeys = new Set(baseObjects(BASE_LAB).map((o) => o.key))
      expect(removed.filter((k) => baseKeys.has(k as BaseObjectKey)).sort()).toEqual(
        [...definition.without].sort(),
      )
    },
    60_000,
  )

  it('refuses a body that removes a base object it did not declare, and still removes the base lab', async () => {
    const edge = SCENARIOS.find((s) => s.id === 'edge-routing') as ScenarioDefinition
    const undeclared: ScenarioDefinition = { ...edge, without: [] }
    const fake = new FakeLab(CLUSTER_CONFIG)
    const journal = new Journal(memoryJournalStore(), 'in-memory', 'in-memory')
    const outcome = await runScenarios(
      [undeclared],
      { ...fake.adapters(), journal },
      { ...DEFAULT_OPTIONS, failFast: false, base: BASE_LAB },
    )
    expect(outcome.results[0]?.error).toBe(
      'edge-routing removes Deployment/catalog-v2 of the base lab without declaring it in `without`',
    )
    expect([...fake.objects.keys()].filter((k) => k.includes('/istioinaction/'))).toEqual([])
    expect(journal.entries()).toEqual([])
  })

  it('on Ctrl-C in the middle of a scenario, undoes the scenario first and the base lab last', async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.internet = true
    const journal = new Journal(memoryJournalStore(), 'in-memory', 'in-memory')
    const said: string[] = []
    const interrupts = new Interrupts({ write: (l) => said.push(l), exit: () => undefined })
    const undone: string[] = []
    const apply = fake.cluster.apply
    let pressed = false
    fake.cluster.apply = async (objects) => {
      await apply(objects)
      // Ctrl-C once mesh-routing has applied its VirtualService.
      if (!pressed && objects.some((o) => o.kind === 'VirtualService' && o.metadata?.name === 'catalog')) {
        const ids = journal.entries().map((e) => e.scenario)
        if (ids.includes('mesh-routing')) {
          pressed = true
          interrupts.press('SIGINT')
        }
      }
    }
    const del = fake.cluster.delete
    fake.cluster.delete = async (refs) => {
      for (const r of refs) undone.push(`${r.kind}/${r.name}`)
      await del(refs)
    }
    const outcome = await runScenarios(
      SCENARIOS,
      { ...fake.adapters(), journal, interrupts },
      { ...DEFAULT_OPTIONS, failFast: false, base: BASE_LAB },
      { shouldContinue: () => !interrupts.signal.aborted },
    )
    await interrupts.settled()
    expect(pressed).toBe(true)
    expect(said[0]).toMatch(/^SIGINT: stopping; undoing .*\(base-lab\).*\(mesh-routing\)/)
    expect(outcome.results.at(-1)?.id).toBe('mesh-routing')
    expect(outcome.notRun.length).toBeGreaterThan(0)
    // The scenario's VirtualService went before any app of the base lab.
    const vs = undone.lastIndexOf('VirtualService/catalog')
    const firstBase = undone.findIndex((u) => u === 'Deployment/webapp' || u === 'Service/catalog')
    expect(vs).toBeGreaterThanOrEqual(0)
    expect(firstBase).toBeGreaterThan(vs)
    expect(journal.entries()).toEqual([])
    expect([...fake.objects.keys()].filter((k) => k.includes('/istioinaction/'))).toEqual([])
  }, 60_000)
})

describe('the base lab and Flagger', () => {
  const byId = (id: string) => SCENARIOS.find((s) => s.id === id) as ScenarioDefinition
  /** Every change the lab makes, in order: `apply Kind/name`, `delete Kind/name`. */
  const recordChanges = (fake: FakeLab): string[] => {
    const ops: string[] = []
    const { apply, delete: del } = fake.cluster
    fake.cluster.apply = async (objects) => {
      for (const o of objects) ops.push(`apply ${o.kind}/${o.metadata?.name}`)
      await apply(objects)
    }
    fake.cluster.delete = async (refs) => {
      for (const r of refs) ops.push(`delete ${r.kind}/${r.name}`)
      await del(refs)
    }
    return ops
  }

  it("a canary's cleanup deletes its Canary before it restores the base lab's catalog", async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    const ops = recordChanges(fake)
    const outcome = await runScenarios(
      [byId('flagger-canary')],
      { ...fake.adapters(), journal: new Journal(memoryJournalStore(), 'in-memory', 'in-memory') },
      { ...DEFAULT_OPTIONS, failFast: false, base: BASE_LAB },
    )
    expect(outcome.results[0]?.passed, outcome.results[0]?.error).toBe(true)
    const revision = ops.indexOf('apply Deployment/catalog', ops.indexOf('apply Canary/catalog-release'))
    const canaryGone = ops.indexOf('delete Canary/catalog-release')
    const restored = ops.indexOf('apply Deployment/catalog', revision + 1)
    expect(revision).toBeGreaterThan(0)
    expect(canaryGone).toBeGreaterThan(revision)
    expect(restored).toBeGreaterThan(canaryGone)
  })

  it("a canary run before others: what Flagger left under a base object's name is deleted before the base lab applies it again", async () => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    fake.internet = true
    const ops = recordChanges(fake)
    // Flagger's Service catalog, owned by the deleted Canary, still there (garbage collection
    // runs in the background): the base lab must not apply its own over it.
    const flaggers = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'catalog',
        namespace: 'istioinaction',
        ownerReferences: [
          { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'catalog-release', uid: 'x' },
        ],
      },
      spec: { selector: { app: 'catalog-primary' }, ports: [{ name: 'http', port: 80, targetPort: 3000 }] },
    }
    const outcome = await runScenarios(
      [byId('flagger-canary'), byId('mirroring')],
      { ...fake.adapters(), journal: new Journal(memoryJournalStore(), 'in-memory', 'in-memory') },
      { ...DEFAULT_OPTIONS, failFast: false, base: BASE_LAB },
      {
        onResult: async (r) => {
          if (r.id === 'flagger-canary') fake.objects.set('Service/istioinaction/catalog', flaggers)
        },
      },
    )
    expect(outcome.results.map((r) => [r.id, r.passed, r.error])).toEqual([
      ['flagger-canary', true, undefined],
      ['mirroring', true, undefined],
    ])
    const reapplied = ops.lastIndexOf('apply Service/catalog')
    expect(ops.lastIndexOf('delete Service/catalog', reapplied)).toBeGreaterThan(
      ops.indexOf('apply Canary/catalog-release'),
    )
    // catalog-v2, which the canary needed gone, is applied only for mirroring: one rollout.
    expect(outcome.baseLab?.rollouts['Deployment/catalog-v2']).toBe(1)
  })
})

describe('the base lab plan for the registry', () => {
  it('runs every scenario that needs catalog-v2 between edge-routing and the canaries, so it rolls out once', () => {
    const base = baseObjects(BASE_LAB)
    const book = planBaseLab(SCENARIOS, base)
    // In book order the canaries take catalog-v2 away and mirroring needs it again.
    expect(book.rollouts['Deployment/catalog-v2']).toBe(2)
    const planned = planBaseLab(orderForBaseLab(SCENARIOS, base), base)
    expect(Object.values(planned.rollouts)).toEqual(BASE_WORKLOADS.map(() => 1))
    expect(planned.steps[0]).toMatchObject({
      scenario: 'edge-routing',
      ready: ['catalog'],
      remove: [],
    })
    expect(planned.steps[0]?.apply).not.toContain('Deployment/catalog-v2')
  })
})

import { describe, expect, it } from 'vitest'
import { scenarioNamespace } from '../helpers/manifests/namespace.js'
import { DEFAULT_OPTIONS, type ScenarioDefinition } from '../helpers/runner/define.js'
import { Journal, memoryJournalStore } from '../helpers/runner/journal.js'
import { runScenariosConcurrently } from '../helpers/runner/run-concurrent.js'
import { Interrupts } from '../helpers/system/interrupt.js'
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

  it('Ctrl-C while four run: each undoes its own changes, its namespace last, and the journal ends empty', async () => {
    const said: string[] = []
    const interrupts = new Interrupts({ write: (l) => said.push(l), exit: () => undefined })
    const journal = new Journal(memoryJournalStore(), 'in-memory', 'in-memory')
    const labs = new Map<string, FakeLab>()
    let pressedAt: string[] | undefined
    const adaptersFor = (s: ScenarioDefinition) => {
      const fake = new FakeLab(CLUSTER_CONFIG)
      fake.internet = true
      labs.set(s.id, fake)
      const apply = fake.cluster.apply
      fake.cluster.apply = async (objects) => {
        await apply(objects)
        // Once four scenarios have changes of their own under way, the user presses Ctrl-C.
        const busy = new Set(journal.entries().map((e) => e.scenario))
        if (!pressedAt && busy.size >= 4) {
          pressedAt = [...busy].sort()
          interrupts.press('SIGINT')
        }
      }
      return { ...fake.adapters(), journal, interrupts }
    }
    const outcome = await runScenariosConcurrently(
      SCENARIOS,
      adaptersFor,
      { ...DEFAULT_OPTIONS, failFast: false, maxConcurrent: 4 },
      { shouldContinue: () => !interrupts.signal.aborted },
    )
    await interrupts.settled()
    expect(pressedAt).toHaveLength(4)
    // Those running were stopped and cleaned up; nothing else started.
    expect(outcome.results.map((r) => r.id).sort()).toEqual(pressedAt)
    expect(outcome.notRun).toHaveLength(SCENARIOS.length - 4)
    expect(said[0]).toMatch(/^SIGINT: stopping; undoing /)
    for (const id of pressedAt ?? []) expect(said[0]).toContain(`(${id})`)
    expect(said.at(-1)).toBe('SIGINT: cleanup finished')
    expect(journal.entries()).toEqual([])
    for (const id of pressedAt ?? []) {
      const fake = labs.get(id) as FakeLab
      const ns = scenarioNamespace(id)
      expect(
        [...fake.objects.keys()].filter((k) => k.includes(ns)),
        id,
      ).toEqual([])
      // Its namespace went last: whatever it put there had been undone before, one by one.
      expect(fake.deleted.at(-1), id).toBe(`Namespace/${ns}`)
      expect(fake.cascaded, id).toEqual([])
      expect(fake.objects.get('ConfigMap/istio-system/istio'), id).toEqual(CLUSTER_CONFIG[0])
    }
  }, 120_000)
})

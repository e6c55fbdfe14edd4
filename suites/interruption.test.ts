import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS, type ScenarioDefinition, type ScenarioOptions } from '../helpers/runner/define.js'
import { Journal, memoryJournalStore } from '../helpers/runner/journal.js'
import type { LabAdapters } from '../helpers/runner/lab.js'
import { runScenarios } from '../helpers/runner/run.js'
import { runScenario } from '../helpers/runner/scenario.js'
import { undoJournal } from '../helpers/runner/undo.js'
import { Interrupts } from '../helpers/system/interrupt.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../helpers/testing/run-fixtures.js'
import { scenario as egressRegistryOnly } from './egress-registry-only/scenario.js'
import { SCENARIOS } from './index.js'
import { scenario as serviceEntry } from './service-entry/scenario.js'
import { BASE_LAB } from './shared.js'

/**
 * The journal's promise, tried at every change the egress scenarios make (they change
 * mesh-wide configuration): whatever stops the run there, the cluster ends exactly as it was.
 * - Ctrl-C, then Ctrl-C again: the cleanup started by the first press is not killed by the
 *   second, and finishes.
 * - A crash (the process state is dropped; only the journal on disk survives): the next
 *   command replays the journal.
 */
const state = (fake: FakeLab) =>
  structuredClone(Object.fromEntries([...fake.objects].sort(([a], [b]) => a.localeCompare(b))))

/** Calls `at(n, land)` before the n-th change reaches the fake cluster; `land` makes it. */
function onEachChange(fake: FakeLab, at: (n: number, land: () => Promise<void>) => Promise<void> | void) {
  const { apply, delete: remove } = fake.cluster
  let n = 0
  fake.cluster.apply = async (objects: readonly KubernetesObject[]) => {
    await at(++n, () => apply(objects))
    return apply(objects)
  }
  fake.cluster.delete = async (refs) => {
    await at(++n, () => remove(refs))
    return remove(refs)
  }
  return { original: { apply, delete: remove }, count: () => n }
}

/** How many changes a full run makes: in its body, and in all (its cleanup's come last). */
async function changesInAFullRun(scenario: ScenarioDefinition, options: ScenarioOptions) {
  const fake = new FakeLab(CLUSTER_CONFIG)
  const probe = onEachChange(fake, () => undefined)
  const result = await runScenario(scenario, fake.adapters(), options)
  expect(result.passed, 'the scenario passes when nothing stops it').toBe(true)
  const undone = result.cleanup.deleted.length + result.cleanup.restored.length
  return { body: probe.count() - undone, total: probe.count() }
}

const cases: [string, ScenarioDefinition, ScenarioOptions][] = [
  ['egress-registry-only', egressRegistryOnly, DEFAULT_OPTIONS],
  ['service-entry', serviceEntry, DEFAULT_OPTIONS],
]

describe.each(cases)('%s stopped at every change', (_id, scenario, options) => {
  it('Ctrl-C twice: the cleanup runs to the end and the cluster is as it was, journal empty', async () => {
    const { body } = await changesInAFullRun(scenario, options)
    expect(body).toBeGreaterThanOrEqual(2)
    for (let k = 1; k <= body; k++) {
      const fake = new FakeLab(CLUSTER_CONFIG)
      const before = state(fake)
      const store = memoryJournalStore()
      const journal = new Journal(store, 'kind-istio-conformance', 'https://127.0.0.1:41000')
      const said: string[] = []
      let exitCode: number | undefined
      const interrupts = new Interrupts({ write: (l) => said.push(l), exit: (c) => (exitCode = c) })
      onEachChange(fake, (n) => {
        if (n !== k) return
        interrupts.press('SIGINT')
        interrupts.press('SIGINT')
      })
      const result = await runScenario(scenario, { ...fake.adapters(), journal, interrupts }, options)
      await interrupts.settled()
      expect(exitCode, `stopped at change ${k}`).toBe(130)
      expect(said[0], `stopped at change ${k}`).toMatch(/^SIGINT: stopping; undoing /)
      expect(said[1], `stopped at change ${k}`).toMatch(/^cleanup still running, left: /)
      expect(result.passed).toBe(false)
      expect(state(fake), `cluster after stopping at change ${k}`).toEqual(before)
      expect(store.file?.entries ?? [], `journal after stopping at change ${k}`).toEqual([])
    }
  }, 60_000)

  it('a crash at any change leaves a journal the next command replays to the exact prior state', async () => {
    await everyCrashReplays(async (adapters) => {
      const result = await runScenario(scenario, adapters, options)
      expect(result.passed).toBe(true)
    }, 8)
  }, 60_000)
})

describe("a serial run's base lab, crashed at every change", () => {
  it('leaves a journal of base lab and scenario entries that the next command replays to the exact prior state', async () => {
    const ids = ['edge-routing', 'mesh-routing', 'flagger-canary']
    await everyCrashReplays(async (adapters) => {
      const outcome = await runScenarios(
        SCENARIOS.filter((s) => ids.includes(s.id)),
        adapters,
        { ...DEFAULT_OPTIONS, failFast: false, base: BASE_LAB },
      )
      expect(outcome.results.map((r) => [r.id, r.passed])).toEqual(ids.map((id) => [id, true]))
      expect(outcome.baseLab?.cleanup.errors).toEqual([])
    }, 30)
  }, 120_000)
})

/**
 * One run, with what a crash would leave captured at every change, body and cleanup alike:
 * the journal as written to disk, and the cluster without and with the change. Nothing else
 * of the process survives a crash. Each is replayed as the next command would.
 */
async function everyCrashReplays(run: (adapters: LabAdapters) => Promise<void>, atLeast: number) {
  const fake = new FakeLab(CLUSTER_CONFIG)
  const before = state(fake)
  const store = memoryJournalStore()
  const journal = new Journal(store, 'kind-istio-conformance', 'https://127.0.0.1:41000')
  type Crash = { at: number; landed: boolean; cluster: KubernetesObject[]; journal: typeof store.file }
  const crashes: Crash[] = []
  const snapshot = (at: number, landed: boolean) =>
    crashes.push({
      at,
      landed,
      cluster: structuredClone([...fake.objects.values()]),
      journal: structuredClone(store.file),
    })
  const { apply, delete: remove } = fake.cluster
  let n = 0
  fake.cluster.apply = async (objects) => {
    const at = ++n
    snapshot(at, false)
    await apply(objects)
    snapshot(at, true)
  }
  fake.cluster.delete = async (refs) => {
    const at = ++n
    snapshot(at, false)
    await remove(refs)
    snapshot(at, true)
  }
  await run({ ...fake.adapters(), journal })
  expect(crashes.length).toBeGreaterThanOrEqual(atLeast)
  for (const crash of crashes) {
    // The next process: a cluster as the crash left it, and the journal from disk.
    const next = new FakeLab(crash.cluster)
    const replayed = new Journal(
      memoryJournalStore(crash.journal),
      'kind-istio-conformance',
      'https://127.0.0.1:41000',
    )
    const report = await undoJournal(replayed, next.cluster)
    const where = `crash at change ${crash.at} (${crash.landed ? 'after' : 'before'} it reached the cluster)`
    expect(report.errors, where).toEqual([])
    expect(state(next), where).toEqual(before)
    expect(replayed.entries(), where).toEqual([])
  }
}

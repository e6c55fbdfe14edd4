import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { scenario as serviceEntry } from '../../suites/service-entry/scenario.js'
import { Interrupts } from '../system/interrupt.js'
import { FakeLab } from '../testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../testing/run-fixtures.js'
import { DEFAULT_OPTIONS } from './define.js'
import { Journal, memoryJournalStore } from './journal.js'
import { Lab } from './lab.js'

const MESH = CLUSTER_CONFIG[0] as KubernetesObject
const locked = {
  ...MESH,
  data: { mesh: 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n' },
} as KubernetesObject

function lab(
  options = DEFAULT_OPTIONS,
  interrupts = new Interrupts({ write: () => undefined, exit: () => undefined }),
) {
  const fake = new FakeLab(CLUSTER_CONFIG)
  const store = memoryJournalStore()
  const journal = new Journal(store, 'kind-x', 'https://127.0.0.1:1')
  const seen: string[] = []
  const apply = fake.cluster.apply
  fake.cluster.apply = async (objects) => {
    // What the journal held when the change reached the cluster.
    seen.push(...(store.file?.entries ?? []).map((e) => `${e.ref.name}:${e.change.kind}`))
    return apply(objects)
  }
  return {
    fake,
    store,
    lab: new Lab(serviceEntry, { ...fake.adapters(), journal, interrupts }, options),
    seen,
  }
}

describe('Lab and the change journal', () => {
  it('journals a change, with what the object was, before the change reaches the cluster', async () => {
    const { lab: l, seen, store } = lab()
    await l.applyObjects([locked])
    expect(seen).toEqual(['istio:apply'])
    expect(store.file?.entries[0]).toMatchObject({ scenario: 'service-entry', before: MESH })
  })

  it('keeps the state before the first change when an object changes twice, and undoes to it', async () => {
    const { lab: l, fake, store } = lab()
    await l.applyObjects([locked])
    await l.applyObjects([{ ...locked, data: { mesh: 'other: 1\n' } } as KubernetesObject])
    expect(store.file?.entries).toHaveLength(1)
    expect(store.file?.entries[0]?.before).toEqual(MESH)
    const report = await l.cleanup()
    expect(report.restored).toEqual(['ConfigMap/istio'])
    expect(fake.objects.get('ConfigMap/istio-system/istio')).toEqual(MESH)
    expect(store.file?.entries).toEqual([])
  })

  it('gives a second cleanup call the same report instead of undoing twice', async () => {
    const { lab: l } = lab()
    await l.applyObjects([locked])
    const [a, b] = await Promise.all([l.cleanup(), l.cleanup()])
    expect(a).toBe(b)
  })

  it("on a cluster that is not the suite's own, refuses any change outside namespace istioinaction", async () => {
    const { lab: l, fake, store } = lab({ ...DEFAULT_OPTIONS, existingCluster: true })
    await expect(l.applyObjects([locked])).rejects.toThrow(
      "refusing to change ConfigMap/istio-system/istio on a cluster that is not the suite's own: only namespace istioinaction may change",
    )
    expect(fake.applied).toEqual([])
    expect(store.file).toBeUndefined()
  })

  it('starts no new change once the user pressed Ctrl-C', async () => {
    const interrupts = new Interrupts({ write: () => undefined, exit: () => undefined })
    const { lab: l, fake } = lab(DEFAULT_OPTIONS, interrupts)
    interrupts.press('SIGINT')
    await expect(l.applyObjects([locked])).rejects.toThrow(/^interrupted/)
    expect(fake.applied).toEqual([])
  })

  it('ends a wait at once when Ctrl-C is pressed during it, not at its deadline', async () => {
    const interrupts = new Interrupts({ write: () => undefined, exit: () => undefined })
    const { lab: l, fake } = lab(DEFAULT_OPTIONS, interrupts)
    const t0 = fake.adapters().now().getTime()
    let checks = 0
    const waiting = l.poll(
      'never',
      async () => {
        if (++checks === 3) interrupts.press('SIGINT')
        return { done: false, state: 'waiting' }
      },
      { timeout: 'meshPolicy' },
    )
    await expect(waiting).rejects.toThrow(/^interrupted: no further change is made/)
    expect(checks).toBe(3)
    expect(fake.adapters().now().getTime() - t0).toBeLessThan(5_000)
  })
})

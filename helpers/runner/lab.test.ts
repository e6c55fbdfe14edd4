import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { scenario as serviceEntry } from '../../suites/service-entry/scenario.js'
import type { RequestRecord } from '../http/sampler.js'
import { Interrupts } from '../system/interrupt.js'
import { FakeLab } from '../testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../testing/run-fixtures.js'
import { DEFAULT_OPTIONS } from './define.js'
import { Journal, memoryJournalStore } from './journal.js'
import { Lab, type LabAdapters, type LabCluster, type LabIngress } from './lab.js'

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

  it("ends a rollout wait at once when Ctrl-C is pressed during it, not at the adapter's deadline", async () => {
    const interrupts = new Interrupts({ write: () => undefined, exit: () => undefined })
    const { lab: l, fake } = lab(DEFAULT_OPTIONS, interrupts)
    let waiting = false
    // A rollout that never ends (the adapter's own deadline is 5 minutes).
    fake.cluster.waitForDeployments = () => {
      waiting = true
      return new Promise<void>(() => undefined)
    }
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'catalog', namespace: 'istioinaction' },
    } as KubernetesObject
    const applying = l.applyObjects([deployment])
    for (let i = 0; i < 100 && !waiting; i++) await new Promise((resolve) => setImmediate(resolve))
    expect(waiting).toBe(true)
    interrupts.press('SIGINT')
    await expect(applying).rejects.toThrow(/^interrupted: no further change is made/)
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

/**
 * A lab whose every adapter call takes a stated time on a virtual clock, so the spans' start
 * times and durations are exact.
 */
function timedLab() {
  const T0 = Date.parse('2026-11-27T08:00:00.000Z')
  let now = T0
  const clock = {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms
    },
  }
  const takes = (ms: number) => clock.sleep(ms)
  let fetches = 0
  const cluster: LabCluster = {
    events: async () => [],
    exec: async () => {
      throw new Error('no exec here')
    },
    namespaceFacts: async (namespace) => ({ namespace, labels: {}, objects: [], unlisted: [] }),
    istioVersion: async () => '1.17.8',
    read: async () => {
      await takes(10)
      return undefined
    },
    apply: () => takes(300),
    delete: () => takes(1_500),
    waitForDeployments: () => takes(4_000),
    readLogs: async () => {
      await takes(200)
      return { pods: [], lines: [], truncatedPods: [] }
    },
    fetchRoutes: async () => {
      await takes(50)
      fetches++
      return { pod: 'webapp-1', routes: [] }
    },
  }
  const ingress: LabIngress = {
    converge: async () => {
      await takes(700)
      return { requests: 3, elapsedMs: 700 }
    },
    startLoad: () => ({ stop: async () => [], answered: () => [] }),
    sample: async (_probe, options) => {
      const records: RequestRecord[] = []
      for (let index = 0; index < options.maxRequests; index++) {
        await takes(5)
        const record: RequestRecord = {
          index,
          requestId: `r${index}`,
          status: 200,
          class: 'v1',
          latencyMs: 5,
        }
        records.push(record)
        if (options.onOrdered(record)) break
      }
      return { records, counts: { v1: records.length, v2: 0, error: 0 }, stoppedEarly: true, elapsedMs: 0 }
    },
  }
  const adapters: LabAdapters = {
    cluster,
    ingress,
    now: () => new Date(now),
    log: () => undefined,
    clock,
    interrupts: new Interrupts({ write: () => undefined, exit: () => undefined }),
  }
  const at = (ms: number) => new Date(T0 + ms).toISOString()
  return { lab: new Lab(serviceEntry, adapters, DEFAULT_OPTIONS), at, fetches: () => fetches, takes }
}

const DEPLOYMENT = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'forum', namespace: 'istioinaction' },
} as KubernetesObject
const PROBE = { host: 'webapp.istioinaction.io', path: '/api/users' }

describe("Lab's phase spans", () => {
  it('times an apply and the rollout it waits for as two spans, on the lab clock', async () => {
    const { lab: l, at } = timedLab()
    await l.applyObjects([locked, DEPLOYMENT])
    // Two reads of what existed (10 ms each) and the apply (300 ms); then the Deployment.
    expect(l.phases).toEqual([
      { kind: 'apply', label: 'ConfigMap/istio, Deployment/forum', startedAt: at(0), durationMs: 320 },
      { kind: 'rollout', label: 'forum', startedAt: at(320), durationMs: 4_000 },
    ])
  })

  it('names a manifest set by its name, and records no rollout where nothing rolls out', async () => {
    const { lab: l } = timedLab()
    await l.apply('service-entry')
    expect(l.phases.map((p) => [p.kind, p.label])).toEqual([['apply', 'service-entry']])
  })

  it('counts a nested wait once: a route gate polls, but records one routes span', async () => {
    const { lab: l, at, fetches } = timedLab()
    let reads = 0
    const fetched = await l.awaitRoutes(
      'forum-se-cluster',
      { namespace: 'istioinaction', labelSelector: 'app=webapp', routeName: '80', virtualHost: 'forum' },
      'the new table',
      () => (++reads === 3 ? { done: true, value: true } : { done: false, state: 'old table' }),
    )
    expect(fetched?.pod).toBe('webapp-1')
    expect(fetches()).toBe(3)
    // Three fetches of 50 ms, a second between them.
    expect(l.phases).toEqual([
      { kind: 'routes', label: 'forum-se-cluster', startedAt: at(0), durationMs: 2_150 },
    ])
  })

  it('splits expectOnly into the convergence gate and the measurement', async () => {
    const { lab: l, at } = timedLab()
    const measured = await l.expectOnly('users-200', PROBE, 'v1')
    const n = measured?.records.length ?? 0
    expect(n).toBeGreaterThan(100)
    expect(l.phases).toEqual([
      { kind: 'converge', label: 'users-200', startedAt: at(0), durationMs: 700 },
      { kind: 'measure', label: 'users-200', startedAt: at(700), durationMs: 5 * n },
    ])
  })

  it('times observe with its deliveries, watch, a wait of the body, a delete and cleanup', async () => {
    const { lab: l, at, takes } = timedLab()
    await l.observe(
      'forum-se-cluster',
      async () => {
        await takes(200)
        return { kind: 'converged', expected: 'v1', consecutive: 3, requests: 3, elapsedMs: 0 }
      },
      { until: 'logLinesDelivered' },
    )
    const watched = await l.watch(
      {
        apiVersion: 'flagger.app/v1beta1',
        kind: 'Canary',
        name: 'catalog-release',
        namespace: 'istioinaction',
      },
      () => 'Progressing',
      () => false,
      { timeoutMs: 4_000, intervalMs: 2_000 },
    )
    expect(watched.completed).toBe(false)
    let polls = 0
    await l.poll(
      'a condition',
      async () => (++polls === 2 ? { done: true, value: true } : { done: false, state: 'not yet' }),
      { timeout: 'converge', intervalMs: 2_000 },
    )
    await l.absent({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'forum', namespace: 'istioinaction' })
    await l.cleanup()
    await l.cleanup()
    expect(l.phases).toEqual([
      // Two reads (a second apart, then equal: delivered) of 200 ms.
      { kind: 'observe', label: 'forum-se-cluster', startedAt: at(0), durationMs: 1_400 },
      // Reads of 10 ms every 2 s until the 4 s deadline: the last read ends at 4 010 ms.
      { kind: 'watch', label: 'Canary/catalog-release', startedAt: at(1_400), durationMs: 4_010 },
      { kind: 'wait', label: 'a condition', startedAt: at(5_410), durationMs: 2_000 },
      { kind: 'delete', label: 'Deployment/forum', startedAt: at(7_410), durationMs: 1_510 },
      // Nothing existed before the delete: one read finds nothing to restore. Once, though called twice.
      { kind: 'cleanup', label: '', startedAt: at(8_920), durationMs: 10 },
    ])
  })

  it('records cleanup that starts while a step runs (Ctrl-C), beside that step', async () => {
    const { lab: l } = timedLab()
    const watching = l.watch(
      {
        apiVersion: 'flagger.app/v1beta1',
        kind: 'Canary',
        name: 'catalog-release',
        namespace: 'istioinaction',
      },
      () => 'Progressing',
      () => false,
      { timeoutMs: 10_000, intervalMs: 2_000 },
    )
    await l.cleanup()
    await watching
    expect(l.phases.map((p) => p.kind)).toEqual(['watch', 'cleanup'])
  })

  it('records a step that throws, with the time it took', async () => {
    const { lab: l, at } = timedLab()
    l.cluster.waitForDeployments = async () => {
      await new Promise((resolve) => setImmediate(resolve))
      throw new Error('deployments never ready: forum')
    }
    await expect(l.applyObjects([DEPLOYMENT])).rejects.toThrow('never ready')
    expect(l.phases).toEqual([
      { kind: 'apply', label: 'Deployment/forum', startedAt: at(0), durationMs: 310 },
      { kind: 'rollout', label: 'forum', startedAt: at(310), durationMs: 0 },
    ])
  })
})

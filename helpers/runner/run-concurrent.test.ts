import { describe, expect, it } from 'vitest'
import type { Footprint } from '../schedule/concurrent.js'
import { observed } from '../stats/check-designs.js'
import { FakeLab } from '../testing/fake-lab.js'
import { CLUSTER_CONFIG } from '../testing/run-fixtures.js'
import { DEFAULT_OPTIONS, defineScenario, type ScenarioDefinition } from './define.js'
import { runScenariosConcurrently } from './run-concurrent.js'

/** Lets every pending promise callback run; bounded, so a condition that never holds fails the test. */
async function until(what: string, holds: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (holds()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`never: ${what}`)
}

/**
 * Scenarios whose bodies wait for the test to release them, then record one check (passing or
 * not) and make one more change: the test decides when each ends and sees when each starts.
 */
function harness() {
  const events: string[] = []
  const gates = new Map<string, (pass: boolean) => void>()
  const labs = new Map<string, FakeLab>()
  const running = new Set<string>()
  let overlapsSeen: string[][] = []
  const scenario = (
    id: string,
    footprint: Partial<Footprint> = {},
    seconds = 60,
    loadRps = 0,
  ): ScenarioDefinition =>
    defineScenario({
      id,
      title: id,
      section: '5',
      observation: 'a synthetic scenario',
      manifests: {},
      checks: { ok: { proves: 'it ran', hint: 'none', design: observed('nothing') } },
      footprint,
      waits: { routeChanges: 0, fixedS: seconds },
      loadRps,
      async run(lab) {
        running.add(id)
        overlapsSeen.push([...running].sort())
        events.push(`start ${id} in ${lab.namespace}`)
        const pass = await new Promise<boolean>((resolve) => gates.set(id, resolve))
        lab.record(
          'ok',
          pass
            ? { kind: 'converged', expected: 'v1', consecutive: 3, requests: 3, elapsedMs: 0 }
            : { kind: 'unobserved', reason: 'made to fail' },
        )
        running.delete(id)
        events.push(`end ${id}`)
        // One more step after the check: a scenario stopped by --fail-fast stops here.
        await lab.poll('anything', async () => ({ done: true, value: true }), { timeout: 'converge' })
      },
    })
  const adaptersFor = (s: ScenarioDefinition) => {
    const fake = new FakeLab(CLUSTER_CONFIG)
    labs.set(s.id, fake)
    return fake.adapters()
  }
  const release = async (id: string, pass = true) => {
    await until(`${id} started`, () => gates.has(id))
    gates.get(id)?.(pass)
    gates.delete(id)
  }
  return {
    events,
    labs,
    scenario,
    adaptersFor,
    release,
    started: (id: string) => gates.has(id),
    overlaps: () => overlapsSeen,
    reset: () => {
      overlapsSeen = []
    },
  }
}

const options = { ...DEFAULT_OPTIONS, failFast: false, maxConcurrent: 4 }

describe('runScenariosConcurrently', () => {
  it('runs independent scenarios together, each in a namespace of its own that it creates and removes', async () => {
    const h = harness()
    const scenarios = [h.scenario('alpha'), h.scenario('beta'), h.scenario('gamma')]
    const run = runScenariosConcurrently(scenarios, h.adaptersFor, options)
    await until('all three started', () => ['alpha', 'beta', 'gamma'].every(h.started))
    for (const id of ['gamma', 'alpha', 'beta']) await h.release(id)
    const outcome = await run
    expect(outcome.results.map((r) => [r.id, r.passed])).toEqual([
      ['alpha', true],
      ['beta', true],
      ['gamma', true],
    ])
    expect(outcome.notRun).toEqual([])
    expect(h.events).toContain('start alpha in itc-alpha')
    for (const id of ['alpha', 'beta', 'gamma']) {
      const fake = h.labs.get(id) as FakeLab
      expect(fake.applied[0]).toMatch(new RegExp(`^Namespace/(.*/)?itc-${id}$`))
      expect([...fake.objects.keys()].filter((k) => k.includes(`itc-${id}`))).toEqual([])
    }
  })

  it('never runs two scenarios that touch the same mesh-wide state at once', async () => {
    const h = harness()
    const scenarios = [
      h.scenario('registry-only', { touches: ['outbound-policy', 'cluster-dns'] }, 50),
      h.scenario('service-entry', { touches: ['outbound-policy', 'cluster-dns'] }, 90),
      h.scenario('reader', { observes: ['cluster-dns'] }, 10),
      h.scenario('routing', {}, 40),
    ]
    const run = runScenariosConcurrently(scenarios, h.adaptersFor, options)
    // Longest first: service-entry starts; registry-only and reader must wait for it.
    await until('service-entry and routing started', () => h.started('service-entry') && h.started('routing'))
    expect(h.started('registry-only') || h.started('reader')).toBe(false)
    await h.release('routing')
    await until('routing ended', () => h.events.includes('end routing'))
    expect(h.started('registry-only') || h.started('reader')).toBe(false)
    await h.release('service-entry')
    await until('registry-only started', () => h.started('registry-only'))
    expect(h.started('reader')).toBe(false)
    await h.release('registry-only')
    await h.release('reader')
    const outcome = await run
    expect(outcome.results.every((r) => r.passed)).toBe(true)
    const apart = ['registry-only', 'service-entry', 'reader']
    for (const seen of h.overlaps())
      expect(seen.filter((id) => apart.includes(id)).length).toBeLessThanOrEqual(1)
  })

  it('keeps to --parallel: a third scenario starts when one of two ends', async () => {
    const h = harness()
    const scenarios = [h.scenario('a', {}, 30), h.scenario('b', {}, 20), h.scenario('c', {}, 10)]
    const run = runScenariosConcurrently(scenarios, h.adaptersFor, { ...options, maxConcurrent: 2 })
    await until('a and b started', () => h.started('a') && h.started('b'))
    expect(h.started('c')).toBe(false)
    await h.release('b')
    await until('c started', () => h.started('c'))
    await h.release('a')
    await h.release('c')
    await run
    expect(Math.max(...h.overlaps().map((o) => o.length))).toBe(2)
  })

  it('a failing scenario stops nothing else without --fail-fast', async () => {
    const h = harness()
    const run = runScenariosConcurrently([h.scenario('bad'), h.scenario('good')], h.adaptersFor, options)
    await h.release('bad', false)
    await h.release('good')
    const outcome = await run
    expect(outcome.results.map((r) => [r.id, r.passed, r.error])).toEqual([
      ['bad', false, undefined],
      ['good', true, undefined],
    ])
  })

  it('--fail-fast stops those running (saying why) and starts none of those pending', async () => {
    const h = harness()
    const scenarios = [
      h.scenario('bad', {}, 50),
      h.scenario('running', {}, 40),
      h.scenario('pending', {}, 10),
    ]
    const reported: string[] = []
    const diagnosed: string[] = []
    const run = runScenariosConcurrently(
      scenarios,
      h.adaptersFor,
      { ...options, failFast: true, maxConcurrent: 2 },
      {
        onResult: async (r) => void reported.push(r.id),
        diagnostics: async (s) => void diagnosed.push(s.id),
      },
    )
    await until('bad and running started', () => h.started('bad') && h.started('running'))
    await h.release('bad', false)
    await until("bad's result is in", () => reported.includes('bad'))
    await h.release('running')
    const outcome = await run
    expect(outcome.notRun).toEqual(['pending'])
    const stopped = outcome.results.find((r) => r.id === 'running')
    expect(stopped?.passed).toBe(false)
    expect(stopped?.error).toMatch(/^--fail-fast: bad failed: no further change is made/)
    // Diagnostics for the scenario that failed, not for the one only stopped.
    expect(diagnosed).toEqual(['bad'])
    // Both cleaned up, their namespaces included.
    for (const id of ['bad', 'running'])
      expect([...(h.labs.get(id) as FakeLab).objects.keys()].filter((k) => k.includes(`itc-${id}`))).toEqual(
        [],
      )
  })

  it('when a result cannot be saved, stops those running and lets them clean up before failing', async () => {
    const h = harness()
    let refused = false
    const run = runScenariosConcurrently(
      [h.scenario('a', {}, 20), h.scenario('b', {}, 10), h.scenario('c', {}, 5)],
      h.adaptersFor,
      { ...options, maxConcurrent: 2 },
      {
        onResult: async (r) => {
          if (r.id !== 'a') return
          refused = true
          throw new Error('disk full')
        },
      },
    )
    await until('a and b started', () => h.started('a') && h.started('b'))
    await h.release('a')
    await until("a's result refused", () => refused)
    const settled = run.then(
      () => 'resolved',
      (e: Error) => e.message,
    )
    await h.release('b')
    expect(await settled).toBe('disk full')
    expect(h.started('c')).toBe(false)
    const b = h.labs.get('b') as FakeLab
    expect([...b.objects.keys()].filter((k) => k.includes('itc-b'))).toEqual([])
    // b was stopped at its next step, saying why, and cleaned up.
    expect(b.lines.some((l) => l.includes('the run stopped: disk full: no further change is made'))).toBe(
      true,
    )
  })

  it('starts nothing new once the user pressed Ctrl-C', async () => {
    const h = harness()
    let go = true
    const run = runScenariosConcurrently(
      [h.scenario('first', {}, 20), h.scenario('second', {}, 10)],
      h.adaptersFor,
      { ...options, maxConcurrent: 1 },
      { shouldContinue: () => go },
    )
    await until('first started', () => h.started('first'))
    go = false
    await h.release('first')
    const outcome = await run
    expect(outcome.results.map((r) => r.id)).toEqual(['first'])
    expect(outcome.notRun).toEqual(['second'])
  })

  it('never takes over a namespace that exists: the scenario fails and the namespace and its content stay', async () => {
    const h = harness()
    const theirs = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'theirs', namespace: 'itc-x' } }
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'itc-x' } }
    const outcome = await runScenariosConcurrently(
      [h.scenario('x')],
      (s) => {
        const fake = new FakeLab([...CLUSTER_CONFIG, namespace, theirs])
        h.labs.set(s.id, fake)
        return fake.adapters()
      },
      options,
    )
    expect(outcome.results[0]?.passed).toBe(false)
    expect(outcome.results[0]?.error).toMatch(
      /^namespace itc-x already exists: .*never takes over one it did not create/,
    )
    const fake = h.labs.get('x') as FakeLab
    expect(fake.applied).toEqual([])
    expect(fake.objects.has('ConfigMap/itc-x/theirs')).toBe(true)
    expect(fake.objects.has('Namespace//itc-x')).toBe(true)
  })

  it('waits for a namespace still being deleted, then creates it', async () => {
    const h = harness()
    let reads = 0
    const run = runScenariosConcurrently(
      [h.scenario('y')],
      (s) => {
        const fake = new FakeLab(CLUSTER_CONFIG)
        h.labs.set(s.id, fake)
        const adapters = fake.adapters()
        const read = adapters.cluster.read
        return {
          ...adapters,
          cluster: {
            ...adapters.cluster,
            read: async (ref) =>
              ref.kind === 'Namespace' && ++reads <= 3
                ? {
                    apiVersion: 'v1',
                    kind: 'Namespace',
                    metadata: { name: ref.name, deletionTimestamp: new Date() },
                  }
                : read(ref),
          },
        }
      },
      options,
    )
    await h.release('y')
    const outcome = await run
    expect(outcome.results[0]?.passed, outcome.results[0]?.error).toBe(true)
    expect(reads).toBeGreaterThan(3)
    expect((h.labs.get('y') as FakeLab).applied[0]).toBe('Namespace/itc-y')
  })

  it('keeps to the request budget: a load that would not fit beside those running waits, a lighter scenario goes', async () => {
    const h = harness()
    const scenarios = [
      h.scenario('heavy-a', {}, 50, 60),
      h.scenario('heavy-b', {}, 40, 60),
      h.scenario('light', {}, 10),
    ]
    const budget = { samplerConnections: 32, loadRps: 100 }
    const run = runScenariosConcurrently(scenarios, h.adaptersFor, { ...options, budget })
    // Longest first: heavy-a; heavy-b's 60 req/s beside its 60 would exceed 100, light fits.
    await until('heavy-a and light started', () => h.started('heavy-a') && h.started('light'))
    expect(h.started('heavy-b')).toBe(false)
    await h.release('light')
    await until('light ended', () => h.events.includes('end light'))
    expect(h.started('heavy-b')).toBe(false)
    await h.release('heavy-a')
    await h.release('heavy-b')
    const outcome = await run
    expect(outcome.results.every((r) => r.passed)).toBe(true)
    for (const seen of h.overlaps())
      expect(seen.filter((id) => id.startsWith('heavy')).length).toBeLessThanOrEqual(1)
  })

  it('refuses a scenario whose demand alone exceeds the budget before starting anything (exit 2)', async () => {
    const h = harness()
    const scenarios = [h.scenario('fine', {}, 10), h.scenario('flood', {}, 10, 500)]
    const refused = runScenariosConcurrently(scenarios, h.adaptersFor, options)
    await expect(refused).rejects.toMatchObject({
      exitCode: 2,
      message:
        'refused by the request budget: flood alone needs 500 req/s of load (budget 186): it could never start',
    })
    expect(h.events).toEqual([])
    expect(h.labs.size).toBe(0)
  })

  it("is refused on a cluster that is not the suite's own", async () => {
    const h = harness()
    await expect(
      runScenariosConcurrently([h.scenario('x')], h.adaptersFor, { ...options, existingCluster: true }),
    ).rejects.toThrow(/only on the suite.s own cluster/)
  })
})

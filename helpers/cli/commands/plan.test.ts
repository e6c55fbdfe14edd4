import { describe, expect, it } from 'vitest'
import { PROFILES, type Profile } from '../../../cluster/profiles.js'
import { SCENARIOS } from '../../../suites/index.js'
import { TYPICAL } from '../../runner/estimate.js'
import { main } from '../main.js'
import { buildPlan, renderPlan } from './plan.js'

describe('plan lists the registries the main job pulls from', () => {
  it('in --json: per registry, each image with what pulls it and its source', () => {
    const plan = JSON.parse(JSON.stringify(buildPlan(PROFILES.current as Profile, 'istio-conformance')))
    expect(plan.registries.map((r: { registry: string }) => r.registry)).toEqual(['docker.io', 'ghcr.io'])
    expect(plan.registries[1].images).toContainEqual({
      image: 'ghcr.io/fluxcd/flagger:1.44.0',
      pulledBy: 'helm install flagger',
      source: 'https://github.com/fluxcd/flagger/blob/v1.44.0/charts/flagger/values.yaml',
    })
    expect(plan.newerReleases).toEqual((PROFILES.current as Profile).newerReleases)
  })

  it('in text: a registries section naming every image', () => {
    const profile = PROFILES.book as Profile
    const text = renderPlan(buildPlan(profile, 'istio-conformance'))
    expect(text).toContain('registries (allow these through a proxy or mirror)\n  docker.io\n')
    for (const { image } of profile.images) expect(text).toContain(`    ${image}  (`)
    expect(text).toContain('\n  ghcr.io\n    ghcr.io/fluxcd/flagger:1.36.1  (helm install flagger)')
  })
})

describe('plan --istio', () => {
  it('names the version, its node image and every image up preloads', async () => {
    const { profileFor } = await import('../../../cluster/istio-releases.js')
    const plan = JSON.parse(
      JSON.stringify(buildPlan(profileFor({ profile: 'current', istio: '1.30.5' }), 'lab')),
    )
    expect(plan.versions.istio.version).toBe('1.30.5')
    expect(plan.cluster.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/)
    expect(plan.images).toContain('registry.istio.io/release/pilot:1.30.5')
    expect(plan.images).toContain('docker.io/istioinaction/webapp:latest')
    expect(plan.hostImages).toContain('docker.io/library/node:20-alpine')
  })

  it('plan --istio 1.31.2 --json: one JSON document naming 1.31.2 and its node image (the issue\u2019s example)', async () => {
    const out: string[] = []
    const code = await main(['plan', '--istio', '1.31.2', '--json'], {
      out: (t) => out.push(t),
      err: () => undefined,
    })
    expect(code).toBe(0)
    expect(out).toHaveLength(1)
    const plan = JSON.parse(out[0] ?? '')
    expect(plan.versions.istio.version).toBe('1.31.2')
    expect(plan.cluster.nodeImage).toMatch(/^kindest\/node:v1\.36\.4@sha256:[0-9a-f]{64}$/)
    // 1.31 went back to docker.io/istio (helpers/istio-behaviour.ts DEFAULT_IMAGE_HUB).
    expect(plan.images).toContain('docker.io/istio/proxyv2:1.31.2')
  })
})

describe('plan: the expected schedule', () => {
  const profile = PROFILES.current as Profile

  it('--serial: one after another on the base lab, in its order, and its removal last', () => {
    const { schedule } = buildPlan(profile, 'lab')
    const canaries = ['flagger-canary', 'flagger-rollback']
    const serial = schedule.serial.placements
    expect(serial.map((p) => p.id)).toEqual([
      ...schedule.scenarios.map((s) => s.id).filter((id) => !canaries.includes(id)),
      ...canaries,
      'base-lab',
    ])
    for (const [i, p] of serial.entries()) expect(p.startS).toBeCloseTo(serial[i - 1]?.endS ?? 0, 6)
    expect(schedule.serial.expectedS).toBeCloseTo(serial.at(-1)?.endS ?? 0, 6)
    // The base lab's removal: each of its objects undone once (4 apps: 3 ServiceAccounts,
    // 3 Services, 4 Deployments).
    const removal = serial.at(-1)
    expect((removal?.endS ?? 0) - (removal?.startS ?? 0)).toBe(10 * TYPICAL.objectUndoS)
    // On the base lab a scenario rolls no app out of its own: every one is shorter than in a
    // namespace of its own, less the namespace itself, and the run saves at least one rollout
    // per scenario beyond the base lab's four.
    const own = (id: string) => {
      const s = schedule.scenarios.find((x) => x.id === id)
      return (s?.expectedS ?? 0) - (s?.parts.namespace ?? 0)
    }
    for (const p of serial.slice(0, -1)) expect(p.endS - p.startS, p.id).toBeLessThan(own(p.id))
    const alone = schedule.scenarios.reduce((t, s) => t + own(s.id), 0)
    expect(alone - schedule.serial.expectedS).toBeGreaterThan(
      (schedule.scenarios.length - 4) * TYPICAL.rolloutS,
    )
    for (const s of schedule.scenarios) expect(s.parts.namespace).toBe(15)
  })

  it('run: four at once, the egress scenarios apart, as the dispatch run makes', async () => {
    const { schedule } = buildPlan(profile, 'lab')
    const { validate } = await import('../../schedule/concurrent.js')
    const jobs = schedule.scenarios.map((s) => ({
      id: s.id,
      seconds: s.expectedS,
      footprint: { touches: s.touches, observes: s.observes },
      demand: s.demand,
    }))
    const run = schedule.run
    expect(run.maxConcurrent).toBe(4)
    expect(validate(jobs, { mode: 'concurrent', ...run, makespanS: run.expectedS }, run)).toEqual([])
    const at = (id: string) => run.placements.find((p) => p.id === id)
    const [a, b] = [at('egress-registry-only'), at('service-entry')]
    expect(a && b && (a.endS <= b.startS || b.endS <= a.startS)).toBe(true)
    // The longest scenario starts first and its length bounds the run from below.
    const longest = Math.max(...schedule.scenarios.map((s) => s.expectedS))
    expect(run.expectedS).toBeGreaterThanOrEqual(longest)
    expect(run.expectedS).toBeLessThan(schedule.serial.expectedS)
  })

  it('run: within the request budget at every instant, reaching it, at no cost in time', async () => {
    const { schedule: planned } = buildPlan(profile, 'lab')
    const { REQUEST_BUDGET } = await import('../../schedule/budget.js')
    const { schedule } = await import('../../schedule/concurrent.js')
    const { run } = planned
    expect(run.budget).toEqual(REQUEST_BUDGET)
    const demand = (id: string) => planned.scenarios.find((s) => s.id === id)?.demand
    expect(demand('flagger-canary')).toEqual({ samplerConnections: 8, loadRps: 161 })
    expect(demand('flagger-rollback')).toEqual({ samplerConnections: 8, loadRps: 25 })
    expect(demand('edge-routing')).toEqual({ samplerConnections: 8, loadRps: 0 })
    // Four samplers and both Flagger loads from the start: the whole budget, never more.
    expect(run.peakDemand).toEqual({
      samplerConnections: 32,
      samplerConnectionsAtS: 0,
      loadRps: 186,
      loadRpsAtS: 0,
    })
    // The same dispatch without demands: the budget changes nothing of the default run.
    const unbudgeted = schedule(
      planned.scenarios.map((s) => ({
        id: s.id,
        seconds: s.expectedS,
        footprint: { touches: s.touches, observes: s.observes },
      })),
      { mode: 'concurrent', maxConcurrent: run.maxConcurrent, budget: run.budget },
    )
    expect(run.placements).toEqual(unbudgeted.placements)
    expect(run.expectedS).toBe(unbudgeted.makespanS)
  })

  it('--json: the budget, the peak and each scenario\u2019s demand', async () => {
    const out: string[] = []
    expect(await main(['plan', '--json'], { out: (t) => out.push(t), err: () => undefined })).toBe(0)
    const { run, scenarios } = JSON.parse(out[0] ?? '').schedule
    expect(run.budget).toEqual({ samplerConnections: 32, loadRps: 186 })
    expect(run.peakDemand).toMatchObject({ samplerConnections: 32, loadRps: 186 })
    expect(
      scenarios.map((s: { demand: { loadRps: number } }) => s.demand.loadRps).filter((r: number) => r > 0),
    ).toEqual([161, 25])
  })

  it("meets #17's goal on paper: a full run's expected critical path is at most six minutes", () => {
    const { schedule } = buildPlan(profile, 'lab')
    expect(schedule.run.expectedS).toBeLessThanOrEqual(6 * 60)
    // Not with the book's 45 s analysis interval, and not one after another.
    expect(buildPlan(profile, 'lab', { bookTiming: true }).schedule.run.expectedS).toBeGreaterThan(6 * 60)
    expect(schedule.serial.expectedS).toBeGreaterThan(6 * 60)
  })

  it('--book-timing lengthens the Flagger scenarios by their intervals of 45 s instead of 20 s', async () => {
    const out: string[] = []
    const code = await main(['plan', '--book-timing', '--json'], {
      out: (t) => out.push(t),
      err: () => undefined,
    })
    expect(code).toBe(0)
    const book = JSON.parse(out[0] ?? '').schedule
    const fast = buildPlan(PROFILES.current as Profile, 'istio-conformance').schedule
    expect(book.timing).toBe('book')
    const intervals = SCENARIOS.reduce((n, s) => n + (s.waits.flaggerIntervals ?? 0), 0)
    expect(intervals).toBeGreaterThan(0)
    expect(book.serial.expectedS - fast.serial.expectedS).toBeCloseTo(intervals * 25, 6)
  })

  it('in text: up, each scenario with its expected time, the run with what starts when, and --serial', () => {
    const text = renderPlan(buildPlan(profile, 'lab'))
    expect(text).toMatch(
      /\nup, cold: about \d+\.\d min with its phases side by side \(\d+\.\d min one after another\), critical path tools -> /,
    )
    expect(text).toMatch(/\n {2}flagger-canary +\d+\.\d min {2}flagger \d+ s, /)
    expect(text).toMatch(
      /\n {2}service-entry +(\d+ s|\d+\.\d min) {2}dns 50 s, .*\[mesh-wide: outbound-policy, cluster-dns\]/,
    )
    expect(text).toMatch(/\nrun: about \d+\.\d min, at most 4 scenarios at once, .*; critical path [a-z-]+/)
    expect(text).toMatch(/\n {2}at 0:00 start [a-z-]+, [a-z-]+, [a-z-]+, [a-z-]+\n/)
    expect(text).toContain(
      "\n  requests at once: budget 32 sampler connections and 186 req/s of load (helpers/schedule/budget.ts); this run's peak 32 connections (at 0:00) and 186 req/s (at 0:00)\n",
    )
    expect(text).toMatch(
      /\nrun --serial \(or --namespace, or a cluster not the suite's own\): about \d+\.\d min, one scenario after another on a base lab \(the apps applied once\): edge-routing, .*, flagger-rollback, base-lab$/,
    )
  })

  it("README's figures are the plan's", async () => {
    const { readFileSync } = await import('node:fs')
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ')
    const min = (s: number) => (s / 60).toFixed(1)
    const { schedule } = buildPlan(profile, 'lab')
    const book = buildPlan(profile, 'lab', { bookTiming: true }).schedule
    const of = (id: string) => schedule.scenarios.find((s) => s.id === id)?.expectedS ?? 0
    expect(readme).toContain(
      `a full \`run\` is expected to take **about ${min(schedule.run.expectedS)} minutes**`,
    )
    expect(readme).toContain(
      `(critical path \`${schedule.run.criticalPath.join(' -> ')}\`); one after another, about ${min(schedule.serial.expectedS)}.`,
    )
    expect(readme).toContain(`about ${min(of('flagger-canary'))} and ${min(of('flagger-rollback'))} minutes`)
    expect(readme).toContain(`With \`--book-timing\` a run is about ${min(book.run.expectedS)} minutes.`)
    expect(readme).toContain(
      `The budget (\`helpers/schedule/budget.ts\`): at most **${schedule.run.budget.samplerConnections} sampler connections** (four scenarios, each measuring with one sampler of 8) and **${schedule.run.budget.loadRps} requests per second** of steady load`,
    )
  })
})

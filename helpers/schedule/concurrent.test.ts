import { describe, expect, it } from 'vitest'
import { type Budget, type Demand, REQUEST_BUDGET } from './budget.js'
import {
  type Footprint,
  interferes,
  type Job,
  type Limits,
  type MeshWide,
  NO_FOOTPRINT,
  neverStartable,
  schedule,
  startable,
  validate,
} from './concurrent.js'

/** Room for `maxConcurrent` jobs and the suite's request budget (these jobs send nothing). */
const limits = (maxConcurrent: number): Limits => ({ maxConcurrent, budget: REQUEST_BUDGET })
const touches = (...m: MeshWide[]): Footprint => ({ touches: m, observes: [] })
const observes = (...m: MeshWide[]): Footprint => ({ touches: [], observes: m })

describe('interferes', () => {
  it('holds when one changes what the other changes or reads, never between readers', () => {
    expect(interferes(touches('outbound-policy'), touches('outbound-policy'))).toBe(true)
    expect(interferes(touches('outbound-policy'), observes('outbound-policy'))).toBe(true)
    expect(interferes(observes('outbound-policy'), touches('outbound-policy'))).toBe(true)
    expect(interferes(observes('outbound-policy'), observes('outbound-policy'))).toBe(false)
    expect(interferes(touches('cluster-dns'), touches('outbound-policy'))).toBe(false)
    expect(interferes(NO_FOOTPRINT, touches('outbound-policy', 'cluster-dns'))).toBe(false)
  })
})

describe('schedule', () => {
  const jobs: Job[] = [
    { id: 'routing', seconds: 60, footprint: NO_FOOTPRINT },
    { id: 'canary', seconds: 300, footprint: NO_FOOTPRINT },
    { id: 'registry-only', seconds: 90, footprint: touches('outbound-policy') },
    { id: 'service-entry', seconds: 120, footprint: touches('outbound-policy', 'cluster-dns') },
  ]

  it('serial: one after another in the order given, the makespan their sum', () => {
    const s = schedule(jobs, { mode: 'serial' })
    expect(s.placements.map((p) => [p.id, p.startS])).toEqual([
      ['routing', 0],
      ['canary', 60],
      ['registry-only', 360],
      ['service-entry', 450],
    ])
    expect(s.makespanS).toBe(570)
    expect(s.criticalPath).toEqual(['routing', 'canary', 'registry-only', 'service-entry'])
  })

  it('concurrent: the two scenarios that change the outbound policy never overlap', () => {
    const s = schedule(jobs, { mode: 'concurrent', ...limits(4) })
    expect(validate(jobs, s, limits(4))).toEqual([])
    const at = (id: string) => s.placements.find((p) => p.id === id)
    expect(at('service-entry')?.startS).toBe(0)
    expect(at('registry-only')?.startS).toBe(120)
    expect(s.makespanS).toBe(300)
    expect(s.criticalPath).toEqual(['canary'])
  })

  it('concurrent with room for one is serial, longest first', () => {
    const s = schedule(jobs, { mode: 'concurrent', ...limits(1) })
    expect(s.makespanS).toBe(570)
    expect(s.placements.map((p) => p.id)).toEqual(['canary', 'service-entry', 'registry-only', 'routing'])
    expect(validate(jobs, s, limits(1))).toEqual([])
  })

  it('names the chain that decides the makespan when a conflict does', () => {
    const s = schedule(
      [
        { id: 'a', seconds: 100, footprint: touches('cluster-dns') },
        { id: 'b', seconds: 80, footprint: observes('cluster-dns') },
        { id: 'c', seconds: 150, footprint: NO_FOOTPRINT },
      ],
      { mode: 'concurrent', ...limits(3) },
    )
    expect(s.makespanS).toBe(180)
    expect(s.criticalPath).toEqual(['a', 'b'])
  })

  it('keeps every rule on random jobs, and its makespan lies between the bounds', () => {
    let seed = 11
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const all: MeshWide[] = ['outbound-policy', 'cluster-dns']
    const some = () => all.filter(() => rand() < 0.25)
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(rand() * 9)
      const random: Job[] = Array.from({ length: n }, (_, i) => ({
        id: `j${i}`,
        seconds: 1 + Math.floor(rand() * 50),
        footprint: { touches: some(), observes: some() },
      }))
      const cap = 1 + Math.floor(rand() * 4)
      const s = schedule(random, { mode: 'concurrent', ...limits(cap) })
      expect(validate(random, s, limits(cap))).toEqual([])
      const sum = random.reduce((t, j) => t + j.seconds, 0)
      const longest = Math.max(...random.map((j) => j.seconds))
      // Jobs touching the same thing run one at a time: their sum bounds the makespan from below.
      const perThing = all.map((m) =>
        random.filter((j) => j.footprint.touches.includes(m)).reduce((t, j) => t + j.seconds, 0),
      )
      expect(s.makespanS).toBeLessThanOrEqual(sum)
      expect(s.makespanS).toBeGreaterThanOrEqual(Math.max(longest, sum / cap, ...perThing))
      // The critical path is contiguous from 0 to the makespan.
      const chain = s.criticalPath.map((id) => s.placements.find((p) => p.id === id))
      expect(chain[0]?.startS).toBe(0)
      expect(chain.at(-1)?.endS).toBe(s.makespanS)
      for (let i = 1; i < chain.length; i++) expect(chain[i]?.startS).toBe(chain[i - 1]?.endS)
    }
  })

  it('validate catches overlapping interference, overfull slots and a missing job', () => {
    const bad = {
      mode: 'concurrent' as const,
      placements: [
        { id: 'registry-only', startS: 0, endS: 90 },
        { id: 'service-entry', startS: 10, endS: 130 },
        { id: 'routing', startS: 0, endS: 60 },
      ],
      makespanS: 130,
      criticalPath: [],
    }
    expect(validate(jobs, bad, limits(2))).toEqual([
      'canary is placed 0 times',
      'registry-only and service-entry interfere and overlap',
      '3 jobs run at 10 s (at most 2)',
    ])
  })
})

describe('startable', () => {
  const job = (id: string, footprint: Footprint = NO_FOOTPRINT): Job => ({ id, seconds: 1, footprint })
  const dns = job('dns', touches('cluster-dns'))
  const policy = job('policy', touches('outbound-policy'))
  const both = job('both', touches('outbound-policy', 'cluster-dns'))
  const reader = job('reader', observes('outbound-policy'))

  it('starts in the order given while there is room', () => {
    expect(startable([job('a'), job('b'), job('c')], [job('r')], limits(3)).map((j) => j.id)).toEqual([
      'a',
      'b',
    ])
    expect(startable([job('a')], [job('r'), job('s')], limits(2))).toEqual([])
  })

  it('skips a job that interferes with one running or one chosen before it, and takes the next', () => {
    expect(startable([both, policy, dns, job('a')], [], limits(4)).map((j) => j.id)).toEqual(['both', 'a'])
    expect(startable([reader, job('a')], [policy], limits(4)).map((j) => j.id)).toEqual(['a'])
    expect(startable([dns, policy], [reader], limits(4)).map((j) => j.id)).toEqual(['dns'])
  })
})

describe('the request budget', () => {
  const demand = (samplerConnections: number, loadRps = 0): Demand => ({ samplerConnections, loadRps })
  const budget: Budget = { samplerConnections: 16, loadRps: 200 }
  const job = (id: string, seconds: number, d: Demand, footprint: Footprint = NO_FOOTPRINT): Job => ({
    id,
    seconds,
    footprint,
    demand: d,
  })

  it('startable passes over a job that does not fit beside those running, and takes a smaller one', () => {
    const canary = job('canary', 300, demand(8, 161))
    const rollback = job('rollback', 280, demand(8, 25))
    const heavy = job('heavy', 200, demand(8, 100))
    const routing = job('routing', 60, demand(8))
    const limits = { maxConcurrent: 4, budget }
    // 161 + 100 req/s would not fit; 161 + 25 does, and takes the last 8 connections.
    expect(startable([heavy, rollback, routing], [canary], limits).map((j) => j.id)).toEqual(['rollback'])
    // Connections: two samplers fill 16; a third waits although room for scenarios is left.
    expect(startable([routing], [canary, rollback], limits)).toEqual([])
    // At exactly the budget a job fits.
    expect(startable([job('exact', 1, demand(8, 39))], [canary], limits).map((j) => j.id)).toEqual(['exact'])
  })

  it('never schedules more than the budget at any instant, on random jobs, and pays for it in time', () => {
    let seed = 23
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    const all: MeshWide[] = ['outbound-policy', 'cluster-dns']
    let limitedByBudget = 0
    for (let round = 0; round < 400; round++) {
      const b: Budget = {
        samplerConnections: 8 * (1 + Math.floor(rand() * 4)),
        loadRps: 50 + Math.floor(rand() * 200),
      }
      const n = 1 + Math.floor(rand() * 10)
      const random: Job[] = Array.from({ length: n }, (_, i) =>
        job(
          `j${i}`,
          1 + Math.floor(rand() * 50),
          // Each fits alone: a sampler or none, a load up to the whole budget or none.
          demand(rand() < 0.8 ? 8 : 0, rand() < 0.3 ? Math.floor(rand() * b.loadRps) + 1 : 0),
          { touches: all.filter(() => rand() < 0.15), observes: [] },
        ),
      )
      const cap = 1 + Math.floor(rand() * 6)
      const limits: Limits = { maxConcurrent: cap, budget: b }
      const s = schedule(random, { mode: 'concurrent', ...limits })
      expect(validate(random, s, limits)).toEqual([])
      // Independently of validate: at every start and every midpoint between events, the totals.
      const events = [...new Set(s.placements.flatMap((p) => [p.startS, p.endS]))].sort((x, y) => x - y)
      const instants = [...events, ...events.slice(1).map((t, i) => (t + (events[i] as number)) / 2)]
      for (const t of instants) {
        const running = s.placements.filter((p) => p.startS <= t && t < p.endS)
        const of = (id: string) => random.find((j) => j.id === id)?.demand ?? demand(0)
        const connections = running.reduce((sum, p) => sum + of(p.id).samplerConnections, 0)
        const load = running.reduce((sum, p) => sum + of(p.id).loadRps, 0)
        expect(connections, `round ${round} at ${t} s`).toBeLessThanOrEqual(b.samplerConnections)
        expect(load, `round ${round} at ${t} s`).toBeLessThanOrEqual(b.loadRps)
      }
      // The budget is time-shared: no schedule is shorter than its demand spread over the budget.
      const area = (q: (d: Demand) => number, total: number) =>
        random.reduce((sum, j) => sum + j.seconds * q(j.demand ?? demand(0)), 0) / total
      expect(s.makespanS).toBeGreaterThanOrEqual(
        area((d) => d.samplerConnections, b.samplerConnections) - 1e-9,
      )
      expect(s.makespanS).toBeGreaterThanOrEqual(area((d) => d.loadRps, b.loadRps) - 1e-9)
      const unbudgeted = schedule(
        random.map(({ demand: _, ...rest }) => rest),
        { mode: 'concurrent', maxConcurrent: cap, budget: b },
      )
      if (s.makespanS > unbudgeted.makespanS) limitedByBudget++
    }
    // The rounds did exercise the budget, not only the count of scenarios.
    expect(limitedByBudget).toBeGreaterThan(50)
  })

  it('a job whose demand alone exceeds the budget is an error up front, never a job left waiting', () => {
    const jobs = [job('ok', 10, demand(8, 25)), job('flood', 20, demand(8, 400)), job('wide', 5, demand(24))]
    const problems = neverStartable(jobs, budget)
    expect(problems).toEqual([
      'flood alone needs 400 req/s of load (budget 200): it could never start',
      'wide alone needs 24 sampler connections (budget 16): it could never start',
    ])
    expect(() => schedule(jobs, { mode: 'concurrent', maxConcurrent: 4, budget })).toThrow(
      /flood alone needs 400 req\/s of load \(budget 200\).*wide alone needs 24 sampler connections/,
    )
    // validate reports them too, whatever schedule it is shown.
    const serial = schedule(jobs, { mode: 'serial' })
    expect(validate(jobs, serial, { maxConcurrent: 4, budget })).toEqual([
      ...problems,
      'at 10 s: 400 req/s of load (budget 200)',
      'at 30 s: 24 sampler connections (budget 16)',
    ])
    expect(neverStartable(jobs.slice(0, 1), budget)).toEqual([])
  })

  it('validate catches jobs that together send more than the budget', () => {
    const jobs = [
      job('canary', 300, demand(8, 161)),
      job('heavy', 200, demand(8, 100)),
      job('r', 60, demand(8)),
    ]
    const bad = {
      mode: 'concurrent' as const,
      placements: [
        { id: 'canary', startS: 0, endS: 300 },
        { id: 'heavy', startS: 0, endS: 200 },
        { id: 'r', startS: 200, endS: 260 },
      ],
      makespanS: 300,
      criticalPath: [],
    }
    // Once, although two jobs start at that instant.
    expect(validate(jobs, bad, { maxConcurrent: 4, budget })).toEqual([
      'at 0 s: 261 req/s of load (budget 200)',
    ])
    // r starts as heavy ends: 16 connections, within the budget.
    expect(validate(jobs, bad, { maxConcurrent: 4, budget: { ...budget, loadRps: 261 } })).toEqual([])
  })
})

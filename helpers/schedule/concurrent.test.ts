import { describe, expect, it } from 'vitest'
import {
  type Footprint,
  interferes,
  type Job,
  type MeshWide,
  NO_FOOTPRINT,
  schedule,
  startable,
  validate,
} from './concurrent.js'

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
    const s = schedule(jobs, { mode: 'concurrent', maxConcurrent: 4 })
    expect(validate(jobs, s, 4)).toEqual([])
    const at = (id: string) => s.placements.find((p) => p.id === id)
    expect(at('service-entry')?.startS).toBe(0)
    expect(at('registry-only')?.startS).toBe(120)
    expect(s.makespanS).toBe(300)
    expect(s.criticalPath).toEqual(['canary'])
  })

  it('concurrent with room for one is serial, longest first', () => {
    const s = schedule(jobs, { mode: 'concurrent', maxConcurrent: 1 })
    expect(s.makespanS).toBe(570)
    expect(s.placements.map((p) => p.id)).toEqual(['canary', 'service-entry', 'registry-only', 'routing'])
    expect(validate(jobs, s, 1)).toEqual([])
  })

  it('names the chain that decides the makespan when a conflict does', () => {
    const s = schedule(
      [
        { id: 'a', seconds: 100, footprint: touches('cluster-dns') },
        { id: 'b', seconds: 80, footprint: observes('cluster-dns') },
        { id: 'c', seconds: 150, footprint: NO_FOOTPRINT },
      ],
      { mode: 'concurrent', maxConcurrent: 3 },
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
      const s = schedule(random, { mode: 'concurrent', maxConcurrent: cap })
      expect(validate(random, s, cap)).toEqual([])
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
    expect(validate(jobs, bad, 2)).toEqual([
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
    expect(startable([job('a'), job('b'), job('c')], [job('r')], 3).map((j) => j.id)).toEqual(['a', 'b'])
    expect(startable([job('a')], [job('r'), job('s')], 2)).toEqual([])
  })

  it('skips a job that interferes with one running or one chosen before it, and takes the next', () => {
    expect(startable([both, policy, dns, job('a')], [], 4).map((j) => j.id)).toEqual(['both', 'a'])
    expect(startable([reader, job('a')], [policy], 4).map((j) => j.id)).toEqual(['a'])
    expect(startable([dns, policy], [reader], 4).map((j) => j.id)).toEqual(['dns'])
  })
})

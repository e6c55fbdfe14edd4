import { describe, expect, it } from 'vitest'
import { type Step, scheduleDag } from './critical-path.js'

describe('scheduleDag', () => {
  it('starts each step when the last step it waits for ends, and names the critical path', () => {
    const steps: Step[] = [
      { id: 'cluster', seconds: 30, after: [] },
      { id: 'istio-images', seconds: 20, after: ['cluster'] },
      { id: 'app-images', seconds: 60, after: ['cluster'] },
      { id: 'istio', seconds: 50, after: ['istio-images'] },
      { id: 'verify', seconds: 5, after: ['istio', 'app-images'] },
    ]
    const s = scheduleDag(steps)
    expect(s.steps.find((t) => t.id === 'istio')).toEqual({ id: 'istio', startS: 50, endS: 100 })
    expect(s.steps.find((t) => t.id === 'verify')).toEqual({ id: 'verify', startS: 100, endS: 105 })
    expect(s.makespanS).toBe(105)
    expect(s.criticalPath).toEqual(['cluster', 'istio-images', 'istio', 'verify'])
  })

  it('follows the longer branch when the other one decides', () => {
    const s = scheduleDag([
      { id: 'a', seconds: 1, after: [] },
      { id: 'b', seconds: 9, after: [] },
      { id: 'c', seconds: 1, after: ['a', 'b'] },
    ])
    expect(s.makespanS).toBe(10)
    expect(s.criticalPath).toEqual(['b', 'c'])
  })

  it('is the sum of a chain and the longest of independent steps', () => {
    const chain = scheduleDag([
      { id: 'x', seconds: 2, after: [] },
      { id: 'y', seconds: 3, after: ['x'] },
      { id: 'z', seconds: 4, after: ['y'] },
    ])
    expect(chain.makespanS).toBe(9)
    const independent = scheduleDag([
      { id: 'x', seconds: 2, after: [] },
      { id: 'y', seconds: 7, after: [] },
    ])
    expect(independent.makespanS).toBe(7)
    expect(independent.criticalPath).toEqual(['y'])
  })

  it('agrees with a brute-force longest path on random DAGs', () => {
    let seed = 7
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(rand() * 7)
      const steps: Step[] = Array.from({ length: n }, (_, i) => ({
        id: `s${i}`,
        seconds: Math.floor(rand() * 10),
        after: Array.from({ length: i }, (_, j) => `s${j}`).filter(() => rand() < 0.4),
      }))
      // Every path from a source, by enumeration: the longest is the makespan.
      const longestTo = (id: string): number => {
        const s = steps.find((x) => x.id === id) as Step
        return s.seconds + Math.max(0, ...s.after.map(longestTo))
      }
      const s = scheduleDag(steps)
      expect(s.makespanS).toBe(Math.max(0, ...steps.map((x) => longestTo(x.id))))
      const pathSum = s.criticalPath.reduce(
        (sum, id) => sum + (steps.find((x) => x.id === id) as Step).seconds,
        0,
      )
      expect(pathSum).toBe(s.makespanS)
    }
  })

  it('refuses a cycle and an unknown step', () => {
    expect(() =>
      scheduleDag([
        { id: 'a', seconds: 1, after: ['b'] },
        { id: 'b', seconds: 1, after: ['a'] },
      ]),
    ).toThrow(/cycle/)
    expect(() => scheduleDag([{ id: 'a', seconds: 1, after: ['nope'] }])).toThrow(/unknown step nope/)
  })

  it('keeps fractional seconds exact, and a zero-second step at the start or end on the path', () => {
    const chain = scheduleDag([
      { id: 'a', seconds: 0.1, after: [] },
      { id: 'b', seconds: 0.2, after: ['a'] },
      { id: 'c', seconds: 0.3, after: ['b'] },
    ])
    expect(chain.criticalPath).toEqual(['a', 'b', 'c'])
    const zeros = scheduleDag([
      { id: 'start', seconds: 0, after: [] },
      { id: 'work', seconds: 5, after: ['start'] },
      { id: 'record', seconds: 0, after: ['work'] },
    ])
    expect(zeros.criticalPath).toEqual(['start', 'work', 'record'])
    expect(zeros.makespanS).toBe(5)
  })
})

import { describe, expect, it } from 'vitest'
import { acceptProbability, designFixed, detectableShifts, fixedDesignAt } from './fixed.js'
import { alternatives, DEFAULT_SPEC, type RatioSpec } from './spec.js'

const spec = (p0: number): RatioSpec => ({ p0, ...DEFAULT_SPEC })

/**
 * Independent brute force: the pmf at every n by the recursion P_n(k) = q P_{n-1}(k) + p P_{n-1}(k-1)
 * in plain doubles (no Loader, no log space, no tail truncation), the equal-tailed region
 * read off the pmf, the miss summed over it. Returns the first n whose miss meets beta.
 */
function bruteForceFixed(p0: number, alts: number[], alpha: number, beta: number) {
  const ps = [p0, ...alts]
  const size = 10_000
  const pmf = ps.map(() => {
    const a = new Float64Array(size + 1)
    a[0] = 1
    return a
  })
  const misses: number[] = [Number.NaN]
  for (let n = 1; n < size; n++) {
    ps.forEach((p, i) => {
      const a = pmf[i] as Float64Array
      for (let k = n; k >= 1; k--) a[k] = (a[k] as number) * (1 - p) + (a[k - 1] as number) * p
      a[0] = (a[0] as number) * (1 - p)
    })
    const at0 = pmf[0] as Float64Array
    let low = 0
    let tail = 0
    while (tail + (at0[low] as number) <= alpha / 2) tail += at0[low++] as number
    let high = n
    tail = 0
    while (tail + (at0[high] as number) <= alpha / 2) tail += at0[high--] as number
    const miss = Math.max(
      ...alts.map((_, i) => (pmf[i + 1] as Float64Array).slice(low, high + 1).reduce((s, x) => s + x, 0)),
    )
    misses.push(miss)
    if (miss <= beta) return { n, low, high, miss, misses }
  }
  throw new Error('no n')
}

describe('smallest fixed n, by scanning', () => {
  it.each([0.1, 0.2, 0.5, 0.9])('p0 = %s: equals a brute-force search, region and miss included', (p0) => {
    const s = spec(p0)
    const found = designFixed(s)
    const brute = bruteForceFixed(p0, alternatives(s), s.alpha, s.beta)
    expect(found.n).toBe(brute.n)
    expect([found.acceptLow, found.acceptHigh]).toEqual([brute.low, brute.high])
    expect(found.miss).toBeCloseTo(brute.miss, 12)
    expect(found.falseFailure).toBeLessThanOrEqual(s.alpha)
    expect(found.miss).toBeLessThanOrEqual(s.beta)
    // Every smaller n misses more than beta: it is the smallest.
    expect(brute.misses.slice(1, -1).every((m) => m > s.beta)).toBe(true)
  })

  it('is 1573 at p0 = 0.5, where the miss is not monotone: bisection would land on 1580', () => {
    const s = spec(0.5)
    expect(designFixed(s).n).toBe(1573)
    // Some n above 1573 misses more than beta again, so "the first n that meets beta" is not
    // an interval a bisection can search.
    const above = [1574, 1575, 1576, 1577, 1578, 1579].map((n) => fixedDesignAt(n, s).miss)
    expect(above.some((m) => m > s.beta)).toBe(true)
  })

  it('uses relative alternatives: 5% and 15% at p0 = 0.1, 85% and 95% at 0.9', () => {
    expect(alternatives(spec(0.1))).toEqual([0.05, 0.1 + 0.05])
    expect(designFixed(spec(0.1)).n).toBe(2728)
    expect(designFixed(spec(0.9)).n).toBe(2728)
    expect(designFixed(spec(0.2)).n).toBe(1175)
  })
})

describe('what a fixed test of n responses detects', () => {
  it('at the design n, shifts of the indifference; found shifts sit where the miss is beta', () => {
    const d = designFixed(spec(0.5))
    const shifts = detectableShifts(d.n, 0.5, 1e-6, 1e-3)
    expect(shifts.below).toBeLessThanOrEqual(0.1)
    expect(shifts.above).toBeLessThanOrEqual(0.1)
    const miss = (p: number) => acceptProbability(d.n, shifts.low, shifts.high, p)
    expect(miss(0.5 - (shifts.below as number))).toBeLessThanOrEqual(1e-3)
    expect(miss(0.5 - (shifts.below as number) + 1e-6)).toBeGreaterThan(1e-3)
    expect(miss(0.5 + (shifts.above as number))).toBeLessThanOrEqual(1e-3)
  })

  it('with 80 responses at 10% (the old canary step) nothing below 10% is caught, not even 0 v2', () => {
    const shifts = detectableShifts(80, 0.1, 1e-6, 1e-3)
    expect(shifts.low).toBe(0)
    expect(shifts.below).toBeNull()
    expect(shifts.above).toBeGreaterThan(0.3)
  })
})

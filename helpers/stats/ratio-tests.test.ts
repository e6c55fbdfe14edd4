import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../testing/random.js'
import { cdf, sf } from './binomial.js'
import {
  DEFAULT_SPEC,
  designFixed,
  designSequential,
  designZeroTolerance,
  evaluateAt,
  fixedDesignAt,
  type RatioSpec,
  sequentialDecision,
} from './ratio-tests.js'

const spec = (p0: number, overrides: Partial<RatioSpec> = {}): RatioSpec => ({
  p0,
  ...DEFAULT_SPEC,
  ...overrides,
})

describe('fixed-sample exact test', () => {
  it('meets alpha and beta exactly, and is the smallest n that does', () => {
    const s = spec(0.5)
    const d = designFixed(s)
    expect(d.falseFailure).toBeLessThanOrEqual(s.alpha)
    expect(d.miss).toBeLessThanOrEqual(s.beta)
    // Recompute its error probabilities independently from the acceptance region.
    expect(cdf(d.acceptLow - 1, d.n, 0.5) + sf(d.acceptHigh + 1, d.n, 0.5)).toBeCloseTo(d.falseFailure, 15)
    expect(fixedDesignAt(d.n - 1, s).miss).toBeGreaterThan(s.beta)
    expect(d.n).toBeGreaterThan(1300)
    expect(d.n).toBeLessThan(1700)
  })
})

describe('sequential test', () => {
  it('its DP operating characteristic equals brute-force enumeration of every path', () => {
    // A deliberately small design so all 2^maxN outcome sequences can be enumerated.
    const small = {
      spec: spec(0.5, { alpha: 0.05, beta: 0.2, delta: 0.3 }),
      lnA: Math.log(8),
      lnB: Math.log(0.25),
      maxN: 14,
    }
    for (const p of [0.2, 0.5, 0.8]) {
      let fail = 0
      let expectedN = 0
      for (let path = 0; path < 2 ** small.maxN; path++) {
        // The probability of the whole sequence, and the decision the test reaches on its prefix.
        let successes = 0
        for (let i = 0; i < small.maxN; i++) successes += (path >> i) & 1
        const probability = p ** successes * (1 - p) ** (small.maxN - successes)
        let k = 0
        for (let n = 1; n <= small.maxN; n++) {
          k += (path >> (n - 1)) & 1
          const d = sequentialDecision(small, n, k)
          if (d === 'continue') continue
          if (d === 'fail') fail += probability
          expectedN += n * probability
          break
        }
      }
      const dp = evaluateAt(small, p)
      expect(dp.failProbability).toBeCloseTo(fail, 12)
      expect(dp.expectedN).toBeCloseTo(expectedN, 10)
    }
  })

  it.each([0.1, 0.5])(
    'p0 = %s: meets alpha = 1e-6 and beta = 1e-3 with at most 40 percent of the fixed test',
    (p0) => {
      const s = spec(p0)
      const seq = designSequential(s)
      const fixed = designFixed(s)
      expect(seq.oc.falseFailure).toBeLessThanOrEqual(s.alpha)
      expect(seq.oc.miss).toBeLessThanOrEqual(s.beta)
      const ratio = seq.oc.expectedNAtP0 / fixed.n
      console.log(
        `p0=${p0}: fixed test n=${fixed.n}; sequential E[N | p0]=${seq.oc.expectedNAtP0.toFixed(1)} (${(100 * ratio).toFixed(1)}% of fixed), cap ${seq.maxN}; false failure ${seq.oc.falseFailure.toExponential(2)}, miss ${seq.oc.miss.toExponential(2)}`,
      )
      expect(ratio).toBeLessThanOrEqual(0.4)
    },
  )

  it('agrees with a seeded Monte Carlo simulation at alpha = 1e-2', () => {
    const s = spec(0.3, { alpha: 1e-2, beta: 1e-2 })
    const design = designSequential(s)
    const random = mulberry32(20261127)
    const runs = 20_000
    for (const point of design.oc.points) {
      let fails = 0
      let totalN = 0
      for (let r = 0; r < runs; r++) {
        let k = 0
        for (let n = 1; ; n++) {
          if (random() < point.p) k++
          const d = sequentialDecision(design, n, k)
          if (d === 'continue') continue
          if (d === 'fail') fails++
          totalN += n
          break
        }
      }
      const pf = point.failProbability
      const se = Math.sqrt(Math.max(pf * (1 - pf), 1 / runs) / runs)
      expect(Math.abs(fails / runs - pf)).toBeLessThan(4.5 * se)
      expect(Math.abs(totalN / runs - point.expectedN) / point.expectedN).toBeLessThan(0.03)
    }
  })

  it('decides a perfectly conforming 10% stream by passing, and a 50% stream by failing', () => {
    const design = designSequential(spec(0.1))
    const decide = (share: number) => {
      for (let n = 1; n <= design.maxN; n++) {
        const d = sequentialDecision(design, n, Math.round(n * share))
        if (d !== 'continue') return { d, n }
      }
      return { d: 'continue', n: design.maxN }
    }
    expect(decide(0.1).d).toBe('pass')
    const wrong = decide(0.5)
    expect(wrong.d).toBe('fail')
    expect(wrong.n).toBeLessThan(60)
  })
})

describe('zero-tolerance design', () => {
  it('sizes n to catch a 1% leak with miss probability <= 1e-3', () => {
    const d = designZeroTolerance()
    expect(d.n).toBe(688)
    expect(d.miss).toBeLessThanOrEqual(1e-3)
    expect(0.99 ** (d.n - 1)).toBeGreaterThan(1e-3)
  })
})

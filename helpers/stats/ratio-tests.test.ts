import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SPEC,
  designSequential,
  designZeroTolerance,
  evaluateAt,
  type RatioSpec,
  sequentialDecision,
} from './ratio-tests.js'
import { waldV1Decision, waldV1EvaluateAt } from './wald-v1.js'

describe('the spec names its design', () => {
  const loose = { p0: 0.5, delta: 0.3, alpha: 0.05, beta: 0.2 }

  it('new specs get the 2-SPRT; a spec without `design` (an old record) the Wald SPRT it was judged by', () => {
    expect(DEFAULT_SPEC.design).toBe('2-sprt-v2')
    const fresh = designSequential({ ...loose, design: '2-sprt-v2' })
    const old = designSequential(loose)
    expect(fresh.version).toBe('2-sprt-v2')
    expect(old.version).toBe('wald-sprt-v1')
    // The old design keeps its absolute alternatives p0 +- delta; the new one shrinks them to
    // min(delta, p0/2, (1 - p0)/2) = 0.25.
    expect(old.oc.points.map((pt) => pt.p)).toEqual([0.5, 0.2, 0.8])
    expect(fresh.oc.points.map((pt) => pt.p)).toEqual([0.5, 0.25, 0.75])
    if (old.version !== 'wald-sprt-v1') throw new Error('unreachable')
    for (let n = 1; n < 30; n++)
      for (let k = 0; k <= n; k++) expect(sequentialDecision(old, n, k)).toBe(waldV1Decision(old, n, k))
    expect(evaluateAt(old, 0.3).failProbability).toBe(waldV1EvaluateAt(old, 0.3).failProbability)
  })
})

describe('the old Wald SPRT (kept for re-judging old records)', () => {
  it('its DP operating characteristic equals brute-force enumeration of every path', () => {
    // A deliberately small design so all 2^maxN outcome sequences can be enumerated.
    const small = {
      spec: { p0: 0.5, alpha: 0.05, beta: 0.2, delta: 0.3 } satisfies RatioSpec,
      lnA: Math.log(8),
      lnB: Math.log(0.25),
      maxN: 14,
    }
    for (const p of [0.2, 0.5, 0.8]) {
      let fail = 0
      let expectedN = 0
      for (let path = 0; path < 2 ** small.maxN; path++) {
        let successes = 0
        for (let i = 0; i < small.maxN; i++) successes += (path >> i) & 1
        const probability = p ** successes * (1 - p) ** (small.maxN - successes)
        let k = 0
        for (let n = 1; n <= small.maxN; n++) {
          k += (path >> (n - 1)) & 1
          const d = waldV1Decision(small, n, k)
          if (d === 'continue') continue
          if (d === 'fail') fail += probability
          expectedN += n * probability
          break
        }
      }
      const dp = waldV1EvaluateAt(small, p)
      expect(dp.failProbability).toBeCloseTo(fail, 12)
      expect(dp.expectedN).toBeCloseTo(expectedN, 10)
    }
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

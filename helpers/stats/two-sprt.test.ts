import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../testing/random.js'
import { DEFAULT_SPEC, type RatioSpec } from './spec.js'
import {
  boundariesOf,
  decideAt,
  designTwoSprt,
  evaluateBoundaries,
  type TwoSprtBoundaries,
  type TwoSprtParameters,
} from './two-sprt.js'

/** Every outcome sequence of length maxN, weighted by its probability: the decision on its prefix. */
function enumerate(b: TwoSprtBoundaries, p: number) {
  let fail = 0
  let pass = 0
  let expectedN = 0
  let expectedN2 = 0
  for (let path = 0; path < 2 ** b.maxN; path++) {
    let successes = 0
    for (let i = 0; i < b.maxN; i++) successes += (path >> i) & 1
    const probability = p ** successes * (1 - p) ** (b.maxN - successes)
    let k = 0
    for (let n = 1; n <= b.maxN; n++) {
      k += (path >> (n - 1)) & 1
      const d = decideAt(b, n, k)
      if (d === 'continue') continue
      if (d === 'fail') fail += probability
      else pass += probability
      expectedN += n * probability
      expectedN2 += n * n * probability
      break
    }
  }
  return { fail, pass, expectedN, sdN: Math.sqrt(expectedN2 - expectedN ** 2) }
}

const small = (
  p0: number,
  alternatives: [number, number],
  failThreshold: number,
  passThreshold: number,
  cap: number,
): TwoSprtParameters => ({
  p0,
  alternatives,
  intermediates: [(p0 + alternatives[0]) / 2, (p0 + alternatives[1]) / 2],
  failThreshold,
  passThreshold,
  cap,
})

describe('2-SPRT operating characteristic by dynamic programming', () => {
  it.each([
    ['closed by its apex', small(0.5, [0.05, 0.95], 2.5, 1.5, 1000)],
    ['cut at the cap, decided by the middle lines', small(0.5, [0.2, 0.8], 3, 2, 12)],
    ['asymmetric, cut at the cap', small(0.3, [0.05, 0.55], 2, 1.5, 14)],
  ])('equals brute-force enumeration of every path: %s', (_, parameters) => {
    const b = boundariesOf(parameters)
    expect(b.maxN).toBeLessThanOrEqual(14)
    for (const p of [0.1, 0.3, 0.5, 0.77]) {
      const dp = evaluateBoundaries(b, p)
      const brute = enumerate(b, p)
      expect(dp.failProbability).toBeCloseTo(brute.fail, 12)
      expect(dp.passProbability).toBeCloseTo(brute.pass, 12)
      expect(dp.failProbability + dp.passProbability).toBeCloseTo(1, 12)
      expect(dp.expectedN).toBeCloseTo(brute.expectedN, 11)
      // sd(N) = sqrt(E[N^2] - E[N]^2) loses digits to cancellation where N is nearly constant.
      expect(dp.sdN).toBeCloseTo(brute.sdN, 5)
    }
  })

  it('agrees with a seeded simulation of the decision function at alpha = beta = 1e-2', () => {
    const spec: RatioSpec = { p0: 0.3, delta: 0.1, alpha: 1e-2, beta: 1e-2, design: '2-sprt-v2' }
    const design = designTwoSprt(spec)
    const random = mulberry32(20261127)
    const runs = 20_000
    for (const p of [0.3, 0.2, 0.4, 0.35, 0.03]) {
      const exact = evaluateBoundaries(design.boundaries, p)
      let fails = 0
      let totalN = 0
      for (let r = 0; r < runs; r++) {
        let k = 0
        for (let n = 1; ; n++) {
          if (random() < p) k++
          const d = decideAt(design.boundaries, n, k)
          if (d === 'continue') continue
          if (d === 'fail') fails++
          totalN += n
          break
        }
      }
      const pf = exact.failProbability
      const se = Math.sqrt(Math.max(pf * (1 - pf), 1 / runs) / runs)
      expect(Math.abs(fails / runs - pf)).toBeLessThan(4.5 * se)
      // The mean of N within 4.5 standard errors as well.
      expect(Math.abs(totalN / runs - exact.expectedN)).toBeLessThan((4.5 * exact.sdN) / Math.sqrt(runs))
    }
  })
})

describe('2-SPRT design', () => {
  const design = designTwoSprt({ p0: 0.5, ...DEFAULT_SPEC })

  it('decides every count at its last n, and continues only strictly inside the bands', () => {
    const b = design.boundaries
    for (let k = 0; k <= b.maxN; k++) expect(decideAt(b, b.maxN, k)).not.toBe('continue')
    for (let n = 1; n < b.maxN; n += 37) {
      for (let k = 0; k <= n; k++) {
        const inFail = k <= (b.failLo[n] as number) || k >= (b.failHi[n] as number)
        const inPass = k >= (b.passLo[n] as number) && k <= (b.passHi[n] as number)
        expect(decideAt(b, n, k)).toBe(inFail ? 'fail' : inPass ? 'pass' : 'continue')
      }
    }
  })

  it('uses the smallest thresholds on its grid: 1/256 lower breaks alpha or beta', () => {
    const { parameters, spec } = design
    const lowerFail = boundariesOf({ ...parameters, failThreshold: parameters.failThreshold - 1 / 256 })
    expect(evaluateBoundaries(lowerFail, spec.p0).failProbability).toBeGreaterThan(spec.alpha)
    const lowerPass = boundariesOf({ ...parameters, passThreshold: parameters.passThreshold - 1 / 256 })
    const misses = parameters.alternatives.map((p) => evaluateBoundaries(lowerPass, p).passProbability)
    expect(Math.max(...misses)).toBeGreaterThan(spec.beta)
    // Below Ville's bounds, which guarantee alpha and beta without any computation.
    expect(parameters.failThreshold).toBeLessThan(Math.log(2 / spec.alpha))
    expect(parameters.passThreshold).toBeLessThan(Math.log(1 / spec.beta))
  })

  it('passes a perfectly conforming stream and fails 90/10 observed under 50/50 within 200 responses', () => {
    const decide = (share: number) => {
      for (let n = 1; n <= design.maxN; n++) {
        const d = decideAt(design.boundaries, n, Math.round(n * share))
        if (d !== 'continue') return { d, n }
      }
      return { d: 'continue', n: design.maxN }
    }
    expect(decide(0.5).d).toBe('pass')
    const wrong = decide(0.1)
    expect(wrong).toMatchObject({ d: 'fail' })
    // Rejection runs through the intermediate share 45%, not the alternative 40%: a gross fault
    // takes longer than under a Wald SPRT (about 100), the price of the bounded worst case.
    expect(wrong.n).toBeLessThan(200)
  })
})

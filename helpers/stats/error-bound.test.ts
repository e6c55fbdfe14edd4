import { describe, expect, it } from 'vitest'
import { logPmf } from './binomial.js'
import {
  criticalErrors,
  DEFAULT_ERROR_BOUND,
  detectableErrorRate,
  errorCheckFailProbability,
  errorCheckPasses,
} from './error-bound.js'

describe('the error bound', () => {
  it('fails from the critical count on, and a mesh at maxRate with probability <= alpha', () => {
    for (const n of [10, 100, 688, 1573, 3230]) {
      const c = criticalErrors(n, DEFAULT_ERROR_BOUND)
      expect(errorCheckPasses(c - 1, n, DEFAULT_ERROR_BOUND)).toBe(true)
      if (c <= n) expect(errorCheckPasses(c, n, DEFAULT_ERROR_BOUND)).toBe(false)
      expect(errorCheckFailProbability(n, DEFAULT_ERROR_BOUND, 0.001)).toBeLessThanOrEqual(1e-7)
    }
  })

  it('holds alpha when errors are not counted as trials: the requests then grow with the errors', () => {
    // A sequential check stops after N counted responses; the errors E before that are
    // negative binomial, and the check sees E errors in N + E requests. Exactly:
    // P(fail) = sum over e of P(E = e) [check fails at (e, N + e)].
    const rate = 0.001
    for (const counted of [200, 688, 1910]) {
      let fail = 0
      for (let e = 0; e < 200; e++) {
        const pE = Math.exp(logPmf(e, counted + e - 1, rate) + Math.log(1 - rate))
        if (!errorCheckPasses(e, counted + e, DEFAULT_ERROR_BOUND)) fail += pE
      }
      expect(fail).toBeLessThanOrEqual(DEFAULT_ERROR_BOUND.alpha)
    }
  })

  it('states the rate it catches with probability 0.999, and no lower rate is caught as often', () => {
    const n = 688
    const rate = detectableErrorRate(n, DEFAULT_ERROR_BOUND) as number
    expect(errorCheckFailProbability(n, DEFAULT_ERROR_BOUND, rate)).toBeGreaterThanOrEqual(0.999)
    expect(errorCheckFailProbability(n, DEFAULT_ERROR_BOUND, rate * 0.999)).toBeLessThan(0.999)
    // Fewer requests catch only larger rates.
    expect(detectableErrorRate(200, DEFAULT_ERROR_BOUND) as number).toBeGreaterThan(rate)
  })

  it('a bound of zero fails on one error; too few requests catch nothing', () => {
    const zero = { maxRate: 0, alpha: 1e-6 }
    expect(criticalErrors(688, zero)).toBe(1)
    expect(detectableErrorRate(688, zero)).toBeCloseTo(1 - 0.001 ** (1 / 688), 9)
    // 3 of 3 errors has probability 1e-9 at 0.1%, 2 of 2 has 1e-6: above alpha = 1e-7.
    expect(criticalErrors(3, DEFAULT_ERROR_BOUND)).toBe(3)
    expect(detectableErrorRate(2, DEFAULT_ERROR_BOUND)).toBeNull()
    expect(detectableErrorRate(0, DEFAULT_ERROR_BOUND)).toBeNull()
  })
})

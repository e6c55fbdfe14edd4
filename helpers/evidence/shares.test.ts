import { describe, expect, it } from 'vitest'
import { detectableErrorRate, errorCheckFailProbability } from '../stats/error-bound.js'
import { DEFAULT_SPEC } from '../stats/ratio-tests.js'
import { mulberry32 } from '../testing/random.js'
import {
  checkErrors,
  DEFAULT_ERROR_BOUND,
  encodeOutcomes,
  formatCaughtRate,
  judgeShare,
  type RatioEvidence,
  type ZeroToleranceEvidence,
} from './shares.js'

/** Outcomes with exactly round(share * i) v2 among the first i: the most conforming stream possible. */
function stream(share: number, length: number, errorsEvery = 0): string {
  let out = ''
  let k = 0
  for (let i = 1; i <= length; i++) {
    if (errorsEvery && i % errorsEvery === 0) {
      out += 'e'
      continue
    }
    const target = Math.round(i * share)
    out += target > k ? '2' : '1'
    if (target > k) k++
  }
  return out
}

const ratio = (p0: number, outcomes: string, errorBound = DEFAULT_ERROR_BOUND): RatioEvidence => ({
  kind: 'ratio',
  spec: { p0, ...DEFAULT_SPEC },
  errorBound,
  outcomes,
})

describe('judgeShare: sequential ratio checks', () => {
  it('passes 10% observed when 10% is expected, with numbers for the report', () => {
    const v = judgeShare(ratio(0.1, stream(0.1, 3000)))
    expect(v.passed).toBe(true)
    expect(v.procedure).toBe('sequential')
    expect(v.observedShare).toBeCloseTo(0.1, 1)
    expect(v.interval[0]).toBeLessThan(0.1)
    expect(v.interval[1]).toBeGreaterThan(0.1)
    expect(v.boundaries.passLow).toBeLessThanOrEqual(v.counts.v2)
    expect(v.boundaries.passHigh).toBeGreaterThanOrEqual(v.counts.v2)
    expect(v.oc.falseFailure).toBeLessThanOrEqual(1e-6)
    expect(v.cause).toContain('consistent with the expected 10.0%')
    expect(v.requests).toBeLessThan(1000)
  })

  it('states the alternatives it would have caught, relative near 0: 5% and 15% at p0 = 10%', () => {
    const v = judgeShare(ratio(0.1, stream(0.1, 3000)))
    expect(v.design).toBe('2-sprt-v2')
    expect(v.delta).toBeCloseTo(0.05, 15)
    expect(v.alternatives).toEqual([0.05, 0.1 + 0.05])
    expect(v.cause).toMatch(
      /^v2 share 10\.0% \(\d+\/\d+\) is consistent with the expected 10\.0%: a share of 5\.0% or 15\.0% would fail with probability >= 0\.999; errors 0 of \d+ under the 0\.1% bound, which fails an error rate of [\d.]+% with probability 0\.999$/,
    )
  })

  it('fails 3% observed when 10% is expected, which the old design let pass', () => {
    // The old lower alternative at p0 = 10% was 0%: 2.7% passed (see legacy-verdicts.fixture.json).
    const random = mulberry32(2)
    let outcomes = ''
    for (let i = 0; i < 5000; i++) outcomes += random() < 0.03 ? '2' : '1'
    const v = judgeShare(ratio(0.1, outcomes))
    expect(v.passed).toBe(false)
    expect(v.cause).toMatch(/^v2 share [0-4]\.\d% .* is inconsistent with the expected 10\.0%/)
  })

  it('carries the error rate its error bound catches with probability 0.999 at the requests used', () => {
    const v = judgeShare(ratio(0.5, stream(0.5, 3000)))
    const rate = detectableErrorRate(v.requests, DEFAULT_ERROR_BOUND)
    expect(v.errorCheck).toMatchObject({ passed: true, detectableRate: rate, power: 0.999 })
    expect(errorCheckFailProbability(v.requests, DEFAULT_ERROR_BOUND, rate as number)).toBeCloseTo(0.999, 9)
    expect(v.cause).toContain(`which fails an error rate of ${formatCaughtRate(rate as number)}`)
    // Rounded up, never down: the words never name a rate the bound does not catch.
    expect(formatCaughtRate(0.0304)).toBe('3.1%')
    expect(formatCaughtRate(0.03)).toBe('3%')
    expect(formatCaughtRate(0.00421)).toBe('0.43%')
  })

  it('fails 50/50 observed when 90/10 is expected within 200 responses, naming shares and interval', () => {
    const v = judgeShare(ratio(0.1, stream(0.5, 3000)))
    expect(v.passed).toBe(false)
    expect(v.cause).toMatch(
      /^v2 share 5\d\.\d% \(\d+\/\d+\) is inconsistent with the expected 10\.0%; 99\.9999% interval \[/,
    )
    // The 2-SPRT rejects through the intermediate share 12.5%, so a gross fault takes about 130
    // responses (the old Wald SPRT: about 60), the price of its bounded worst case.
    expect(v.n).toBeLessThan(200)
  })

  it('fails when errors after convergence exceed their bound, even if the share conforms', () => {
    const v = judgeShare(ratio(0.5, stream(0.5, 3000, 20)))
    expect(v.passed).toBe(false)
    expect(v.cause).toMatch(/^\d+ errors in \d+ requests exceed the error bound/)
    expect(v.counts.error).toBeGreaterThan(0)
  })

  it('fails when the evidence runs out before a decision', () => {
    const v = judgeShare(ratio(0.5, stream(0.5, 50)))
    expect(v.passed).toBe(false)
    expect(v.cause).toContain('undecided after 50')
  })

  it('is deterministic: judging the same evidence twice gives the same verdict', () => {
    const evidence = ratio(0.5, stream(0.5, 3000))
    expect(judgeShare(evidence)).toEqual(judgeShare(JSON.parse(JSON.stringify(evidence))))
  })
})

describe('judgeShare: zero tolerance', () => {
  const zero = (expected: 'v1' | 'v2', outcomes: string): ZeroToleranceEvidence => ({
    kind: 'zero-tolerance',
    expected,
    leak: 0.01,
    beta: 1e-3,
    errorBound: { maxRate: 0, alpha: 1e-6 },
    outcomes,
  })

  it('passes 688 responses all v1', () => {
    const v = judgeShare(zero('v1', '1'.repeat(700)))
    expect(v.passed).toBe(true)
    expect(v.n).toBe(688)
    expect(v.cause).toContain('a 1% leak would show with probability >= 0.999')
  })

  it('fails on one v2 leak under subset-v1, naming where', () => {
    const v = judgeShare(zero('v1', `${'1'.repeat(400)}2${'1'.repeat(300)}`))
    expect(v.passed).toBe(false)
    expect(v.cause).toBe('1 of 688 responses were v2 (first at request 401); expected only v1')
  })

  it('fails on any error when the bound is zero, and when too few responses came', () => {
    expect(judgeShare(zero('v2', `${'2'.repeat(100)}e${'2'.repeat(700)}`)).cause).toContain(
      '1 errors in 689 requests',
    )
    expect(judgeShare(zero('v2', '2'.repeat(100))).cause).toContain('only 100 of the 688')
  })
})

describe('checkErrors', () => {
  it('allows a few errors at rate 0.001 over 700 requests but not many', () => {
    expect(checkErrors(2, 700, DEFAULT_ERROR_BOUND)).toBe(true)
    expect(checkErrors(20, 700, DEFAULT_ERROR_BOUND)).toBe(false)
    expect(checkErrors(1, 700, { maxRate: 0, alpha: 1e-6 })).toBe(false)
  })

  it('the default bound fails a healthy mesh (error rate 0.1%) with probability <= 1e-7 at any n', () => {
    for (const n of [50, 300, 688, 1000, 1910, 3230, 9000])
      expect(errorCheckFailProbability(n, DEFAULT_ERROR_BOUND, 0.001)).toBeLessThanOrEqual(1e-7)
  })

  it('encodes outcomes compactly', () => {
    expect(encodeOutcomes(['v1', 'v2', 'error'])).toBe('12e')
  })
})

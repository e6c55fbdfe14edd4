import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type Evidence, judge } from './index.js'

/**
 * Run records made before issue 12 must re-judge to exactly what they said (`report rejudge`
 * compares outcome and cause). The fixture holds evidence of every share and canary-step kind
 * with the verdicts the judges of commit f8c4aef produced for it: the Wald SPRT with absolute
 * alternatives (p0 = 10% passing 2.7%, the weakness issue 12 fixed), zero-tolerance checks,
 * error bounds without a stated power, canary steps by a bare two-sided test.
 */
const cases = JSON.parse(
  readFileSync(new URL('./legacy-verdicts.fixture.json', import.meta.url), 'utf8'),
) as {
  evidence: Evidence
  verdict: Record<string, unknown>
}[]

/** Equal, numbers to 1e-12 relative (the tail sums now stop early, moving interval ends by an ulp). */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected)))
    return
  }
  if (expected !== null && typeof expected === 'object') {
    expect(actual, path).toBeTypeOf('object')
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`)
    return
  }
  expect(actual, path).toEqual(expected)
}

describe('old run records re-judge to their original verdicts', () => {
  it.each(cases.map((c, i) => [i, c.verdict.cause as string, c] as const))('#%i %s', (_, __, c) => {
    const v = JSON.parse(JSON.stringify(judge(c.evidence))) as Record<string, unknown>
    expect(v.passed).toBe(c.verdict.passed)
    expect(v.cause).toBe(c.verdict.cause)
    expectClose(v, c.verdict, 'verdict')
  })
})

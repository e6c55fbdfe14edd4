import { describe, expect, it } from 'vitest'
import { CANARY_STEP_SPEC, stepNeeds } from '../stats/canary-steps.js'
import { DEFAULT_ERROR_BOUND } from '../stats/error-bound.js'
import { mulberry32 } from '../testing/random.js'
import type { CanaryStep, CanaryStepsEvidenceV2 } from './canary.js'
import { judge } from './index.js'

const WEIGHTS = [10, 20, 30, 40, 50]

/** n responses, each v2 with probability share and an error with probability errorRate. */
function seeded(seed: number, share: number, n: number, errorRate = 0): string {
  const random = mulberry32(seed)
  let out = ''
  for (let i = 0; i < n; i++) out += random() < errorRate ? 'e' : random() < share ? '2' : '1'
  return out
}

const evidence = (steps: CanaryStep[]): CanaryStepsEvidenceV2 => ({
  kind: 'canary-steps',
  design: 'fixed-exact-v2',
  ...CANARY_STEP_SPEC,
  settleMs: 2_000,
  errorBound: DEFAULT_ERROR_BOUND,
  steps,
})

/** Each step with the responses it needs (and some to spare) at the given shares. */
const full = (shares: number[], seed: number, errorRate = 0) =>
  WEIGHTS.map((weight, i) => ({
    weight,
    outcomes: seeded(seed + i, shares[i] as number, stepNeeds(weight / 100).needed + 300, errorRate),
  }))

const rows = (v: ReturnType<typeof judge>) =>
  (v as unknown as { details: { steps: { weight: number; n: number; full: boolean; what: string }[] } })
    .details.steps

describe('canary steps judged with stated power', () => {
  it('passes correct steps, each judged on the responses it needs, and says what each would catch', () => {
    for (const seed of [1, 100, 200]) {
      const v = judge(evidence(full([0.1, 0.2, 0.3, 0.4, 0.5], seed, 0.0005)))
      expect(v.passed).toBe(true)
      expect(rows(v).map((r) => r.n)).toEqual([2728, 1175, 1434, 1572, 1573])
      expect(rows(v).every((r) => r.full)).toBe(true)
    }
    const v = judge(evidence(full([0.1, 0.2, 0.3, 0.4, 0.5], 1)))
    expect(v.cause).toMatch(
      /^10%: [\d.]+% of 2728 \(catches a share <= 5\.0% or >= 15\.0%\), 20%: [\d.]+% of 1175 \(catches a share <= 10\.0% or >= 30\.0%\), .*, 50%: [\d.]+% of 1573 \(catches a share <= 40\.0% or >= 60\.0%\), each with probability >= 0\.999 at alpha 1e-6 per step; errors 0 of \d+ under the 0\.1% bound, which fails an error rate of [\d.]+% with probability 0\.999$/,
    )
    expect(v).toMatchObject({ details: { checkAlpha: 5 * 1e-6, alphaPerStep: 1e-6, beta: 1e-3 } })
  })

  it.each([
    [0, 0.05],
    [0, 0.15],
    [1, 0.1],
    [3, 0.5],
    [4, 0.4],
    [4, 0.6],
  ])('fails a canary whose step %i runs at %s, an alternative (seeded streams)', (step, share) => {
    for (const seed of [7, 8, 9]) {
      const shares = [0.1, 0.2, 0.3, 0.4, 0.5]
      shares[step] = share
      const v = judge(evidence(full(shares, seed)))
      expect(v.passed).toBe(false)
      expect(v.cause).toMatch(
        new RegExp(
          `^at canaryWeight ${WEIGHTS[step]} the v2 share was [\\d.]+% \\(\\d+ of the last \\d+ responses\\), outside \\d+\\.\\.\\d+`,
        ),
      )
    }
  })

  it('judges the last responses of a step, the furthest from the weight change', () => {
    // 400 responses still at the previous weight (0%) open the 10% step: they are not judged.
    const steps = full([0.1, 0.2, 0.3, 0.4, 0.5], 3)
    const first = steps[0] as CanaryStep
    steps[0] = { weight: 10, outcomes: '1'.repeat(400) + first.outcomes }
    expect(judge(evidence(steps)).passed).toBe(true)
  })

  it('with too few responses, passes on what it has and says how little that could catch', () => {
    // 10 req/s over an 8 s window: about 80 responses a step, as before issue 12.
    const steps = WEIGHTS.map((weight, i) => ({ weight, outcomes: seeded(50 + i, weight / 100, 80) }))
    steps[0] = { weight: 10, outcomes: '1'.repeat(80) }
    const v = judge(evidence(steps))
    expect(v.passed).toBe(true)
    expect(rows(v).every((r) => !r.full)).toBe(true)
    // Zero v2 at 10% passes, and the verdict says nothing below 10% could have been caught.
    expect(v.cause).toMatch(/^10%: 0\.0% of 80 \(2728 needed; only catches a share >= [\d.]+%\)/)
    expect(v.cause).toMatch(
      /50%: [\d.]+% of 80 \(1573 needed; only catches a share <= [\d.]+% or >= [\d.]+%\)/,
    )
  })

  it('holds the steps errors, pooled, to the error bound', () => {
    const v = judge(evidence(full([0.1, 0.2, 0.3, 0.4, 0.5], 4, 0.02)))
    expect(v.passed).toBe(false)
    expect(v.cause).toMatch(
      /^\d+ errors in \d+ requests during the steps exceed the error bound \(rate <= 0\.001\)$/,
    )
  })

  it('fails with no step, or a step without responses', () => {
    expect(judge(evidence([])).cause).toBe('no canaryWeight step was observed')
    expect(judge(evidence([{ weight: 10, outcomes: 'eee' }])).cause).toBe(
      'no responses were measured at canaryWeight 10',
    )
  })
})

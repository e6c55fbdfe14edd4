import { describe, expect, it } from 'vitest'
import {
  CANARY_STEP_SPEC,
  canaryLoadPlan,
  canaryPowerAtRate,
  stepNeeds,
  stepPower,
  stepWindowMs,
} from './canary-steps.js'
import { acceptanceRegion, acceptProbability } from './fixed.js'

const SHARES = [0.1, 0.2, 0.3, 0.4, 0.5]
const TEN_SECONDS = { stepMs: 10_000, settleMs: 2_000, pollMs: 500 }

describe('canary step plan', () => {
  it('a step needs the smallest fixed n at its weight, with the ratio checks alpha and beta', () => {
    expect(SHARES.map((p0) => stepNeeds(p0).needed)).toEqual([2728, 1175, 1434, 1572, 1573])
    for (const p0 of SHARES) {
      const needs = stepNeeds(p0)
      expect(needs.falseFailure).toBeLessThanOrEqual(CANARY_STEP_SPEC.alpha)
      expect(needs.miss).toBeLessThanOrEqual(CANARY_STEP_SPEC.beta)
    }
    expect(stepNeeds(0.1).alternatives).toEqual([0.05, 0.1 + 0.05])
  })

  it('derives the load rate from the guaranteed window: interval - settle - two status polls', () => {
    expect(stepWindowMs(TEN_SECONDS)).toBe(7_000)
    const plan = canaryLoadPlan(TEN_SECONDS, SHARES)
    // The 10% step needs the most: 2728 counted responses in 7 s with up to 0.1% errors.
    expect(plan.rate).toBe(Math.ceil(2728 / (7 * 0.999)))
    expect(plan.steps.map((s) => s.rate)).toEqual(
      [2728, 1175, 1434, 1572, 1573].map((n) => Math.ceil(n / (7 * 0.999))),
    )
    expect(plan.checkAlpha).toBeCloseTo(5e-6, 20)
    // Book timing (45 s) needs far less.
    expect(canaryLoadPlan({ ...TEN_SECONDS, stepMs: 45_000 }, SHARES).rate).toBe(
      Math.ceil(2728 / (42 * 0.999)),
    )
    expect(canaryLoadPlan({ stepMs: 3_000, settleMs: 2_000, pollMs: 500 }, SHARES).rate).toBe(Infinity)
  })

  it('at the planned rate every step has its full power', () => {
    const plan = canaryLoadPlan(TEN_SECONDS, SHARES)
    expect(canaryPowerAtRate(TEN_SECONDS, SHARES, plan.rate).every((s) => s.full)).toBe(true)
  })
})

describe('what a step can detect below the planned rate', () => {
  it('never claims more than the exact test delivers, and less load detects less', () => {
    let previous = 0
    for (const rate of [10, 40, 100, 200, 300]) {
      const [tenPercent] = canaryPowerAtRate(TEN_SECONDS, [0.1], rate)
      const power = tenPercent as ReturnType<typeof stepPower>
      expect(power.full).toBe(false)
      expect(power.n).toBe(Math.floor(rate * 7 * 0.999))
      // Check the claim against the exact acceptance probability at the claimed shares.
      const region = acceptanceRegion(power.n, 0.1, CANARY_STEP_SPEC.alpha)
      if (power.above !== null)
        expect(acceptProbability(power.n, region.low, region.high, 0.1 + power.above)).toBeLessThanOrEqual(
          1e-3,
        )
      if (power.below !== null)
        expect(acceptProbability(power.n, region.low, region.high, 0.1 - power.below)).toBeLessThanOrEqual(
          1e-3,
        )
      const above = power.above ?? 1
      if (previous) expect(above).toBeLessThan(previous)
      previous = above
    }
  })

  it('the old canary (10 req/s, about 80 responses a step) cannot catch 0% at the 10% step', () => {
    const power = stepPower(0.1, 80)
    expect(power.below).toBeNull()
    expect(power.above).toBeGreaterThan(0.3)
    expect(stepPower(0.5, 80).below).toBeGreaterThan(0.35)
  })
})

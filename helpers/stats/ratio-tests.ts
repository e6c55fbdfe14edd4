import type { RatioSpec } from './spec.js'
import { type Decision, decideAt, designTwoSprt, evaluateBoundaries, type TwoSprtDesign } from './two-sprt.js'
import {
  designWaldV1,
  type WaldV1Design,
  type WaldV1OperatingCharacteristic,
  waldV1Decision,
  waldV1EvaluateAt,
} from './wald-v1.js'

export { designFixed, type FixedDesign, fixedDesignAt } from './fixed.js'
/**
 * Statistical designs for "is the share of v2 responses p0?", each with its false-failure
 * probability (failing a conforming route, at p = p0) and its miss probability (passing a
 * route off by the indifference) computed exactly. The spec names its design, so a record
 * is always re-judged by the design it was made with.
 */
export { alternatives, DEFAULT_SPEC, indifference, type RatioSpec } from './spec.js'
export type { Decision, OperatingCharacteristic } from './two-sprt.js'

export type SequentialDesign = TwoSprtDesign | WaldV1Design

/** The sequential design a spec names: the 2-SPRT, or for old records the Wald SPRT. Cached. */
export function designSequential(spec: RatioSpec): SequentialDesign {
  return spec.design === '2-sprt-v2' ? designTwoSprt(spec) : designWaldV1(spec)
}

export function sequentialDecision(design: SequentialDesign, n: number, k: number): Decision {
  return design.version === '2-sprt-v2' ? decideAt(design.boundaries, n, k) : waldV1Decision(design, n, k)
}

/** P(fail) and E[N] of a design at true share p, exactly. */
export function evaluateAt(
  design: SequentialDesign,
  p: number,
): { p: number; failProbability: number; expectedN: number } {
  if (design.version === '2-sprt-v2') {
    const { failProbability, expectedN } = evaluateBoundaries(design.boundaries, p)
    return { p, failProbability, expectedN }
  }
  return waldV1EvaluateAt(design, p)
}

export type AnyOperatingCharacteristic = TwoSprtDesign['oc'] | WaldV1OperatingCharacteristic

// ---------------------------------------------------------------- zero tolerance

/**
 * For deterministic routes (p0 = 0 or 1): after convergence, n responses must all be of the
 * expected class. n is the smallest with (1 - leak)^n <= beta, so a leak of `leak` (default
 * 1%) is missed with probability <= beta. A correct route never fails it.
 */
export interface ZeroToleranceDesign {
  readonly kind: 'zero-tolerance'
  readonly n: number
  readonly leak: number
  readonly beta: number
  readonly miss: number
}

export function designZeroTolerance(leak = 0.01, beta = 1e-3): ZeroToleranceDesign {
  const n = Math.ceil(Math.log(beta) / Math.log1p(-leak))
  return { kind: 'zero-tolerance', n, leak, beta, miss: (1 - leak) ** n }
}

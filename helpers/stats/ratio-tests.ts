import { logAddExp, logCdf, logSf } from './binomial.js'

/**
 * Statistical designs for "is the share of v2 responses p0?". Every design states its
 * false-failure probability (failing a conforming route, at p = p0) and its miss probability
 * (passing a route that is off by the indifference delta), computed exactly.
 */
export interface RatioSpec {
  /** Expected share of the counted class (v2), e.g. 0.1. */
  readonly p0: number
  /** Indifference: shares within p0 +- delta are not worth failing on; off by delta must fail. */
  readonly delta: number
  /** Bound on the false-failure probability at p = p0. */
  readonly alpha: number
  /** Bound on the miss probability at p = p0 +- delta. */
  readonly beta: number
}

export const DEFAULT_SPEC = { delta: 0.1, alpha: 1e-6, beta: 1e-3 } as const

/** The alternatives p0 - delta and p0 + delta that lie in [0, 1]. */
export function alternatives(spec: RatioSpec): number[] {
  return [spec.p0 - spec.delta, spec.p0 + spec.delta].filter((p) => p >= 0 && p <= 1)
}

// ---------------------------------------------------------------- fixed-sample test

export interface FixedDesign {
  readonly kind: 'fixed'
  readonly n: number
  /** Pass when acceptLow <= k <= acceptHigh. */
  readonly acceptLow: number
  readonly acceptHigh: number
  readonly falseFailure: number
  readonly miss: number
}

/** The acceptance region of the exact two-sided test of size <= alpha at n. */
function fixedRegion(n: number, spec: RatioSpec): { low: number; high: number } {
  const half = Math.log(spec.alpha / 2)
  let low = 0
  while (low < n && logCdf(low, n, spec.p0) <= half) low++
  let high = n
  while (high > 0 && logSf(high, n, spec.p0) <= half) high--
  return { low, high }
}

export function fixedDesignAt(n: number, spec: RatioSpec): FixedDesign {
  const { low, high } = fixedRegion(n, spec)
  const falseFailure = Math.exp(logCdf(low - 1, n, spec.p0)) + Math.exp(logSf(high + 1, n, spec.p0))
  // Miss at an alternative p: P(low <= X <= high) = P(X <= high) - P(X <= low - 1).
  const miss = Math.max(
    ...alternatives(spec).map((p) =>
      Math.max(0, Math.exp(logCdf(high, n, p)) - Math.exp(logCdf(low - 1, n, p))),
    ),
  )
  return { kind: 'fixed', n, acceptLow: low, acceptHigh: high, falseFailure, miss }
}

/** The smallest n whose exact two-sided test meets (alpha, beta). */
export function designFixed(spec: RatioSpec): FixedDesign {
  let hi = 16
  while (fixedDesignAt(hi, spec).miss > spec.beta) hi *= 2
  let lo = hi / 2
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (fixedDesignAt(mid, spec).miss > spec.beta) lo = mid
    else hi = mid
  }
  return fixedDesignAt(hi, spec)
}

// ---------------------------------------------------------------- sequential test

/**
 * A truncated two-sided sequential probability ratio test: one Wald SPRT of p0 against each
 * alternative p0 - delta and p0 + delta, run on the same observations.
 * - fail as soon as either log-likelihood ratio reaches ln A;
 * - pass as soon as every log-likelihood ratio is at or below ln B;
 * - at maxN (the hard cap on requests), pass iff |k/n - p0| <= delta / 2.
 * Wald's bounds start the design (A = (1 - beta) / (alpha / 2) per side, B = beta / (1 - alpha));
 * the exact operating characteristic then confirms it, and the cap grows until it does.
 */
export interface SequentialDesign {
  readonly kind: 'sequential'
  readonly spec: RatioSpec
  readonly lnA: number
  readonly lnB: number
  readonly maxN: number
  readonly oc: OperatingCharacteristic
}

export interface OcPoint {
  readonly p: number
  readonly failProbability: number
  readonly expectedN: number
}

/** Exact properties of a design: what it does at p0 and at p0 +- delta. */
export interface OperatingCharacteristic {
  /** P(fail | p = p0). */
  readonly falseFailure: number
  /** max over p0 +- delta of P(pass | p). */
  readonly miss: number
  readonly expectedNAtP0: number
  readonly maxN: number
  readonly points: readonly OcPoint[]
}

export type Decision = 'pass' | 'fail' | 'continue'

/** log-likelihood ratio of p1 against p0 after k successes in n trials. */
function llr(k: number, n: number, p0: number, p1: number): number {
  const successTerm = k === 0 ? 0 : k * Math.log(p1 / p0)
  const failureTerm = n - k === 0 ? 0 : (n - k) * Math.log((1 - p1) / (1 - p0))
  return successTerm + failureTerm
}

export function sequentialDecision(
  design: Pick<SequentialDesign, 'spec' | 'lnA' | 'lnB' | 'maxN'>,
  n: number,
  k: number,
): Decision {
  const ratios = alternatives(design.spec).map((p1) => llr(k, n, design.spec.p0, p1))
  if (ratios.some((r) => r >= design.lnA)) return 'fail'
  if (n > 0 && ratios.every((r) => r <= design.lnB)) return 'pass'
  if (n >= design.maxN) return Math.abs(k / n - design.spec.p0) <= design.spec.delta / 2 ? 'pass' : 'fail'
  return 'continue'
}

/**
 * P(fail) and E[N] of a design at true share p, by dynamic programming over the sample path:
 * the probability mass of every (n, k) still undecided, carried in log space.
 */
export function evaluateAt(
  design: Pick<SequentialDesign, 'spec' | 'lnA' | 'lnB' | 'maxN'>,
  p: number,
): OcPoint {
  const lp = Math.log(p)
  const lq = Math.log1p(-p)
  let mass = new Map<number, number>([[0, 0]])
  let logFail = Number.NEGATIVE_INFINITY
  let expectedN = 0
  for (let n = 0; mass.size > 0; n++) {
    const next = new Map<number, number>()
    for (const [k, logM] of mass) {
      const decision = n === 0 ? 'continue' : sequentialDecision(design, n, k)
      if (decision === 'continue') {
        next.set(k, logAddExp(next.get(k) ?? Number.NEGATIVE_INFINITY, logM + lq))
        next.set(k + 1, logAddExp(next.get(k + 1) ?? Number.NEGATIVE_INFINITY, logM + lp))
        continue
      }
      expectedN += n * Math.exp(logM)
      if (decision === 'fail') logFail = logAddExp(logFail, logM)
    }
    for (const [k, logM] of next) if (logM === Number.NEGATIVE_INFINITY) next.delete(k)
    mass = next
  }
  return { p, failProbability: Math.exp(logFail), expectedN }
}

export function operatingCharacteristic(
  design: Pick<SequentialDesign, 'spec' | 'lnA' | 'lnB' | 'maxN'>,
): OperatingCharacteristic {
  const atP0 = evaluateAt(design, design.spec.p0)
  const atAlternatives = alternatives(design.spec).map((p) => evaluateAt(design, p))
  return {
    falseFailure: atP0.failProbability,
    miss: Math.max(...atAlternatives.map((pt) => 1 - pt.failProbability)),
    expectedNAtP0: atP0.expectedN,
    maxN: design.maxN,
    points: [atP0, ...atAlternatives],
  }
}

const designCache = new Map<string, SequentialDesign>()

/** The sequential design for a spec, verified exactly; cached, since it depends on the spec alone. */
export function designSequential(spec: RatioSpec): SequentialDesign {
  const key = JSON.stringify(spec)
  const cached = designCache.get(key)
  if (cached) return cached
  const sides = alternatives(spec).length
  const lnA = Math.log((1 - spec.beta) / (spec.alpha / sides))
  const lnB = Math.log(spec.beta / (1 - spec.alpha))
  let maxN = Math.ceil(1.5 * designFixed(spec).n)
  for (let attempt = 0; attempt < 8; attempt++) {
    const oc = operatingCharacteristic({ spec, lnA, lnB, maxN })
    if (oc.falseFailure <= spec.alpha && oc.miss <= spec.beta) {
      const design: SequentialDesign = { kind: 'sequential', spec, lnA, lnB, maxN, oc }
      designCache.set(key, design)
      return design
    }
    maxN = Math.ceil(maxN * 1.5)
  }
  throw new Error(`no sequential design meets alpha=${spec.alpha}, beta=${spec.beta} for p0=${spec.p0}`)
}

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

export function designZeroTolerance(leak = 0.01, beta: number = DEFAULT_SPEC.beta): ZeroToleranceDesign {
  const n = Math.ceil(Math.log(beta) / Math.log1p(-leak))
  return { kind: 'zero-tolerance', n, leak, beta, miss: (1 - leak) ** n }
}

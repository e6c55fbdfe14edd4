import { logCdf, logSf } from './binomial.js'
import { alternatives, assertRatioSpec, type RatioSpec } from './spec.js'

/**
 * The fixed-sample exact test: n responses, pass when the v2 count lies in the acceptance
 * region of the equal-tailed exact binomial test of size <= alpha (each tail <= alpha / 2).
 * It is the yardstick of the sequential design (its smallest n meeting beta) and the test of
 * each canary step, whose window of responses is fixed by the step's length.
 */
export interface FixedDesign {
  readonly kind: 'fixed'
  readonly n: number
  /** Pass when acceptLow <= k <= acceptHigh. */
  readonly acceptLow: number
  readonly acceptHigh: number
  /** Exact P(fail | p0). */
  readonly falseFailure: number
  /** Exact max over the alternatives of P(pass | p). */
  readonly miss: number
}

/** The acceptance region at n: low is the smallest k with P(X <= k) > alpha/2, high the largest with P(X >= k) > alpha/2. */
export function acceptanceRegion(n: number, p0: number, alpha: number): { low: number; high: number } {
  const half = Math.log(alpha / 2)
  let low = 0
  while (low < n && logCdf(low, n, p0) <= half) low++
  let high = n
  while (high > 0 && logSf(high, n, p0) <= half) high--
  return { low, high }
}

/** P(low <= X <= high | n, p), from whichever tails are short. */
export function acceptProbability(n: number, low: number, high: number, p: number): number {
  if (low > high) return 0
  const mean = n * p
  if (mean <= low) return Math.max(0, Math.exp(logSf(low, n, p)) - Math.exp(logSf(high + 1, n, p)))
  if (mean >= high) return Math.max(0, Math.exp(logCdf(high, n, p)) - Math.exp(logCdf(low - 1, n, p)))
  return Math.max(0, 1 - Math.exp(logCdf(low - 1, n, p)) - Math.exp(logSf(high + 1, n, p)))
}

function designAt(n: number, p0: number, region: { low: number; high: number }, alts: number[]) {
  const { low, high } = region
  const falseFailure = Math.exp(logCdf(low - 1, n, p0)) + Math.exp(logSf(high + 1, n, p0))
  const miss = Math.max(...alts.map((p) => acceptProbability(n, low, high, p)))
  return { kind: 'fixed' as const, n, acceptLow: low, acceptHigh: high, falseFailure, miss }
}

export function fixedDesignAt(n: number, spec: RatioSpec): FixedDesign {
  return designAt(n, spec.p0, acceptanceRegion(n, spec.p0, spec.alpha), alternatives(spec))
}

const fixedCache = new Map<string, FixedDesign>()

/**
 * The smallest n whose exact test meets (alpha, beta) at the spec's alternatives, by scanning
 * n = 1, 2, ...: the miss is not monotone in n (the discrete region jumps), so a bisection
 * can stop above the smallest n (1580 instead of 1573 at p0 = 0.5). The region moves by at
 * most one count per n (more trials make X stochastically larger by at most one), so each n
 * costs a few tail sums. Cached.
 */
export function designFixed(spec: RatioSpec): FixedDesign {
  assertRatioSpec(spec)
  const key = JSON.stringify([spec.p0, spec.delta, spec.alpha, spec.beta, spec.design ?? null])
  const cached = fixedCache.get(key)
  if (cached) return cached
  const alts = alternatives(spec)
  const half = Math.log(spec.alpha / 2)
  let low = 0
  let high = 0
  for (let n = 1; n <= 10_000_000; n++) {
    while (low < n && logCdf(low, n, spec.p0) <= half) low++
    if (high < n && logSf(high + 1, n, spec.p0) > half) high++
    const miss = Math.max(...alts.map((p) => acceptProbability(n, low, high, p)))
    if (miss <= spec.beta) {
      const design = designAt(n, spec.p0, { low, high }, alts)
      fixedCache.set(key, design)
      return design
    }
  }
  throw new Error(`no fixed n up to 1e7 meets beta=${spec.beta} for p0=${spec.p0}`)
}

/**
 * What the exact test at n can detect: the smallest shifts below and above p0 whose share it
 * fails with probability >= 1 - beta (and every larger shift, since the acceptance
 * probability falls monotonically away from the region). null: no share on that side is
 * caught, even 0 or 1. Pure.
 */
export function detectableShifts(
  n: number,
  p0: number,
  alpha: number,
  beta: number,
): { below: number | null; above: number | null; low: number; high: number } {
  const { low, high } = acceptanceRegion(n, p0, alpha)
  const accept = (p: number) => acceptProbability(n, low, high, p)
  // Bisection for the share where the acceptance probability crosses beta, on the side of p0
  // where it is monotone: increasing on [0, p0], decreasing on [p0, 1].
  const cross = (from: number, to: number): number => {
    let caught = from
    let missed = to
    for (let i = 0; i < 60; i++) {
      const mid = (caught + missed) / 2
      if (accept(mid) <= beta) caught = mid
      else missed = mid
    }
    return caught
  }
  const below = n > 0 && accept(0) <= beta ? p0 - cross(0, p0) : null
  const above = n > 0 && accept(1) <= beta ? cross(1, p0) - p0 : null
  return { below, above, low, high }
}

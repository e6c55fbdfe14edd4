import { logAddExp, logCdf, logSf } from './binomial.js'

/**
 * The ratio design of run records made before issue 12 (their spec has no `design` field):
 * two Wald SPRTs of p0 against p0 - delta and p0 + delta, capped at 1.5x (growing by 1.5x
 * until the exact operating characteristic holds) the fixed n found by bisection.
 *
 * Frozen: `report rejudge` recomputes old verdicts with it, and must reproduce them exactly.
 * Its known weaknesses (a lower alternative of 0 at p0 = 0.1, worst E[N] up to 135% of the
 * fixed test, a cap of 2.26x the fixed n, bisection overshooting the fixed n) are why new
 * evidence uses the 2-SPRT of two-sprt.ts. Do not change its arithmetic.
 */
export interface WaldV1Spec {
  readonly p0: number
  readonly delta: number
  readonly alpha: number
  readonly beta: number
}

export interface WaldV1Design {
  readonly kind: 'sequential'
  readonly version: 'wald-sprt-v1'
  readonly spec: WaldV1Spec
  readonly lnA: number
  readonly lnB: number
  readonly maxN: number
  readonly oc: WaldV1OperatingCharacteristic
}

export interface WaldV1OcPoint {
  readonly p: number
  readonly failProbability: number
  readonly expectedN: number
}

export interface WaldV1OperatingCharacteristic {
  readonly falseFailure: number
  readonly miss: number
  readonly expectedNAtP0: number
  readonly maxN: number
  readonly points: readonly WaldV1OcPoint[]
}

type Decision = 'pass' | 'fail' | 'continue'
type Boundaries = Pick<WaldV1Design, 'spec' | 'lnA' | 'lnB' | 'maxN'>

export function waldV1Alternatives(spec: WaldV1Spec): number[] {
  return [spec.p0 - spec.delta, spec.p0 + spec.delta].filter((p) => p >= 0 && p <= 1)
}

function fixedMissAt(n: number, spec: WaldV1Spec): number {
  const half = Math.log(spec.alpha / 2)
  let low = 0
  while (low < n && logCdf(low, n, spec.p0) <= half) low++
  let high = n
  while (high > 0 && logSf(high, n, spec.p0) <= half) high--
  return Math.max(
    ...waldV1Alternatives(spec).map((p) =>
      Math.max(0, Math.exp(logCdf(high, n, p)) - Math.exp(logCdf(low - 1, n, p))),
    ),
  )
}

/** The fixed n as the old records found it: by bisection (which can overshoot the smallest). */
function bisectedFixedN(spec: WaldV1Spec): number {
  let hi = 16
  while (fixedMissAt(hi, spec) > spec.beta) hi *= 2
  let lo = hi / 2
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (fixedMissAt(mid, spec) > spec.beta) lo = mid
    else hi = mid
  }
  return hi
}

function llr(k: number, n: number, p0: number, p1: number): number {
  const successTerm = k === 0 ? 0 : k * Math.log(p1 / p0)
  const failureTerm = n - k === 0 ? 0 : (n - k) * Math.log((1 - p1) / (1 - p0))
  return successTerm + failureTerm
}

export function waldV1Decision(design: Boundaries, n: number, k: number): Decision {
  const ratios = waldV1Alternatives(design.spec).map((p1) => llr(k, n, design.spec.p0, p1))
  if (ratios.some((r) => r >= design.lnA)) return 'fail'
  if (n > 0 && ratios.every((r) => r <= design.lnB)) return 'pass'
  if (n >= design.maxN) return Math.abs(k / n - design.spec.p0) <= design.spec.delta / 2 ? 'pass' : 'fail'
  return 'continue'
}

/** P(fail) and E[N] at p, by dynamic programming over the undecided (n, k) in log space. */
export function waldV1EvaluateAt(design: Boundaries, p: number): WaldV1OcPoint {
  const lp = Math.log(p)
  const lq = Math.log1p(-p)
  let mass = new Map<number, number>([[0, 0]])
  let logFail = Number.NEGATIVE_INFINITY
  let expectedN = 0
  for (let n = 0; mass.size > 0; n++) {
    const next = new Map<number, number>()
    for (const [k, logM] of mass) {
      const decision = n === 0 ? 'continue' : waldV1Decision(design, n, k)
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

function waldV1Oc(design: Boundaries): WaldV1OperatingCharacteristic {
  const atP0 = waldV1EvaluateAt(design, design.spec.p0)
  const atAlternatives = waldV1Alternatives(design.spec).map((p) => waldV1EvaluateAt(design, p))
  return {
    falseFailure: atP0.failProbability,
    miss: Math.max(...atAlternatives.map((pt) => 1 - pt.failProbability)),
    expectedNAtP0: atP0.expectedN,
    maxN: design.maxN,
    points: [atP0, ...atAlternatives],
  }
}

const cache = new Map<string, WaldV1Design>()

/** The old design for a spec, exactly as old records were judged; cached. */
export function designWaldV1(spec: WaldV1Spec): WaldV1Design {
  const key = JSON.stringify([spec.p0, spec.delta, spec.alpha, spec.beta])
  const cached = cache.get(key)
  if (cached) return cached
  const sides = waldV1Alternatives(spec).length
  const lnA = Math.log((1 - spec.beta) / (spec.alpha / sides))
  const lnB = Math.log(spec.beta / (1 - spec.alpha))
  let maxN = Math.ceil(1.5 * bisectedFixedN(spec))
  for (let attempt = 0; attempt < 8; attempt++) {
    const oc = waldV1Oc({ spec, lnA, lnB, maxN })
    if (oc.falseFailure <= spec.alpha && oc.miss <= spec.beta) {
      const design: WaldV1Design = { kind: 'sequential', version: 'wald-sprt-v1', spec, lnA, lnB, maxN, oc }
      cache.set(key, design)
      return design
    }
    maxN = Math.ceil(maxN * 1.5)
  }
  throw new Error(`no sequential design meets alpha=${spec.alpha}, beta=${spec.beta} for p0=${spec.p0}`)
}

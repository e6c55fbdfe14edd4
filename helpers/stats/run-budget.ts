import { canaryLoadPlan, type StepSpec, type StepTiming } from './canary-steps.js'
import { detectableErrorRate, type ErrorBound } from './error-bound.js'
import { designFixed } from './fixed.js'
import { designSequential, designZeroTolerance } from './ratio-tests.js'
import { alternatives, type RatioSpec } from './spec.js'
import { worstExpectedN } from './worst-case.js'

/**
 * How often a run fails a correct mesh, and each check's design in numbers. Pure.
 *
 * A run fails a correct mesh when at least one check does; by the union bound that happens
 * with probability at most the sum of the checks' false-failure bounds. Each check counts
 * its routing test (the exact size of a ratio test, each canary step's exact size, 0 for a
 * zero-tolerance share: a correct route never sends the other version) and its error bound
 * (alpha, when the mesh's error rate is within maxRate). An error bound that allows no error
 * at all is a trap: at a healthy mesh's background error rate it fails with probability
 * 1 - (1 - rate)^n, and that is what it counts here.
 */

export type CheckDesign =
  | { readonly kind: 'ratio'; readonly spec: RatioSpec; readonly errorBound: ErrorBound }
  | {
      readonly kind: 'zero-tolerance'
      readonly leak: number
      readonly beta: number
      readonly errorBound: ErrorBound
    }
  | {
      readonly kind: 'canary-steps'
      /** The steps' expected shares, e.g. 0.1..0.5. */
      readonly shares: readonly number[]
      readonly spec: StepSpec
      readonly errorBound: ErrorBound
      readonly timing: StepTiming
    }
  /** Route tables, log lines, Flagger timelines, convergence gates: no sampling error. */
  | { readonly kind: 'deterministic'; readonly what: string }

export interface CheckFalseFailure {
  readonly id: string
  /** Bound on P(the routing test fails | correct mesh). */
  readonly routing: number
  /** Bound on P(the error check fails | healthy mesh). */
  readonly errors: number
}

export interface RunFalseFailure {
  readonly checks: readonly CheckFalseFailure[]
  /** Sum over the checks: P(a correct mesh fails at least one check of the run) is at most this. */
  readonly total: number
}

/** Requests an error check sees at most: what its n bounds, for the zero-error trap. */
function maxRequests(design: CheckDesign): number {
  switch (design.kind) {
    case 'ratio':
      return designSequential(design.spec).maxN
    case 'zero-tolerance':
      return designZeroTolerance(design.leak, design.beta).n
    case 'canary-steps':
      return design.shares.reduce(
        (sum, p0) => sum + designFixed({ p0, ...design.spec, design: '2-sprt-v2' }).n,
        0,
      )
    case 'deterministic':
      return 0
  }
}

function errorBoundFalseFailure(bound: ErrorBound, requests: number, backgroundErrorRate: number): number {
  if (bound.maxRate > 0) return bound.alpha
  return 1 - (1 - backgroundErrorRate) ** requests
}

/** The false-failure bounds of one check. */
export function checkFalseFailure(
  id: string,
  design: CheckDesign,
  backgroundErrorRate = 1e-4,
): CheckFalseFailure {
  if (design.kind === 'deterministic') return { id, routing: 0, errors: 0 }
  const errors = errorBoundFalseFailure(design.errorBound, maxRequests(design), backgroundErrorRate)
  switch (design.kind) {
    case 'ratio':
      return { id, routing: designSequential(design.spec).oc.falseFailure, errors }
    case 'zero-tolerance':
      return { id, routing: 0, errors }
    case 'canary-steps': {
      const routing = design.shares.reduce(
        (sum, p0) => sum + designFixed({ p0, ...design.spec, design: '2-sprt-v2' }).falseFailure,
        0,
      )
      return { id, routing, errors }
    }
  }
}

/**
 * The run's bound on failing a correct mesh: the sum of every check's false-failure bounds,
 * with zero-error bounds charged at `backgroundErrorRate` (default 1e-4).
 */
export function runFalseFailure(
  checks: readonly { readonly id: string; readonly design: CheckDesign }[],
  backgroundErrorRate = 1e-4,
): RunFalseFailure {
  const rows = checks.map((c) => checkFalseFailure(c.id, c.design, backgroundErrorRate))
  return { checks: rows, total: rows.reduce((sum, r) => sum + r.routing + r.errors, 0) }
}

/** A check's design in numbers, as `plan --json` shows it. */
export interface DesignSummary {
  readonly kind: CheckDesign['kind']
  /** Exact P(fail | correct) of the routing test (summed over steps for the canary). */
  readonly alpha: number
  /** Exact worst P(pass | a share at an alternative). */
  readonly beta: number
  /** Shares the test fails with probability >= 1 - beta (and any farther out); leak for zero tolerance. */
  readonly alternatives: readonly number[]
  readonly expectedNAtP0?: number
  readonly worstExpectedN?: { readonly p: number; readonly n: number }
  readonly maxN?: number
  readonly fixedN?: number
  /** The error rate the error bound fails with probability 0.999 at the typical n and at max n. */
  readonly errorRateCaught?: { readonly atExpectedN: number | null; readonly atMaxN: number | null }
  readonly errorBound?: ErrorBound
  /** The canary: per step, counted responses needed; the load rate that delivers them. */
  readonly steps?: readonly {
    readonly p0: number
    readonly needed: number
    readonly rate: number
    readonly alternatives: readonly number[]
  }[]
  readonly loadRate?: number
  readonly windowMs?: number
}

/** Shares for people: 0.15, not 0.15000000000000002. */
const tidy = (shares: readonly number[]) => shares.map((x) => Number(x.toPrecision(12)))

const caughtAt = (n: number, bound: ErrorBound) => detectableErrorRate(n, bound, bound.power ?? 0.999)

/** alpha, beta, alternatives, expected and worst n, max n and the error rate caught, per check. */
export function designSummary(design: CheckDesign): DesignSummary {
  switch (design.kind) {
    case 'ratio': {
      const d = designSequential(design.spec)
      const worst = d.version === '2-sprt-v2' ? worstExpectedN(d.boundaries) : undefined
      const typical = Math.round(d.oc.expectedNAtP0)
      return {
        kind: 'ratio',
        alpha: d.oc.falseFailure,
        beta: d.oc.miss,
        alternatives: tidy(alternatives(design.spec)),
        expectedNAtP0: d.oc.expectedNAtP0,
        ...(worst ? { worstExpectedN: { p: worst.p, n: worst.expectedN } } : {}),
        maxN: d.maxN,
        fixedN: designFixed(design.spec).n,
        errorRateCaught: {
          atExpectedN: caughtAt(typical, design.errorBound),
          atMaxN: caughtAt(d.maxN, design.errorBound),
        },
        errorBound: design.errorBound,
      }
    }
    case 'zero-tolerance': {
      const d = designZeroTolerance(design.leak, design.beta)
      return {
        kind: 'zero-tolerance',
        alpha: 0,
        beta: d.miss,
        alternatives: [design.leak],
        expectedNAtP0: d.n,
        maxN: d.n,
        errorRateCaught: {
          atExpectedN: caughtAt(d.n, design.errorBound),
          atMaxN: caughtAt(d.n, design.errorBound),
        },
        errorBound: design.errorBound,
      }
    }
    case 'canary-steps': {
      const plan = canaryLoadPlan(design.timing, design.shares, design.spec)
      const total = plan.steps.reduce((sum, s) => sum + s.needed, 0)
      const fixed = design.shares.map((p0) => designFixed({ p0, ...design.spec, design: '2-sprt-v2' }))
      return {
        kind: 'canary-steps',
        alpha: fixed.reduce((sum, f) => sum + f.falseFailure, 0),
        beta: Math.max(...fixed.map((f) => f.miss)),
        alternatives: tidy(plan.steps.flatMap((s) => s.alternatives)),
        maxN: Math.max(...plan.steps.map((s) => s.needed)),
        errorRateCaught: {
          atExpectedN: caughtAt(total, design.errorBound),
          atMaxN: caughtAt(total, design.errorBound),
        },
        errorBound: design.errorBound,
        steps: plan.steps.map((s) => ({ ...s, alternatives: tidy(s.alternatives) })),
        loadRate: plan.rate,
        windowMs: plan.windowMs,
      }
    }
    case 'deterministic':
      return { kind: 'deterministic', alpha: 0, beta: 0, alternatives: [] }
  }
}

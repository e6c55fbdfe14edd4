import { designFixed, detectableShifts } from './fixed.js'
import { relativeIndifference } from './spec.js'

/**
 * The arithmetic of the canary's share-per-step check. Each canaryWeight step lasts one
 * Flagger analysis interval; its responses are judged by the fixed-sample exact test, since
 * the window is fixed by the interval and every response in it is collected anyway (among
 * tests that may use at most n responses, the fixed test needs the fewest: n = 1573 at 50%,
 * where the sequential design may need up to 1.2x that). Pure.
 */

/** Per-step error bounds: each step has the ratio checks' power. */
export interface StepSpec {
  /** Largest indifference; a step at weight w must catch w/100 +- min(delta, w/200, (1 - w/100)/2). */
  readonly delta: number
  /** False-failure bound per step: the check of s steps fails a correct canary with probability <= s * alpha. */
  readonly alpha: number
  /** Miss bound per step at its alternatives. */
  readonly beta: number
}

export const CANARY_STEP_SPEC: StepSpec = { delta: 0.1, alpha: 1e-6, beta: 1e-3 }

export interface StepTiming {
  /** Flagger's analysis interval: how long each weight is held. */
  readonly stepMs: number
  /** Responses this long after the weight is seen are skipped (the new weights propagate). */
  readonly settleMs: number
  /**
   * How often the Canary's status is read. The step is seen up to one poll after it began,
   * and its window ends at the last poll still showing its weight (Flagger sets the routes
   * before the status, so a response after that poll may already see the next weight): the
   * window can lose up to two polls.
   */
  readonly pollMs: number
}

/** The guaranteed length of a step's window: stepMs - settleMs - 2 pollMs. */
export function stepWindowMs(t: StepTiming): number {
  return Math.max(0, t.stepMs - t.settleMs - 2 * t.pollMs)
}

/** The counted responses a step at share p0 needs, and what its test then guarantees. */
export function stepNeeds(p0: number, spec: StepSpec = CANARY_STEP_SPEC) {
  const d = relativeIndifference(p0, spec.delta)
  const fixed = designFixed({ p0, ...spec, design: '2-sprt-v2' })
  return {
    p0,
    needed: fixed.n,
    alternatives: [p0 - d, p0 + d] as const,
    falseFailure: fixed.falseFailure,
    miss: fixed.miss,
  }
}

export interface CanaryLoadPlan {
  readonly windowMs: number
  /** Per step: its share, the counted responses it needs, and the request rate that delivers them. */
  readonly steps: readonly {
    readonly p0: number
    readonly needed: number
    readonly rate: number
    readonly alternatives: readonly [number, number]
  }[]
  /** The load rate (req/s) that gives every step its responses: the largest step rate. */
  readonly rate: number
  /** alpha per step, and the check's false-failure bound: their sum over the steps. */
  readonly alphaPerStep: number
  readonly checkAlpha: number
}

/**
 * The load rate a canary needs so every step's check has its stated power: each step's n
 * within the guaranteed window, with `errorRate` (default the error bound's 0.1%) of the
 * responses lost to errors. Infinity when the window is empty.
 */
export function canaryLoadPlan(
  timing: StepTiming,
  shares: readonly number[],
  spec: StepSpec = CANARY_STEP_SPEC,
  errorRate = 0.001,
): CanaryLoadPlan {
  const windowMs = stepWindowMs(timing)
  const steps = shares.map((p0) => {
    const needs = stepNeeds(p0, spec)
    const rate = windowMs > 0 ? Math.ceil(needs.needed / ((windowMs / 1000) * (1 - errorRate))) : Infinity
    return { p0, needed: needs.needed, rate, alternatives: needs.alternatives }
  })
  return {
    windowMs,
    steps,
    rate: Math.max(0, ...steps.map((s) => s.rate)),
    alphaPerStep: spec.alpha,
    checkAlpha: spec.alpha * shares.length,
  }
}

export interface StepPower {
  readonly p0: number
  /** Counted responses judged: at most `needed` (the step's last ones). */
  readonly n: number
  readonly needed: number
  /** true: the step has the stated power (miss <= beta at p0 +- indifference). */
  readonly full: boolean
  /** Smallest shifts below/above p0 caught with probability >= 1 - beta (null: none on that side). */
  readonly below: number | null
  readonly above: number | null
}

/** What a step's exact test catches with `available` counted responses (it judges at most `needed`). */
export function stepPower(p0: number, available: number, spec: StepSpec = CANARY_STEP_SPEC): StepPower {
  const needs = stepNeeds(p0, spec)
  const n = Math.min(available, needs.needed)
  if (n === needs.needed) {
    const d = relativeIndifference(p0, spec.delta)
    return { p0, n, needed: needs.needed, full: true, below: d, above: d }
  }
  const shifts = detectableShifts(n, p0, spec.alpha, spec.beta)
  return { p0, n, needed: needs.needed, full: false, below: shifts.below, above: shifts.above }
}

/** What each step can catch at an achievable load rate (req/s), for `plan` and for the verdict. */
export function canaryPowerAtRate(
  timing: StepTiming,
  shares: readonly number[],
  rate: number,
  spec: StepSpec = CANARY_STEP_SPEC,
  errorRate = 0.001,
): StepPower[] {
  const n = Math.floor((rate * stepWindowMs(timing) * (1 - errorRate)) / 1000)
  return shares.map((p0) => stepPower(p0, n, spec))
}

import { CANARY_STEP_SPEC, type StepTiming } from './canary-steps.js'
import { DEFAULT_ERROR_BOUND } from './error-bound.js'
import type { CheckDesign } from './run-budget.js'
import { DEFAULT_SPEC } from './spec.js'

/**
 * The statistical designs a check can declare (each scenario declares one per check, beside
 * its words): the data behind the run's false-failure bound and `plan --json`. Pure.
 */

/** Every response of one class, sized to catch a 1% leak with miss <= 1e-3; errors under the default bound. */
export const ONLY_ONE_VERSION: CheckDesign = {
  kind: 'zero-tolerance',
  leak: 0.01,
  beta: 1e-3,
  errorBound: DEFAULT_ERROR_BOUND,
}

/** The share of v2 is p0, by the sequential 2-SPRT; errors under the default bound. */
export const shareOf = (p0: number): CheckDesign => ({
  kind: 'ratio',
  spec: { p0, ...DEFAULT_SPEC },
  errorBound: DEFAULT_ERROR_BOUND,
})

/** Route tables, log lines, Flagger timelines, convergence gates: no sampling error. */
export const observed = (what: string): CheckDesign => ({ kind: 'deterministic', what })

/** Each canary weight step's share, by the fixed exact test of stated power, at this timing. */
export const canarySteps = (shares: readonly number[], timing: StepTiming): CheckDesign => ({
  kind: 'canary-steps',
  shares,
  spec: CANARY_STEP_SPEC,
  errorBound: DEFAULT_ERROR_BOUND,
  timing,
})

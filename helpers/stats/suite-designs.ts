import { CANARY_STEP_SPEC, type StepTiming } from './canary-steps.js'
import { DEFAULT_ERROR_BOUND } from './error-bound.js'
import type { CheckDesign } from './run-budget.js'
import { DEFAULT_SPEC } from './spec.js'

/**
 * The statistical design of every check of the catalogue, keyed "scenario/check", as the
 * scenarios record them by default (service-entry hermetic, Flagger analysis every 10 s): the
 * data behind the run's false-failure bound and `plan --json`. A test keeps it in step with
 * helpers/catalogue.ts.
 */

const SUITE_ERROR_BOUND = DEFAULT_ERROR_BOUND

/** flagger-canary: analysis interval 10 s (--book-timing: 45 s), settle 2 s, status read every 2 s. */
export const CANARY_TIMING: StepTiming = { stepMs: 10_000, settleMs: 2_000, pollMs: 2_000 }
export const CANARY_SHARES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5]

const only: CheckDesign = { kind: 'zero-tolerance', leak: 0.01, beta: 1e-3, errorBound: SUITE_ERROR_BOUND }
const ratio = (p0: number): CheckDesign => ({
  kind: 'ratio',
  spec: { p0, ...DEFAULT_SPEC },
  errorBound: SUITE_ERROR_BOUND,
})
const fixed = (what: string): CheckDesign => ({ kind: 'deterministic', what })

export const SUITE_CHECK_DESIGNS: Readonly<Record<string, CheckDesign>> = {
  'edge-routing/converged': fixed('convergence gate'),
  'edge-routing/all-ok': only,
  'subset-v1/no-v2': only,
  'edge-header-routing/internal-all-v2': only,
  'edge-header-routing/no-header-all-v1': only,
  'edge-header-routing/other-value-all-v1': only,
  'edge-route-order/header-route-first': fixed('route table'),
  'edge-route-order/reversed-catch-all-first': fixed('route table'),
  'edge-route-order/reversed-shadows-header': only,
  'mesh-routing/no-v2': only,
  'mesh-routing/proxy-log-v1-cluster': fixed('access log'),
  'mesh-header-routing/internal-all-v2': only,
  'mesh-header-routing/no-header-all-v1': only,
  'weighted-shift/share-10': ratio(0.1),
  'weighted-shift/share-50': ratio(0.5),
  'weighted-shift/share-100': only,
  'flagger-canary/weights-monotonic': fixed('Canary timeline'),
  'flagger-canary/phases': fixed('Canary timeline'),
  'flagger-canary/share-per-step': {
    kind: 'canary-steps',
    shares: CANARY_SHARES,
    spec: CANARY_STEP_SPEC,
    errorBound: SUITE_ERROR_BOUND,
    timing: CANARY_TIMING,
  },
  'flagger-canary/all-v2-after': only,
  'flagger-canary/rollback': fixed('Canary timeline'),
  'flagger-canary/primary-v1-after-rollback': only,
  'mirroring/users-see-v1': only,
  'mirroring/v2-receives-mirror': fixed('mirror count (up to 1% lost)'),
  'mirroring/shadow-host': fixed('request log'),
  'egress-registry-only/blackhole-tcp': fixed('access log'),
  'egress-registry-only/users-500': only,
  'egress-registry-only/forum-block-all': fixed('access log'),
  'service-entry/users-200': only,
  'service-entry/forum-se-cluster': fixed('access log'),
}

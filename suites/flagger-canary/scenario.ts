import { stepsFromTimeline } from '../../helpers/flagger/canary.js'
import { defineScenario } from '../../helpers/runner/define.js'
import { CANARY_STEP_SPEC, canaryLoadPlan, type StepTiming } from '../../helpers/stats/canary-steps.js'
import { canarySteps, ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { DEFAULT_ERROR_BOUND } from '../../helpers/stats/error-bound.js'
import {
  canaryEvents,
  INTERVAL_MS,
  initializeCanary,
  intervalMsOf,
  STATUS_POLL_MS,
  timelineBounds,
  watchRevision,
} from '../flagger.js'
import { labNames } from '../shared.js'

/** Responses this soon after a weight change still see the old weights (propagation). */
const SETTLE_MS = 2_000
/** The weights each step holds, and how the steps are timed and read (default timing). */
const STEP_SHARES = [0.1, 0.2, 0.3, 0.4, 0.5]
const STEP_TIMING: StepTiming = { stepMs: INTERVAL_MS.default, settleMs: SETTLE_MS, pollMs: STATUS_POLL_MS }

/**
 * 5.3.1 Automated canary with Flagger, the promotion the book shows. As the lab does: remove
 * catalog's VS, DR, Service and catalog-v2, keep Deployment catalog (v1), apply Canary
 * catalog-release and wait until it is Initialized. Under steady load through webapp, the v2
 * pod spec must progress by 10% steps to 50%, be promoted, and serve every request. (A failing
 * revision's rollback is flagger-rollback, in a namespace of its own: nothing has failed in this
 * one, so no earlier errors can count against v2 in Prometheus' window.)
 */
export const scenario = defineScenario({
  id: 'flagger-canary',
  title: 'Automate a canary release with Flagger',
  section: '5.3.1',
  observation: 'canaryWeight rises 10..50, phases reach Succeeded, then every response is v2',
  manifests: {
    // Flagger creates Service catalog (and catalog-primary, catalog-canary) itself: the
    // body leaves catalog.yaml's Service out.
    'catalog-v1-behind-webapp': ['apps/catalog.yaml', 'apps/webapp.yaml', 'ch5/coolstore-gateway.yaml'],
    canary: ['ch5/catalog-canary.yaml'],
    'v2-revision': ['ch5/catalog-deployment-v2.yaml'],
  },
  checks: {
    'weights-monotonic': {
      proves: 'canaryWeight rises by stepWeight to maxWeight without going back',
      hint: 'Flagger advances stepWeight per successful analysis; a stall or a step back usually means failing metrics (check Prometheus is scraping the mesh and the load reached webapp): `kubectl get canary catalog-release -n istioinaction -w` shows each weight, `kubectl logs -n istio-system deploy/flagger` why it halted.',
      design: observed('Canary timeline'),
    },
    phases: {
      proves: 'phases go Progressing, Promoting, Finalising, Succeeded',
      hint: "See the Canary's events (`kubectl describe canary catalog-release -n istioinaction`) and Flagger's log (`kubectl logs -n istio-system deploy/flagger`).",
      design: observed('Canary timeline'),
    },
    'share-per-step': {
      proves: 'the observed v2 share at each step is consistent with the weight',
      hint: "The observed share at each step should follow canaryWeight; a large gap means the Flagger VirtualService (match sourceLabels app: webapp) is not what routes webapp's calls (`kubectl get virtualservice catalog -n istioinaction -o yaml`, `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
      design: canarySteps(STEP_SHARES, STEP_TIMING),
    },
    'all-v2-after': {
      proves: 'after promotion every response is v2',
      hint: 'After Succeeded the primary runs the new spec; v1 responses mean the promotion did not copy the spec or the primary pods did not roll (`kubectl get deploy catalog-primary -n istioinaction -o yaml`).',
      design: ONLY_ONE_VERSION,
    },
  },
  // Flagger routes by itself. Its ticks: Initializing, Initialized; the good revision's 9
  // statuses (helpers/testing/flagger-golden, Flagger 1.36.1's scheduler: initialize.json and
  // success.json). Flagger waits for its own rollouts (the primary, the promoted primary)
  // within those ticks.
  waits: { routeChanges: 0, flaggerIntervals: 11 },
  without: ['Deployment/catalog-v2', 'Service/catalog'],
  // The body's rate at the default timing; the book's longer steps need less (66/s).
  loadRps: canaryLoadPlan(STEP_TIMING, STEP_SHARES).rate,
  async run(lab, options) {
    const { WEBAPP_CATALOG } = labNames(lab.namespace)
    const intervalMs = intervalMsOf(options)
    const timing: StepTiming = { stepMs: intervalMs, settleMs: SETTLE_MS, pollMs: STATUS_POLL_MS }
    // The rate that gives every step the responses its exact test needs (alpha 1e-6, miss 1e-3).
    const plan = canaryLoadPlan(timing, STEP_SHARES)
    await initializeCanary(lab, intervalMs)
    const load = lab.startLoad(WEBAPP_CATALOG, plan.rate)

    // The good revision: v2's pod spec.
    const since = lab.openLogWindow().since
    await lab.apply('v2-revision')
    const good = await watchRevision(lab, intervalMs, STATUS_POLL_MS)
    const timeline = {
      kind: 'canary-timeline' as const,
      expectFinal: 'Succeeded' as const,
      ...timelineBounds(intervalMs),
      samples: good.samples,
      events: await canaryEvents(lab, since),
    }
    lab.record('weights-monotonic', { ...timeline, aspect: 'weights' })
    lab.record('phases', { ...timeline, aspect: 'phases' })
    const records = await load.stop()
    lab.record('share-per-step', {
      kind: 'canary-steps',
      design: 'fixed-exact-v2',
      ...CANARY_STEP_SPEC,
      settleMs: SETTLE_MS,
      errorBound: DEFAULT_ERROR_BOUND,
      steps: stepsFromTimeline(good.samples, records, SETTLE_MS),
      ...(records.evidence ? { load: records.evidence } : {}),
    })
    await lab.expectOnly('all-v2-after', WEBAPP_CATALOG, 'v2')
  },
})

import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { canaryEvents, initializeCanary, intervalMsOf, timelineBounds, watchRevision } from '../flagger.js'
import { labNames } from '../shared.js'

/**
 * The load through webapp while the failing revision is analysed, in requests per second. It
 * serves Flagger's analysis only (no check here measures a share), so it is far below the
 * 161/s flagger-canary's step tests need. Flagger's request-success-rate query
 * (fluxcd/flagger v1.36.1 pkg/metrics/observers/istio.go) is
 * sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace=<the
 * Canary's>, destination_workload=~"catalog", response_code!~"5.*"}[1m])) / the same without the
 * response_code filter * 100, judged against min 99;
 * Prometheus scrapes every 15 s, so a 1m range holds 4 scrapes and rate() sees the
 * increase over the 45 s between the first and the last. The revision under analysis, the
 * canary, gets stepWeight = 10% of webapp's calls (a failing one never leaves weight 10):
 * - the query has a value only if the canary's counters rose within those 45 s: without one,
 *   Flagger records "no values found", a failed check a revision that answers nothing at all
 *   earns too. At 25/s the canary gets 2.5/s, about 37 calls per 15 s scrape interval; none in
 *   one interval has probability 0.9^375 < 1e-17, so a revision that answers correctly is
 *   judged on its success rate at every analysis, and `rollback` fails it (it ends Succeeded).
 * - threshold 99 bounds the canary's errors at 1%: with at least 100 of its calls in the 45 s
 *   (2.5/s x 45 s = 112) that bound is at least one whole request, so the rate Flagger judges
 *   can say "1% errors" and not only "none" or "some".
 * A revision that answers only 500s has no series with a code outside 5xx, so for it the
 * numerator selects nothing and real Flagger reports "no values found" rather than "success
 * rate 0.00% < 99%" (the Flagger goldens script 0%); either way each analysis is a failed check.
 */
const ROLLBACK_LOAD_RPS = 25

/**
 * 5.3.1 Flagger rolls back a canary that fails its analysis. As the lab does: remove catalog's
 * VS, DR, Service and catalog-v2, keep Deployment catalog (v1), apply Canary catalog-release
 * and wait until it is Initialized. Under load through webapp, a revision that answers errors
 * must be rolled back, with the primary still serving v1.
 */
export const scenario = defineScenario({
  id: 'flagger-rollback',
  title: 'Roll back a failing canary release with Flagger',
  section: '5.3.1',
  observation:
    'a revision answering 500s holds canaryWeight 10, ends Failed, then every response is still v1',
  manifests: {
    // Flagger creates Service catalog (and catalog-primary, catalog-canary) itself: the
    // body leaves catalog.yaml's Service out.
    'catalog-v1-behind-webapp': ['apps/catalog.yaml', 'apps/webapp.yaml', 'ch5/coolstore-gateway.yaml'],
    canary: ['ch5/catalog-canary.yaml'],
    'failing-revision': ['ch5/catalog-deployment-failing.yaml'],
  },
  checks: {
    rollback: {
      proves: 'a revision that answers errors is analysed and ends Failed',
      hint: 'A revision answering 500s must fail the request-success-rate check 5 times (threshold) and end Failed; if it succeeded, Flagger is not reading Istio metrics from Prometheus (`kubectl describe canary catalog-release -n istioinaction`, `kubectl logs -n istio-system deploy/flagger`).',
      design: observed('Canary timeline'),
    },
    'primary-v1-after-rollback': {
      proves: 'after the rollback every response is still v1',
      hint: 'After a rollback the primary must keep serving the old version; v2 or errors mean traffic was not routed back to catalog-primary (`kubectl get virtualservice catalog -n istioinaction -o yaml` shows the weights Flagger left).',
      design: ONLY_ONE_VERSION,
    },
  },
  // Flagger routes by itself. Its ticks: Initializing, Initialized; the failing revision's 8
  // statuses (helpers/testing/flagger-golden, Flagger 1.36.1's scheduler: initialize.json and
  // rollback.json). No wait for Prometheus' window: no revision is analysed after this one.
  waits: { routeChanges: 0, flaggerIntervals: 10 },
  without: ['Deployment/catalog-v2', 'Service/catalog'],
  loadRps: ROLLBACK_LOAD_RPS,
  async run(lab, options) {
    const { WEBAPP_CATALOG } = labNames(lab.namespace)
    const intervalMs = intervalMsOf(options)
    await initializeCanary(lab, intervalMs)
    const load = lab.startLoad(WEBAPP_CATALOG, ROLLBACK_LOAD_RPS)

    const since = lab.openLogWindow().since
    await lab.apply('failing-revision')
    const bad = await watchRevision(lab, intervalMs, 2_000)
    lab.record('rollback', {
      kind: 'canary-timeline',
      aspect: 'final',
      expectFinal: 'Failed',
      ...timelineBounds(intervalMs),
      samples: bad.samples,
      events: await canaryEvents(lab, since),
    })
    // Flagger's analysis is over: the check below sends its own requests.
    await load.stop()
    await lab.expectOnly('primary-v1-after-rollback', WEBAPP_CATALOG, 'v1')
  },
})

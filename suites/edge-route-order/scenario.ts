import { expectedBehaviour, UNREACHABLE_RULE_WARNING } from '../../helpers/istio-behaviour.js'
import { defineScenario } from '../../helpers/runner/define.js'
import type { Lab } from '../../helpers/runner/lab.js'
import { ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { EDGE_WITH_SUBSETS, labNames, withCohort } from '../shared.js'

type Check = 'header-route-first' | 'reversed-catch-all-first' | 'reversed-shadows-header'

/** The gateway's route table for catalog.istioinaction.io, judged for the expected order. */
async function routeOrder(lab: Lab<Check>, check: Check, expectHeaderFirst: boolean): Promise<void> {
  const { EDGE_ROUTES, V1_CLUSTER, V2_CLUSTER } = labNames(lab.namespace)
  await lab.observe(check, async () => {
    const { pod, routes } = await lab.cluster.fetchRoutes(EDGE_ROUTES)
    const warning = expectedBehaviour(UNREACHABLE_RULE_WARNING, await lab.cluster.istioVersion(lab.namespace))
    return {
      kind: 'route-order',
      pod,
      routeName: EDGE_ROUTES.routeName,
      virtualHost: EDGE_ROUTES.virtualHost,
      header: { name: 'x-istio-cohort', exact: 'internal' },
      headerCluster: V2_CLUSTER,
      catchAllCluster: V1_CLUSTER,
      expectHeaderFirst,
      routes,
      ...(expectHeaderFirst
        ? {}
        : {
            admissionWarnings: [...lab.admissionWarnings],
            ...(warning ? { expectedWarning: warning.value } : {}),
          }),
    }
  })
}

/**
 * 5.2 Why order matters: Envoy takes the first route that matches. With the header rule first
 * the gateway's http.8080 table lists it before the catch-all. With the rules reversed, istiod
 * stops translating the VirtualService at the match-less rule (pilot route.go,
 * BuildHTTPRoutesForVirtualService, every version from 1.17.8 to master): the table holds only
 * the catch-all, and the header never reaches v2. Istio's webhook warns about the dropped rule
 * from 1.27 on; that warning is part of the evidence.
 */
export const scenario = defineScenario({
  id: 'edge-route-order',
  title: 'Show why route order matters in the gateway route table',
  section: '5.2.5',
  observation: 'the header-match route to the v2 subset precedes the catch-all to v1 in route http.8080',
  manifests: {
    'v1-and-v2-at-the-edge': EDGE_WITH_SUBSETS,
    'header-rule-first': ['ch5/edge-vs-catalog-cohort.yaml'],
    'catch-all-first': ['ch5/edge-vs-catalog-cohort-reversed.yaml'],
  },
  checks: {
    'header-route-first': {
      proves: 'the header route to version-v2 precedes the catch-all to version-v1',
      hint: "Envoy uses the first matching route: the rule with the header match must be listed before the catch-all in the VirtualService's http list; `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` lists the routes in the order Envoy tries them.",
      design: observed('route table'),
    },
    'reversed-catch-all-first': {
      proves:
        'with the rules reversed no route the header can reach precedes the catch-all (istiod drops the rule after it)',
      hint: "With the rules reversed istiod translates only the catch-all into the gateway's http.8080 table (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`); a header route before it means the reversed VirtualService was not applied or not yet pushed. `istioctl analyze -n istioinaction` reports the dropped rule as IST0130.",
      design: observed('route table'),
    },
    'reversed-shadows-header': {
      proves: 'with the rules reversed the header no longer reaches v2',
      hint: 'With the catch-all first, even x-istio-cohort: internal must land on v1; a v2 means the old route table is still in place (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`, and `istioctl proxy-status` for a stale push).',
      design: ONLY_ONE_VERSION,
    },
  },
  waits: { routeChanges: 2 },
  async run(lab) {
    const { EDGE_CATALOG, edgeRoutesTo, V1_CLUSTER } = labNames(lab.namespace)
    const INTERNAL = withCohort(EDGE_CATALOG, 'internal')
    await lab.apply('v1-and-v2-at-the-edge')
    await lab.apply('header-rule-first')
    // The header reaching v2 shows the gateway has the new table before it is read.
    if (await lab.awaitConverged('header-route-first', INTERNAL, 'v2'))
      await routeOrder(lab, 'header-route-first', true)

    await lab.apply('catch-all-first')
    if (await lab.awaitConverged('reversed-catch-all-first', INTERNAL, 'v1')) {
      await routeOrder(lab, 'reversed-catch-all-first', false)
      await lab.expectOnly('reversed-shadows-header', INTERNAL, 'v1', {
        gated: true,
        routes: edgeRoutesTo(INTERNAL, V1_CLUSTER),
      })
    }
  },
})

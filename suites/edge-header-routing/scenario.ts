import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION } from '../../helpers/stats/check-designs.js'
import { EDGE_WITH_SUBSETS, labNames, withCohort } from '../shared.js'

/**
 * 5.2 Dark launch at the edge: requests with x-istio-cohort: internal go to v2, everyone else
 * (no header, or another value) stays on v1.
 */
export const scenario = defineScenario({
  id: 'edge-header-routing',
  title: 'Dark-launch catalog v2 at the edge with the x-istio-cohort header',
  section: '5.2.5',
  observation: 'x-istio-cohort: internal reaches only v2; no header or another value reaches only v1',
  manifests: {
    'v1-and-v2-at-the-edge': EDGE_WITH_SUBSETS,
    'cohort-to-v2': ['ch5/edge-vs-catalog-cohort.yaml'],
  },
  checks: {
    'internal-all-v2': {
      proves: 'with x-istio-cohort: internal every response is v2',
      hint: "The header rule must come first in the VirtualService and match x-istio-cohort exactly 'internal'; check the subset name version-v2 exists in DestinationRule catalog (`kubectl get destinationrule catalog -n istioinaction -o yaml`) and that the gateway holds the header route (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`).",
      design: ONLY_ONE_VERSION,
    },
    'no-header-all-v1': {
      proves: 'without the header every response is v1',
      hint: 'Requests without the header must fall through to the catch-all route to version-v1; a v2 here means the catch-all points at the wrong subset (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` shows where it points).',
      design: ONLY_ONE_VERSION,
    },
    'other-value-all-v1': {
      proves: 'with x-istio-cohort: external every response is v1',
      hint: "Only the exact value 'internal' may reach v2; a prefix or regex match would also let other values through (`istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` shows the header matcher: exact, not prefix or safe_regex).",
      design: ONLY_ONE_VERSION,
    },
  },
  waits: { routeChanges: 1 },
  async run(lab) {
    const { EDGE_CATALOG, edgeRoutesTo, V1_CLUSTER, V2_CLUSTER } = labNames(lab.namespace)
    await lab.apply('v1-and-v2-at-the-edge')
    await lab.apply('cohort-to-v2')
    const internal = withCohort(EDGE_CATALOG, 'internal')
    const external = withCohort(EDGE_CATALOG, 'external')
    await lab.expectOnly('internal-all-v2', internal, 'v2', { routes: edgeRoutesTo(internal, V2_CLUSTER) })
    await lab.expectOnly('no-header-all-v1', EDGE_CATALOG, 'v1', {
      routes: edgeRoutesTo(EDGE_CATALOG, V1_CLUSTER),
    })
    await lab.expectOnly('other-value-all-v1', external, 'v1', { routes: edgeRoutesTo(external, V1_CLUSTER) })
  },
})

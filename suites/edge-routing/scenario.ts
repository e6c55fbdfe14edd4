import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION, observed } from '../../helpers/stats/check-designs.js'
import { labNames } from '../shared.js'

/**
 * 5.2 Expose catalog through the ingress gateway: a Gateway for catalog.istioinaction.io and a
 * VirtualService that routes it to the catalog service. GET /items must answer 200 from catalog.
 */
export const scenario = defineScenario({
  id: 'edge-routing',
  title: 'Route edge traffic to catalog through the ingress gateway',
  section: '5.2.2',
  observation: 'GET /items with Host catalog.istioinaction.io on node port 30000 answers 200 from catalog',
  manifests: {
    'catalog-at-the-edge': ['apps/catalog.yaml', 'ch5/edge-gateway.yaml', 'ch5/edge-vs-catalog.yaml'],
  },
  checks: {
    converged: {
      proves: 'the route is programmed: 3 consecutive 200s from catalog',
      hint: "Is the Gateway's selector (istio: ingressgateway) matching the gateway pods, and the VirtualService bound to catalog-gateway for host catalog.istioinaction.io? See `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json`.",
      design: observed('convergence gate'),
    },
    'all-ok': {
      proves:
        'every response after convergence is a catalog item list; errors within the bound every check has (rate <= 0.1%)',
      hint: "Errors after the route worked: look for 503s with flags UH/UF in the gateway's access log (`kubectl logs -n istio-system deploy/istio-ingressgateway`) and for catalog pods restarting.",
      design: ONLY_ONE_VERSION,
    },
  },
  waits: { routeChanges: 1 },
  without: ['Deployment/catalog-v2'],
  async run(lab) {
    const { CATALOG_CLUSTER, CATALOG_V2, EDGE_CATALOG, edgeRoutesTo } = labNames(lab.namespace)
    await lab.absent(CATALOG_V2)
    await lab.apply('catalog-at-the-edge')
    if (await lab.awaitConverged('converged', EDGE_CATALOG, 'v1', { record: true })) {
      // Errors have the same bound as every check: allowing none at all failed 6.6% of runs
      // at a healthy mesh's background error rate of 1e-4 (helpers/stats/run-budget.ts).
      await lab.expectOnly('all-ok', EDGE_CATALOG, 'v1', {
        gated: true,
        routes: edgeRoutesTo(EDGE_CATALOG, CATALOG_CLUSTER),
      })
    }
  },
})

import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION } from '../../helpers/stats/check-designs.js'
import { EDGE_WITH_SUBSETS, labNames } from '../shared.js'

/**
 * 5.2 Deploy catalog v2 beside v1, then pin every edge request to the version-v1 subset:
 * no response may carry imageUrl.
 */
export const scenario = defineScenario({
  id: 'subset-v1',
  title: 'Pin all edge traffic to catalog v1 with a DestinationRule subset',
  section: '5.2.4',
  observation: 'with catalog v2 running, zero responses carry imageUrl',
  manifests: {
    'v1-and-v2-at-the-edge': EDGE_WITH_SUBSETS,
    'all-to-v1': ['ch5/edge-vs-catalog-v1.yaml'],
  },
  checks: {
    'no-v2': {
      proves: 'zero imageUrl responses (sized to catch a 1% leak, miss <= 1e-3)',
      hint: "A v2 response means the VirtualService does not pin subset version-v1, or the DestinationRule's version-v1 subset labels also select v2 pods: `istioctl proxy-config routes deploy/istio-ingressgateway -n istio-system --name http.8080 -o json` shows the cluster the gateway uses, `kubectl get pods -n istioinaction -l app=catalog,version=v1 --show-labels` the pods the subset selects.",
      design: ONLY_ONE_VERSION,
    },
  },
  waits: { routeChanges: 1 },
  async run(lab) {
    const { EDGE_CATALOG, edgeRoutesTo, V1_CLUSTER } = labNames(lab.namespace)
    await lab.apply('v1-and-v2-at-the-edge')
    await lab.apply('all-to-v1')
    await lab.expectOnly('no-v2', EDGE_CATALOG, 'v1', { routes: edgeRoutesTo(EDGE_CATALOG, V1_CLUSTER) })
  },
})

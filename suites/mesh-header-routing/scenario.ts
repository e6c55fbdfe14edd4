import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION } from '../../helpers/stats/check-designs.js'
import { labNames, MESH_WITH_SUBSETS, withCohort } from '../shared.js'

/**
 * 5.2 Routing deep in the call graph: webapp forwards every x- header to catalog, so the
 * x-istio-cohort rule on VirtualService catalog (gateway "mesh") applies to its calls.
 */
export const scenario = defineScenario({
  id: 'mesh-header-routing',
  title: 'Route on a header deep in the call graph',
  section: '5.2.6',
  observation: 'x-istio-cohort travels through webapp: with it all v2, without it all v1',
  manifests: {
    'v1-and-v2-behind-webapp': MESH_WITH_SUBSETS,
    'cohort-to-v2': ['ch5/mesh-vs-catalog-cohort.yaml'],
  },
  checks: {
    'internal-all-v2': {
      proves: 'with x-istio-cohort: internal every response is v2',
      hint: "webapp forwards x- headers to catalog; the rule lives on VirtualService catalog (gateway mesh), not on the edge VirtualService: `istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json` must show the x-istio-cohort route in webapp's sidecar.",
      design: ONLY_ONE_VERSION,
    },
    'no-header-all-v1': {
      proves: 'without the header every response is v1',
      hint: "Without the header, webapp's calls must hit the catch-all route to version-v1 of VirtualService catalog (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
      design: ONLY_ONE_VERSION,
    },
  },
  waits: { routeChanges: 1 },
  async run(lab) {
    const { meshRoutesTo, V1_CLUSTER, V2_CLUSTER, WEBAPP_CATALOG } = labNames(lab.namespace)
    await lab.apply('v1-and-v2-behind-webapp')
    await lab.apply('cohort-to-v2')
    const internal = withCohort(WEBAPP_CATALOG, 'internal')
    await lab.expectOnly('internal-all-v2', internal, 'v2', { routes: meshRoutesTo(internal, V2_CLUSTER) })
    await lab.expectOnly('no-header-all-v1', WEBAPP_CATALOG, 'v1', {
      routes: meshRoutesTo(WEBAPP_CATALOG, V1_CLUSTER),
    })
  },
})

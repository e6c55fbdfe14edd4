import { defineScenario } from '../../helpers/runner/scenario.js'
import { MESH_WITH_SUBSETS, WEBAPP_CATALOG, withCohort } from '../shared.js'

/**
 * 5.2 Routing deep in the call graph: webapp forwards every x- header to catalog, so the
 * x-istio-cohort rule on VirtualService catalog (gateway "mesh") applies to its calls.
 */
export const scenario = defineScenario({
  id: 'mesh-header-routing',
  async run(lab) {
    await lab.apply(...MESH_WITH_SUBSETS, 'ch5/mesh-vs-catalog-cohort.yaml')
    await lab.expectOnly('internal-all-v2', withCohort(WEBAPP_CATALOG, 'internal'), 'v2')
    await lab.expectOnly('no-header-all-v1', WEBAPP_CATALOG, 'v1')
  },
})

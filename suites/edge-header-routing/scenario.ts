import { defineScenario } from '../../helpers/runner/scenario.js'
import { EDGE_CATALOG, EDGE_WITH_SUBSETS, withCohort } from '../shared.js'

/**
 * 5.2 Dark launch at the edge: requests with x-istio-cohort: internal go to v2, everyone else
 * (no header, or another value) stays on v1.
 */
export const scenario = defineScenario({
  id: 'edge-header-routing',
  async run(lab) {
    await lab.apply(...EDGE_WITH_SUBSETS, 'ch5/edge-vs-catalog-cohort.yaml')
    await lab.expectOnly('internal-all-v2', withCohort(EDGE_CATALOG, 'internal'), 'v2')
    await lab.expectOnly('no-header-all-v1', EDGE_CATALOG, 'v1')
    await lab.expectOnly('other-value-all-v1', withCohort(EDGE_CATALOG, 'external'), 'v1')
  },
})

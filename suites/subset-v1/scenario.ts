import { defineScenario } from '../../helpers/runner/scenario.js'
import { EDGE_CATALOG, EDGE_WITH_SUBSETS } from '../shared.js'

/**
 * 5.2 Deploy catalog v2 beside v1, then pin every edge request to the version-v1 subset:
 * no response may carry imageUrl.
 */
export const scenario = defineScenario({
  id: 'subset-v1',
  async run(lab) {
    await lab.apply(...EDGE_WITH_SUBSETS, 'ch5/edge-vs-catalog-v1.yaml')
    await lab.expectOnly('no-v2', EDGE_CATALOG, 'v1')
  },
})

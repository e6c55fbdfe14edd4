import { defineScenario } from '../../helpers/runner/scenario.js'
import { EDGE_CATALOG } from '../shared.js'

/**
 * 5.2 Deploy catalog v2 beside v1, then pin every edge request to the version-v1 subset:
 * no response may carry imageUrl.
 */
export const scenario = defineScenario({
  id: 'subset-v1',
  async run(lab) {
    await lab.apply(
      'apps/catalog.yaml',
      'apps/catalog-v2.yaml',
      'ch5/edge-gateway.yaml',
      'ch5/catalog-dr.yaml',
      'ch5/edge-vs-catalog-v1.yaml',
    )
    await lab.expectOnly('no-v2', EDGE_CATALOG, 'v1')
  },
})

import { defineScenario } from '../../helpers/runner/scenario.js'
import { CATALOG_V2, EDGE_CATALOG } from '../shared.js'

/**
 * 5.2 Expose catalog through the ingress gateway: a Gateway for catalog.istioinaction.io and a
 * VirtualService that routes it to the catalog service. GET /items must answer 200 from catalog.
 */
export const scenario = defineScenario({
  id: 'edge-routing',
  async run(lab) {
    await lab.absent(CATALOG_V2)
    await lab.apply('apps/catalog.yaml', 'ch5/edge-gateway.yaml', 'ch5/edge-vs-catalog.yaml')
    if (await lab.awaitConverged('converged', EDGE_CATALOG, 'v1', true)) {
      // The chapter's observation is exactly "answers 200": no error is allowed here.
      await lab.expectOnly('all-ok', EDGE_CATALOG, 'v1', {
        alreadyConverged: true,
        errorBound: { maxRate: 0, alpha: 1e-6 },
      })
    }
  },
})

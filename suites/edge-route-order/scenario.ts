import type { Lab } from '../../helpers/runner/lab.js'
import { defineScenario } from '../../helpers/runner/scenario.js'
import {
  EDGE_CATALOG,
  EDGE_ROUTES,
  EDGE_WITH_SUBSETS,
  V1_CLUSTER,
  V2_CLUSTER,
  withCohort,
} from '../shared.js'

const INTERNAL = withCohort(EDGE_CATALOG, 'internal')

/** The gateway's route table for catalog.istioinaction.io, judged for the expected order. */
async function routeOrder(lab: Lab, check: string, expectHeaderFirst: boolean): Promise<void> {
  await lab.observe(check, async () => {
    const { pod, routes } = await lab.cluster.fetchRoutes(EDGE_ROUTES)
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
    }
  })
}

/**
 * 5.2 Why order matters: Envoy takes the first route that matches. With the header rule first
 * the gateway's http.8080 table lists it before the catch-all; with the rules reversed the
 * catch-all comes first and the header never reaches v2.
 */
export const scenario = defineScenario({
  id: 'edge-route-order',
  async run(lab) {
    await lab.apply(...EDGE_WITH_SUBSETS, 'ch5/edge-vs-catalog-cohort.yaml')
    // The header reaching v2 shows the gateway has the new table before it is read.
    if (await lab.awaitConverged('header-route-first', INTERNAL, 'v2'))
      await routeOrder(lab, 'header-route-first', true)

    await lab.apply('ch5/edge-vs-catalog-cohort-reversed.yaml')
    if (await lab.awaitConverged('reversed-catch-all-first', INTERNAL, 'v1')) {
      await routeOrder(lab, 'reversed-catch-all-first', false)
      await lab.expectOnly('reversed-shadows-header', INTERNAL, 'v1', { alreadyConverged: true })
    }
  },
})

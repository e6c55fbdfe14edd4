import { targetClusters } from '../../helpers/routes/inspect.js'
import type { Lab } from '../../helpers/runner/lab.js'
import { defineScenario } from '../../helpers/runner/scenario.js'
import { MESH_WITH_SUBSETS, V1_CLUSTER, V2_CLUSTER, WEBAPP_CATALOG, WEBAPP_ROUTES } from '../shared.js'

/**
 * The route-table gate for a weight change: webapp's sidecar must route to v1 and v2 with
 * exactly these weights before the share is measured (K consecutive responses cannot tell
 * 90/10 from 50/50). On timeout the check is recorded as unobserved with the last table seen.
 */
async function weightsProgrammed(lab: Lab, check: string, v1: number, v2: number): Promise<boolean> {
  try {
    await lab.poll(
      `webapp's route to catalog weighted ${v1}/${v2}`,
      async () => {
        const { routes } = await lab.cluster.fetchRoutes(WEBAPP_ROUTES)
        const route = routes.find((r) => r.match.headers.length === 0)
        const weights =
          route?.target.kind === 'weighted'
            ? route.target.clusters
            : route
              ? targetClusters(route).map((name) => ({ name, weight: 100 }))
              : []
        const weightOf = (cluster: string) => weights.find((c) => c.name === cluster)?.weight ?? 0
        const done = weightOf(V1_CLUSTER) === v1 && weightOf(V2_CLUSTER) === v2
        return done
          ? { done: true, value: true }
          : {
              done: false,
              state: weights.map((c) => `${c.name}=${c.weight}`).join(', ') || 'no catch-all route',
            }
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    )
    return true
  } catch (error) {
    lab.record(check, { kind: 'unobserved', reason: error instanceof Error ? error.message : String(error) })
    return false
  }
}

/**
 * 5.3 Traffic shifting: VirtualService catalog moves webapp's calls from v1 to v2 by weight,
 * 90/10, then 50/50, then 0/100. Each split is judged by the sequential exact test.
 */
export const scenario = defineScenario({
  id: 'weighted-shift',
  async run(lab) {
    await lab.apply(...MESH_WITH_SUBSETS)
    await lab.apply('ch5/mesh-vs-catalog-90-10.yaml')
    if (await weightsProgrammed(lab, 'share-10', 90, 10))
      await lab.expectShare('share-10', WEBAPP_CATALOG, 0.1)
    await lab.apply('ch5/mesh-vs-catalog-50-50.yaml')
    if (await weightsProgrammed(lab, 'share-50', 50, 50))
      await lab.expectShare('share-50', WEBAPP_CATALOG, 0.5)
    await lab.apply('ch5/mesh-vs-catalog-0-100.yaml')
    if (await weightsProgrammed(lab, 'share-100', 0, 100))
      await lab.expectOnly('share-100', WEBAPP_CATALOG, 'v2')
  },
})

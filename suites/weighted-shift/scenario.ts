import type { PollResult } from '../../helpers/poll.js'
import { type RouteView, targetClusters } from '../../helpers/routes/inspect.js'
import { defineScenario } from '../../helpers/runner/define.js'
import { ONLY_ONE_VERSION, shareOf } from '../../helpers/stats/check-designs.js'
import { type LabNames, labNames, MESH_WITH_SUBSETS } from '../shared.js'

/**
 * The route-table gate for a weight change: webapp's sidecar must route to v1 and v2 with
 * exactly these weights before the share is measured (K consecutive responses cannot tell
 * 90/10 from 50/50).
 */
const weighted =
  ({ V1_CLUSTER, V2_CLUSTER }: LabNames, v1: number, v2: number) =>
  (routes: readonly RouteView[]): PollResult<true> => {
    const route = routes.find((r) => r.match.headers.length === 0)
    const weights =
      route?.target.kind === 'weighted'
        ? route.target.clusters
        : route
          ? targetClusters(route).map((name) => ({ name, weight: 100 }))
          : []
    const weightOf = (cluster: string) => weights.find((c) => c.name === cluster)?.weight ?? 0
    return weightOf(V1_CLUSTER) === v1 && weightOf(V2_CLUSTER) === v2
      ? { done: true, value: true }
      : { done: false, state: weights.map((c) => `${c.name}=${c.weight}`).join(', ') || 'no catch-all route' }
  }

/**
 * 5.3 Traffic shifting: VirtualService catalog moves webapp's calls from v1 to v2 by weight,
 * 90/10, then 50/50, then 0/100. Each split is judged by the sequential exact test once
 * webapp's sidecar holds the weights.
 */
export const scenario = defineScenario({
  id: 'weighted-shift',
  title: 'Shift traffic by weight: 90/10, 50/50, 0/100',
  section: '5.3',
  observation: 'the v2 share of /api/catalog matches each weight',
  manifests: {
    'v1-and-v2-behind-webapp': MESH_WITH_SUBSETS,
    '90-10': ['ch5/mesh-vs-catalog-90-10.yaml'],
    '50-50': ['ch5/mesh-vs-catalog-50-50.yaml'],
    '0-100': ['ch5/mesh-vs-catalog-0-100.yaml'],
  },
  checks: {
    'share-10': {
      proves: 'v2 share consistent with 10% (sequential exact binomial test)',
      hint: "Compare the VirtualService weights (90/10) with webapp's sidecar route (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`); a share far off usually means an old route or a missing subset.",
      design: shareOf(0.1),
    },
    'share-50': {
      proves: 'v2 share consistent with 50% (sequential exact binomial test)',
      hint: "As for 90/10: the sidecar's weighted clusters must read 50/50 for version-v1 and version-v2 (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`).",
      design: shareOf(0.5),
    },
    'share-100': {
      proves: 'every response is v2',
      hint: "With weight 0 for v1 every call must reach v2; a v1 response means the weights were not pushed to webapp's sidecar (`istioctl proxy-config routes deploy/webapp -n istioinaction --name 80 -o json`, `istioctl proxy-status`).",
      design: ONLY_ONE_VERSION,
    },
  },
  waits: { routeChanges: 3 },
  async run(lab) {
    const names = labNames(lab.namespace)
    const { WEBAPP_CATALOG, WEBAPP_ROUTES } = names
    await lab.apply('v1-and-v2-behind-webapp')
    await lab.apply('90-10')
    if (
      await lab.awaitRoutes(
        'share-10',
        WEBAPP_ROUTES,
        "webapp's route to catalog weighted 90/10",
        weighted(names, 90, 10),
      )
    )
      await lab.expectShare('share-10', WEBAPP_CATALOG, 0.1)
    await lab.apply('50-50')
    if (
      await lab.awaitRoutes(
        'share-50',
        WEBAPP_ROUTES,
        "webapp's route to catalog weighted 50/50",
        weighted(names, 50, 50),
      )
    )
      await lab.expectShare('share-50', WEBAPP_CATALOG, 0.5)
    await lab.apply('0-100')
    if (
      await lab.awaitRoutes(
        'share-100',
        WEBAPP_ROUTES,
        "webapp's route to catalog weighted 0/100",
        weighted(names, 0, 100),
      )
    )
      await lab.expectOnly('share-100', WEBAPP_CATALOG, 'v2')
  },
})

import { outboundCluster, type RouteView } from '../routes/inspect.js'

/** webapp's sidecar clusters for catalog's two subsets, as Istio names them. */
export const CATALOG_V1 = outboundCluster(80, 'version-v1', 'catalog.istioinaction.svc.cluster.local')
export const CATALOG_V2 = outboundCluster(80, 'version-v2', 'catalog.istioinaction.svc.cluster.local')

/** The book's header rule: x-istio-cohort: internal to v2, first in the table. */
export const HEADER_TO_V2: RouteView = {
  index: 0,
  match: { prefix: '/', headers: [{ name: 'x-istio-cohort', exact: 'internal' }] },
  target: { kind: 'cluster', cluster: CATALOG_V2 },
  mirrors: [],
}

/** The catch-all to v1, second in the table. */
export const CATCH_ALL_TO_V1: RouteView = {
  index: 1,
  match: { prefix: '/', headers: [] },
  target: { kind: 'cluster', cluster: CATALOG_V1 },
  mirrors: [],
}

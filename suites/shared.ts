import type { Probe } from '../helpers/http/sampler.js'
import type { ObjectRef } from '../helpers/kube/client.js'
import { outboundCluster } from '../helpers/routes/inspect.js'
import type { RouteGate } from '../helpers/runner/lab.js'

/** What the scenarios apply, send and look at. Facts: shared/reference/ch5-lab.md. */

/** catalog v1 and v2 side by side. */
export const CATALOG_V1_V2 = ['apps/catalog.yaml', 'apps/catalog-v2.yaml'] as const
/** Both versions at the edge, with their subsets. */
export const EDGE_WITH_SUBSETS = [...CATALOG_V1_V2, 'ch5/edge-gateway.yaml', 'ch5/catalog-dr.yaml'] as const
/** Both versions behind webapp, with their subsets. */
export const MESH_WITH_SUBSETS = [
  ...CATALOG_V1_V2,
  'apps/webapp.yaml',
  'ch5/coolstore-gateway.yaml',
  'ch5/catalog-dr.yaml',
] as const
/** The apps of the egress scenarios: webapp calls forum, forum calls the outside host. */
export const EGRESS_APPS = [
  'apps/catalog.yaml',
  'apps/webapp.yaml',
  'apps/forum.yaml',
  'ch5/coolstore-gateway.yaml',
] as const

export const NAMESPACE = 'istioinaction'
export const CATALOG_FQDN = 'catalog.istioinaction.svc.cluster.local'

/** catalog at the edge: GET /items with Host catalog.istioinaction.io. */
export const EDGE_CATALOG: Probe = { host: 'catalog.istioinaction.io', path: '/items' }
/** webapp at the edge, which calls catalog inside the mesh. */
export const WEBAPP_CATALOG: Probe = { host: 'webapp.istioinaction.io', path: '/api/catalog' }

export const withCohort = (probe: Probe, value: string): Probe => ({
  ...probe,
  headers: { ...probe.headers, 'x-istio-cohort': value },
})

export const V1_CLUSTER = outboundCluster(80, 'version-v1', CATALOG_FQDN)
export const V2_CLUSTER = outboundCluster(80, 'version-v2', CATALOG_FQDN)

export const CATALOG_V2: ObjectRef = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name: 'catalog-v2',
  namespace: NAMESPACE,
}

/** The ingress gateway's route for port 80 (target port 8080) and the catalog virtual host. */
export const EDGE_ROUTES = {
  namespace: 'istio-system',
  labelSelector: 'app=istio-ingressgateway',
  routeName: 'http.8080',
  virtualHost: 'catalog.istioinaction.io:80',
} as const

/** webapp's sidecar route for outbound port 80 and catalog's virtual host. */
export const WEBAPP_ROUTES = {
  namespace: NAMESPACE,
  labelSelector: 'app=webapp',
  routeName: '80',
  virtualHost: `${CATALOG_FQDN}:80`,
} as const

export const WEBAPP_PROXY_LOGS = {
  namespace: NAMESPACE,
  labelSelector: 'app=webapp',
  container: 'istio-proxy',
} as const

/** forum's users through webapp, judged as "blocked" (500) or "allowed" (200 with users). */
export const USERS_BLOCKED: Probe = {
  host: 'webapp.istioinaction.io',
  path: '/api/users',
  classifier: 'users-blocked',
}
export const USERS_OK: Probe = { host: 'webapp.istioinaction.io', path: '/api/users', classifier: 'users-ok' }
export const BLOCKED_LABELS = { v1: 'blocked (500 error calling Forum service)', v2: 'allowed (200)' }
export const ALLOWED_LABELS = { v1: 'allowed (200 with a list of users)', v2: 'blocked (500)' }

export const OUTSIDE_HOST = 'jsonplaceholder.typicode.com'
export const FORUM_PROXY_LOGS = {
  namespace: NAMESPACE,
  labelSelector: 'app=forum',
  container: 'istio-proxy',
} as const

/** x- headers webapp forwards to catalog (and Authorization): what webapp's sidecar routes on. */
const forwarded = (probe: Probe) =>
  Object.fromEntries(Object.entries(probe.headers ?? {}).filter(([h]) => h.toLowerCase().startsWith('x-')))

/** The gateway's table must send this probe only to `cluster` before it is measured. */
export const edgeRoutesTo = (probe: Probe, cluster: string): RouteGate => ({
  query: EDGE_ROUTES,
  request: { path: probe.path, ...(probe.headers ? { headers: probe.headers } : {}) },
  cluster,
})

/** webapp's sidecar must send its call to catalog (GET /items, x- headers forwarded) only to `cluster`. */
export const meshRoutesTo = (probe: Probe, cluster: string): RouteGate => ({
  query: WEBAPP_ROUTES,
  request: { path: '/items', headers: forwarded(probe) },
  cluster,
})

/** The catalog Service without a subset (edge-routing's VirtualService routes to host catalog). */
export const CATALOG_CLUSTER = outboundCluster(80, '', CATALOG_FQDN)

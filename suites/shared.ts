import type { Probe } from '../helpers/http/sampler.js'
import type { ObjectRef } from '../helpers/kube/client.js'
import { BOOK_NAMESPACE, nameIn } from '../helpers/manifests/namespace.js'
import { outboundCluster } from '../helpers/routes/inspect.js'
import type { BaseLabDefinition } from '../helpers/runner/base-lab.js'
import type { RouteGate } from '../helpers/runner/lab.js'

/** What the scenarios apply, send and look at. Facts: shared/reference/ch5-lab.md. */

/**
 * The apps of chapter 5 (catalog v1 and v2, webapp, forum, with their Services and
 * ServiceAccounts): a serial run applies them once, as its base lab (helpers/runner/base-lab.ts).
 */
export const BASE_LAB: BaseLabDefinition = {
  files: ['apps/catalog.yaml', 'apps/catalog-v2.yaml', 'apps/webapp.yaml', 'apps/forum.yaml'],
}

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

export const withCohort = (probe: Probe, value: string): Probe => ({
  ...probe,
  headers: { ...probe.headers, 'x-istio-cohort': value },
})

export const BLOCKED_LABELS = { v1: 'blocked (500 error calling Forum service)', v2: 'allowed (200)' }
export const ALLOWED_LABELS = { v1: 'allowed (200 with a list of users)', v2: 'blocked (500)' }
export const OUTSIDE_HOST = 'jsonplaceholder.typicode.com'

/** x- headers webapp forwards to catalog (and Authorization): what webapp's sidecar routes on. */
const forwarded = (probe: Probe) =>
  Object.fromEntries(Object.entries(probe.headers ?? {}).filter(([h]) => h.toLowerCase().startsWith('x-')))

/**
 * The names a scenario sends to, reads from and expects, for the lab's namespace: the book's
 * (`istioinaction`: catalog.istioinaction.io, outbound|80|version-v1|catalog.istioinaction.svc.cluster.local)
 * or the one `run --namespace` names, renamed as its manifests are (helpers/manifests/namespace.ts).
 * Scenarios take them from `labNames(lab.namespace)`, never as constants, so nothing of a lab in
 * another namespace looks at the book's.
 */
export function labNames(namespace: string = BOOK_NAMESPACE) {
  const name = (book: string) => nameIn(book, namespace)
  const CATALOG_FQDN = name('catalog.istioinaction.svc.cluster.local')
  const V1_CLUSTER = outboundCluster(80, 'version-v1', CATALOG_FQDN)
  const V2_CLUSTER = outboundCluster(80, 'version-v2', CATALOG_FQDN)
  /** catalog at the edge: GET /items with Host catalog.istioinaction.io. */
  const EDGE_CATALOG: Probe = { host: name('catalog.istioinaction.io'), path: '/items' }
  /** webapp at the edge, which calls catalog inside the mesh. */
  const WEBAPP_CATALOG: Probe = { host: name('webapp.istioinaction.io'), path: '/api/catalog' }
  /** The ingress gateway's route for port 80 (target port 8080) and the catalog virtual host. */
  const EDGE_ROUTES = {
    namespace: 'istio-system',
    labelSelector: 'app=istio-ingressgateway',
    routeName: 'http.8080',
    virtualHost: `${EDGE_CATALOG.host}:80`,
  } as const
  /** webapp's sidecar route for outbound port 80 and catalog's virtual host. */
  const WEBAPP_ROUTES = {
    namespace,
    labelSelector: 'app=webapp',
    routeName: '80',
    virtualHost: `${CATALOG_FQDN}:80`,
  } as const
  const CATALOG_V2: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'catalog-v2', namespace }
  return {
    NAMESPACE: namespace,
    CATALOG_FQDN,
    /** The Host of webapp's calls to catalog (its CATALOG_SERVICE_HOST), without the port. */
    CATALOG_AUTHORITY: name('catalog.istioinaction'),
    EDGE_CATALOG,
    WEBAPP_CATALOG,
    V1_CLUSTER,
    V2_CLUSTER,
    /** The catalog Service without a subset (edge-routing's VirtualService routes to host catalog). */
    CATALOG_CLUSTER: outboundCluster(80, '', CATALOG_FQDN),
    CATALOG_V2,
    EDGE_ROUTES,
    WEBAPP_ROUTES,
    WEBAPP_PROXY_LOGS: { namespace, labelSelector: 'app=webapp', container: 'istio-proxy' },
    FORUM_PROXY_LOGS: { namespace, labelSelector: 'app=forum', container: 'istio-proxy' },
    /** forum's users through webapp, judged as "blocked" (500) or "allowed" (200 with users). */
    USERS_BLOCKED: { host: WEBAPP_CATALOG.host, path: '/api/users', classifier: 'users-blocked' } as Probe,
    USERS_OK: { host: WEBAPP_CATALOG.host, path: '/api/users', classifier: 'users-ok' } as Probe,
    /** The gateway's table must send this probe only to `cluster` before it is measured. */
    edgeRoutesTo: (probe: Probe, cluster: string): RouteGate => ({
      query: EDGE_ROUTES,
      request: { path: probe.path, ...(probe.headers ? { headers: probe.headers } : {}) },
      cluster,
    }),
    /** webapp's sidecar must send its call to catalog (GET /items, x- headers forwarded) only to `cluster`. */
    meshRoutesTo: (probe: Probe, cluster: string): RouteGate => ({
      query: WEBAPP_ROUTES,
      request: { path: '/items', headers: forwarded(probe) },
      cluster,
    }),
  } as const
}

/** What labNames gives: the lab's names in one namespace. */
export type LabNames = ReturnType<typeof labNames>

import type { ClassifierName } from '../http/classify.js'
import type { RouteView } from '../routes/inspect.js'
import { outboundCluster } from '../routes/inspect.js'
import {
  type DestinationOutcome,
  edgeVirtualServices,
  type HttpRule,
  httpRules,
  isCatchAllMatch,
  meshVirtualServices,
  type Outcome,
  outcomeOf,
  type Request,
  type Resolution,
  resolveAtEdge,
  resolveInMesh,
} from './routing.js'
import { hasProxy, type LabSnapshot, type LiveObject } from './snapshot.js'

/**
 * The behaviour the live objects imply, as checks `check` can measure with the statistics `run`
 * uses: which version each request reaches (through the ingress, and through webapp inside the
 * mesh, with and without each header a rule matches), the v2 share where rules weigh, whether
 * v2 receives mirrored calls, the gateway's route order, and whether egress is locked. Pure.
 */

export interface ProbeSpec {
  readonly host: string
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly classifier?: ClassifierName
}

export const EDGE_HOST = 'catalog.istioinaction.io'
export const WEBAPP_HOST = 'webapp.istioinaction.io'
export const OUTSIDE_HOST = 'jsonplaceholder.typicode.com'

/** Where the request enters: the ingress gateway straight to catalog, or webapp calling catalog. */
export type Entry = 'edge' | 'mesh'

export interface Variant {
  /** The header sent, if any: a value a rule matches, or another value of that header. */
  readonly header?: { readonly name: string; readonly value: string; readonly matched: boolean }
}

/** The proxy whose route table shows a routing expectation, as RouteQuery needs it. */
export interface TableQuery {
  readonly namespace: string
  readonly labelSelector: string
  readonly routeName: string
  readonly virtualHost: string
}

export type Expectation =
  | {
      readonly kind: 'routing'
      readonly id: string
      readonly entry: Entry
      readonly variant: Variant
      readonly probe: ProbeSpec
      readonly resolution: Resolution
      readonly outcome: Outcome
      /** For a share: the proxy table that must hold the weights before the share is measured. */
      readonly table?: {
        readonly query: TableQuery
        readonly clusters: readonly { name: string; share: number }[]
      }
    }
  | {
      readonly kind: 'mirror'
      readonly id: string
      readonly entry: Entry
      readonly probe: ProbeSpec
      /** The check whose traffic is mirrored (the no-header one). */
      readonly after: string
      readonly to: DestinationOutcome
    }
  | {
      readonly kind: 'route-order'
      readonly id: string
      readonly virtualService: string
      readonly query: TableQuery
      readonly header: { readonly name: string; readonly exact: string }
      readonly headerCluster: string
      readonly catchAllCluster: string
      readonly expectHeaderFirst: boolean
    }
  | {
      readonly kind: 'egress'
      readonly id: string
      readonly probe: ProbeSpec
      readonly blocked: boolean
      /** How the policy is set, and the ServiceEntry that lets the host out, if any. */
      readonly policySource: 'mesh' | 'sidecar'
      readonly serviceEntry?: string
    }

/** What could not be derived or measured, and why (shown, never counted as a pass). */
export interface Unmeasured {
  readonly id: string
  readonly why:
    | 'mixed'
    | 'unserved'
    | 'webapp-not-exposed'
    | 'canary-moving'
    | 'egress-open'
    | 'edge-not-exposed'
    | 'no-forum'
  readonly detail?: string
}

const CATALOG_FQDN = (ns: string) => `catalog.${ns}.svc.cluster.local`

/** The exact header values the rules of these VirtualServices test (dropped rules included). */
function headerVariants(virtualServices: readonly LiveObject[]): Variant[] {
  const seen = new Map<string, Set<string>>()
  for (const vs of virtualServices)
    for (const rule of httpRules(vs))
      for (const m of rule.match ?? [])
        for (const [name, cond] of Object.entries(m.headers ?? {}))
          if (cond.exact !== undefined)
            seen.set(name.toLowerCase(), (seen.get(name.toLowerCase()) ?? new Set()).add(cond.exact))
  const variants: Variant[] = [{}]
  for (const [name, values] of seen) {
    for (const value of values) variants.push({ header: { name, value, matched: true } })
    // A value no rule matches: only the exact value may reach the rule (the book's "external").
    const other = values.has('external') ? 'another-value' : 'external'
    variants.push({ header: { name, value: other, matched: false } })
  }
  return variants
}

const variantId = (entry: Entry, v: Variant) =>
  v.header ? `${entry}-${v.header.name}-${v.header.matched ? v.header.value : 'other'}` : entry

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

function probeFor(entry: Entry, v: Variant): ProbeSpec {
  const base =
    entry === 'edge' ? { host: EDGE_HOST, path: '/items' } : { host: WEBAPP_HOST, path: '/api/catalog' }
  return v.header ? { ...base, headers: { [v.header.name]: v.header.value } } : base
}

/** The Envoy route a table shows for a request: the first whose path and header matchers hold. Pure. */
export function routeFor(
  routes: readonly RouteView[],
  headers: Readonly<Record<string, string>>,
): RouteView | undefined {
  return routes.find((r) => {
    if (r.match.path !== undefined && r.match.path !== '/items' && r.match.path !== '/api/catalog')
      return false
    return r.match.headers.every((h) => {
      const value = headers[h.name.toLowerCase()]
      const holds =
        h.present !== undefined
          ? value !== undefined
          : h.exact !== undefined
            ? value === h.exact
            : h.prefix !== undefined
              ? value?.startsWith(h.prefix) === true
              : value !== undefined
      return h.invert ? !holds : holds
    })
  })
}

/** Whether a table routes the request with these cluster shares (weights in any scale). Pure. */
export function tableHolds(
  routes: readonly RouteView[],
  headers: Readonly<Record<string, string>>,
  clusters: readonly { name: string; share: number }[],
): { holds: boolean; seen: string } {
  const route = routeFor(routes, headers)
  const weights =
    route?.target.kind === 'weighted'
      ? route.target.clusters
      : route?.target.kind === 'cluster'
        ? [{ name: route.target.cluster, weight: 1 }]
        : []
  const total = weights.reduce((s, c) => s + c.weight, 0)
  const seen = weights.map((c) => `${c.name}=${c.weight}`).join(', ') || 'no route for the request'
  const holds =
    total > 0 &&
    clusters.every(
      (c) => Math.abs((weights.find((w) => w.name === c.name)?.weight ?? 0) / total - c.share) < 1e-3,
    ) &&
    weights.every((w) => w.weight === 0 || clusters.some((c) => c.name === w.name))
  return { holds, seen }
}

function tableOf(
  snapshot: LabSnapshot,
  entry: Entry,
  resolution: Resolution,
): { query: TableQuery; clusters: { name: string; share: number }[] } {
  const ingress = snapshot.ingressServices[0]
  const target = ingress?.ports.find((p) => p.port === 80)?.targetPort ?? 8080
  const query: TableQuery =
    entry === 'edge'
      ? {
          namespace: ingress?.namespace ?? 'istio-system',
          labelSelector: 'istio=ingressgateway',
          routeName: `http.${target}`,
          virtualHost: `${EDGE_HOST}:80`,
        }
      : {
          namespace: snapshot.namespace,
          labelSelector: 'app=webapp',
          routeName: '80',
          virtualHost: `${CATALOG_FQDN(snapshot.namespace)}:80`,
        }
  const clusters = resolution.destinations
    .filter((d) => d.share > 0)
    .map((d) => ({ name: outboundCluster(d.servicePort ?? 80, d.subset ?? '', d.host), share: d.share }))
  return { query, clusters }
}

function routingExpectations(
  snapshot: LabSnapshot,
  entry: Entry,
  variants: readonly Variant[],
  resolve: (req: Request) => Resolution | undefined,
): { expectations: Expectation[]; unmeasured: Unmeasured[] } {
  const expectations: Expectation[] = []
  const unmeasured: Unmeasured[] = []
  for (const v of variants) {
    const probe = probeFor(entry, v)
    const headers = v.header ? { [v.header.name]: v.header.value } : {}
    const request: Request = {
      host: entry === 'edge' ? EDGE_HOST : CATALOG_FQDN(snapshot.namespace),
      // webapp calls catalog's /items for /api/catalog.
      path: '/items',
      headers,
    }
    const resolution = resolve(request)
    const id = variantId(entry, v)
    if (!resolution) continue
    const outcome = outcomeOf(resolution)
    if (outcome.kind === 'mixed' || outcome.kind === 'unserved') {
      unmeasured.push({
        id,
        why: outcome.kind,
        ...(outcome.kind === 'unserved' ? { detail: outcome.why } : {}),
      })
      continue
    }
    expectations.push({
      kind: 'routing',
      id,
      entry,
      variant: v,
      probe,
      resolution,
      outcome,
      ...(outcome.kind === 'share' ? { table: tableOf(snapshot, entry, resolution) } : {}),
    })
    const mirror = resolution.mirror
    if (!v.header && mirror && !mirror.problem && mirror.endpoints.length) {
      expectations.push({ kind: 'mirror', id: `${entry}-mirror`, entry, probe, after: id, to: mirror })
    }
  }
  return { expectations, unmeasured }
}

/** The gateway's route order for the edge VirtualService with one header rule and one catch-all. */
function routeOrder(snapshot: LabSnapshot): Expectation | undefined {
  const vs = edgeVirtualServices(snapshot, EDGE_HOST)[0]
  if (!vs) return undefined
  const rules = httpRules(vs)
  const headerIndex = rules.findIndex((r) =>
    r.match?.some((m) => Object.values(m.headers ?? {}).some((c) => c.exact !== undefined)),
  )
  const catchAllIndex = rules.findIndex((r: HttpRule) => !r.match?.length || r.match.some(isCatchAllMatch))
  const headerRule = rules[headerIndex]
  const catchAll = rules[catchAllIndex]
  const [name, cond] = Object.entries(headerRule?.match?.find((m) => m.headers)?.headers ?? {})[0] ?? []
  const headerDest = headerRule?.route?.[0]?.destination
  const catchAllDest = catchAll?.route?.[0]?.destination
  if (!headerRule || !catchAll || !name || cond?.exact === undefined || !headerDest || !catchAllDest)
    return undefined
  const ns = vs.metadata.namespace ?? snapshot.namespace
  const cluster = (d: { host?: string; subset?: string }) =>
    outboundCluster(
      80,
      d.subset ?? '',
      String(d.host).includes('.') ? String(d.host) : `${d.host}.${ns}.svc.cluster.local`,
    )
  const table = tableOf(snapshot, 'edge', { destinations: [] }).query
  return {
    kind: 'route-order',
    id: 'edge-route-order',
    virtualService: vs.metadata.name,
    query: table,
    header: { name: name.toLowerCase(), exact: cond.exact },
    headerCluster: cluster(headerDest),
    catchAllCluster: cluster(catchAllDest),
    expectHeaderFirst: headerIndex < catchAllIndex,
  }
}

/** Flagger phases in which it moves traffic: nothing steady to measure then. */
const MOVING = ['Progressing', 'Promoting', 'Finalising', 'Waiting', 'WaitingPromotion']

/** Every expectation the live objects give, and what could not be measured and why. */
export function deriveExpectations(snapshot: LabSnapshot): {
  expectations: Expectation[]
  unmeasured: Unmeasured[]
} {
  const expectations: Expectation[] = []
  const unmeasured: Unmeasured[] = []
  const add = (r: { expectations: Expectation[]; unmeasured: Unmeasured[] }) => {
    expectations.push(...r.expectations)
    unmeasured.push(...r.unmeasured)
  }

  const edge = edgeVirtualServices(snapshot, EDGE_HOST)
  if (edge.length)
    add(routingExpectations(snapshot, 'edge', headerVariants(edge), (req) => resolveAtEdge(snapshot, req)))
  const order = routeOrder(snapshot)
  if (order) expectations.push(order)

  const webapp = snapshot.pods.find((p) => p.labels.app === 'webapp' && p.phase === 'Running')
  const webappAtEdge = resolveAtEdge(snapshot, { host: WEBAPP_HOST, path: '/api/catalog', headers: {} })
  const webappServed = webappAtEdge?.destinations.some((d) => d.endpoints.length > 0) ?? false
  const canary = snapshot.objects.find((o) => o.kind === 'Canary')
  const phase = (canary?.status as { phase?: string; canaryWeight?: number } | undefined)?.phase
  const catalogHost = CATALOG_FQDN(snapshot.namespace)
  const catalogInUse =
    snapshot.services.some((s) => s.name === 'catalog') ||
    meshVirtualServices(snapshot, catalogHost).length > 0
  if (webapp && !webappServed && catalogInUse) unmeasured.push({ id: 'mesh', why: 'webapp-not-exposed' })
  else if (webapp && webappServed && catalogInUse) {
    if (canary && phase && MOVING.includes(phase))
      unmeasured.push({ id: 'mesh', why: 'canary-moving', detail: phase })
    else
      add(
        routingExpectations(
          snapshot,
          'mesh',
          headerVariants(meshVirtualServices(snapshot, catalogHost)),
          (req) => resolveInMesh(snapshot, webapp, req),
        ),
      )
  }

  const forum = snapshot.pods.find((p) => p.labels.app === 'forum' && p.phase === 'Running')
  const sidecarLock = snapshot.objects.some(
    (o) =>
      o.kind === 'Sidecar' &&
      (o.spec as { outboundTrafficPolicy?: { mode?: string } } | undefined)?.outboundTrafficPolicy?.mode ===
        'REGISTRY_ONLY',
  )
  const locked = snapshot.meshOutboundPolicy === 'REGISTRY_ONLY' || sidecarLock
  if (webapp && webappServed && (locked || snapshot.objects.some((o) => o.kind === 'ServiceEntry'))) {
    if (!forum) unmeasured.push({ id: 'egress', why: 'no-forum' })
    else if (!locked) unmeasured.push({ id: 'egress', why: 'egress-open' })
    else {
      const entry = snapshot.objects.find(
        (o) =>
          o.kind === 'ServiceEntry' &&
          ((o.spec as { hosts?: string[] } | undefined)?.hosts ?? []).includes(OUTSIDE_HOST),
      )
      // A forum without a sidecar is not held by any policy: its call goes out.
      const blocked = !entry && hasProxy(forum)
      expectations.push({
        kind: 'egress',
        id: 'egress',
        probe: {
          host: WEBAPP_HOST,
          path: '/api/users',
          classifier: blocked ? 'users-blocked' : 'users-ok',
        },
        blocked,
        policySource: snapshot.meshOutboundPolicy === 'REGISTRY_ONLY' ? 'mesh' : 'sidecar',
        ...(entry ? { serviceEntry: entry.metadata.name } : {}),
      })
    }
  }
  if (!edge.length && !webappServed) unmeasured.push({ id: 'edge', why: 'edge-not-exposed' })
  return { expectations, unmeasured: unmeasured.map((u) => ({ ...u, id: slug(u.id) })) }
}

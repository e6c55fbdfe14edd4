import { gatewayRef, meshHost, routeShares } from './normalize.js'
import {
  catalogVersionOf,
  hasProxy,
  type LabSnapshot,
  type LiveObject,
  matchesLabels,
  type PodFacts,
  selectorText,
} from './snapshot.js'

/**
 * Where a request goes, decided from the live objects the way istiod and Envoy decide it: the
 * Gateway and VirtualService that take it, the first http rule that matches (rules after the
 * first catch-all are dropped, as pilot's route.go BuildHTTPRoutesForVirtualService does, 1.17.8
 * to master), each destination's share (routeShares), and the pods behind each destination
 * (Service selector and subset labels) with the version they answer as. Pure.
 */

export interface HttpMatch {
  readonly headers?: Readonly<Record<string, { exact?: string; prefix?: string; regex?: string }>>
  readonly uri?: { exact?: string; prefix?: string; regex?: string }
  readonly method?: { exact?: string }
  readonly gateways?: readonly string[]
  readonly sourceLabels?: Readonly<Record<string, string>>
  readonly [other: string]: unknown
}

export interface HttpRule {
  readonly match?: readonly HttpMatch[]
  readonly route?: readonly {
    destination?: { host?: string; subset?: string; port?: { number?: number } }
    weight?: number
  }[]
  readonly mirror?: { host?: string; subset?: string }
  readonly mirrorPercentage?: { value?: number }
  readonly [other: string]: unknown
}

export interface Request {
  readonly host: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
}

const spec = (o: LiveObject) => (o.spec ?? {}) as Record<string, unknown>
const nsOf = (o: LiveObject, fallback: string) => o.metadata.namespace ?? fallback
export const httpRules = (vs: LiveObject): HttpRule[] => (spec(vs).http as HttpRule[] | undefined) ?? []

/** A match is a catch-all when it tests nothing but the whole path (pilot route.go IsCatchAllRoute). */
export function isCatchAllMatch(m: HttpMatch): boolean {
  const keys = Object.keys(m).filter((k) => m[k] !== undefined && k !== 'name')
  const uriOnly = keys.every((k) => k === 'uri')
  const uri = m.uri
  return uriOnly && (!uri || uri.prefix === '/' || uri.regex === '.*' || uri.regex === '*')
}

/**
 * The rules istiod turns into routes, in order: it stops after the first rule without `match`
 * and after the first catch-all match, so what follows never reaches Envoy. Each kept rule keeps
 * its index in the VirtualService (for messages: "rule #2").
 */
export function translatedRules(rules: readonly HttpRule[]): { rule: HttpRule; index: number }[] {
  const out: { rule: HttpRule; index: number }[] = []
  for (const [index, rule] of rules.entries()) {
    if (!rule.match?.length) {
      out.push({ rule, index })
      break
    }
    const catchAll = rule.match.findIndex(isCatchAllMatch)
    if (catchAll >= 0) {
      out.push({ rule: { ...rule, match: rule.match.slice(0, catchAll + 1) }, index })
      break
    }
    out.push({ rule, index })
  }
  return out
}

/** Rules istiod drops: those after the first rule that matches everything. */
export function droppedRules(rules: readonly HttpRule[]): number[] {
  const kept = translatedRules(rules).map((r) => r.index)
  return rules.map((_, i) => i).filter((i) => !kept.includes(i))
}

function stringMatch(
  value: string | undefined,
  m: { exact?: string; prefix?: string; regex?: string },
): boolean {
  if (value === undefined) return false
  if (m.exact !== undefined) return value === m.exact
  if (m.prefix !== undefined) return value.startsWith(m.prefix)
  if (m.regex !== undefined) {
    try {
      return new RegExp(`^(?:${m.regex})$`).test(value)
    } catch {
      return false
    }
  }
  return true
}

/** Whether one match condition holds for a request entering at `gateway` from a caller with `labels`. */
export function matchHolds(
  m: HttpMatch,
  req: Request,
  gateway: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  const known = new Set(['headers', 'uri', 'method', 'gateways', 'sourceLabels', 'name', 'ignoreUriCase'])
  // A condition this reader does not evaluate (query parameters, ports...) is taken as not holding.
  if (Object.keys(m).some((k) => !known.has(k) && m[k] !== undefined)) return false
  if (m.gateways?.length && !m.gateways.includes(gateway)) return false
  if (m.sourceLabels && !matchesLabels(labels, m.sourceLabels)) return false
  if (m.uri && !stringMatch(req.path, m.uri)) return false
  if (m.method && !stringMatch('GET', m.method)) return false
  for (const [name, cond] of Object.entries(m.headers ?? {}))
    if (!stringMatch(req.headers[name.toLowerCase()], cond)) return false
  return true
}

/** Host patterns of Gateway servers and VirtualServices: exact, `*`, `*.suffix`, with an optional `ns/`. */
export function hostMatches(pattern: string, host: string): boolean {
  const bare = pattern.includes('/') ? (pattern.split('/')[1] ?? '') : pattern
  if (bare === '*') return true
  if (bare.startsWith('*.')) return host.endsWith(bare.slice(1))
  return bare === host
}

export interface Endpoint {
  readonly pod: string
  readonly version: 'v1' | 'v2'
}

export interface DestinationOutcome {
  readonly host: string
  readonly subset?: string
  readonly share: number
  readonly servicePort: number | undefined
  /** The pods' label selector: the Service's selector and the subset's labels (for reading their logs). */
  readonly selector?: string
  /** Why nothing serves it, when nothing does. */
  readonly problem?: 'no-service' | 'no-subset' | 'no-pods'
  readonly endpoints: readonly Endpoint[]
}

export interface Resolution {
  /** The VirtualService that took the request, and the index of its rule; none: the Service's default route. */
  readonly virtualService?: string
  readonly rule?: number
  readonly noRoute?: boolean
  readonly destinations: readonly DestinationOutcome[]
  readonly mirror?: DestinationOutcome
}

/** What the pods behind a destination answer as. */
export function destinationOutcome(
  snapshot: LabSnapshot,
  dest: { host?: string; subset?: string },
  fromNamespace: string,
  share: number,
): DestinationOutcome {
  const host = meshHost(String(dest.host ?? ''), fromNamespace)
  const service = snapshot.services.find((s) => `${s.name}.${s.namespace}.svc.cluster.local` === host)
  const base = { host, share, ...(dest.subset ? { subset: dest.subset } : {}) }
  if (!service) return { ...base, servicePort: undefined, problem: 'no-service', endpoints: [] }
  const servicePort = service.ports[0]?.port
  let labels: Readonly<Record<string, string>> = {}
  if (dest.subset) {
    const rule = snapshot.objects.find(
      (o) =>
        o.kind === 'DestinationRule' &&
        meshHost(String(spec(o).host ?? ''), nsOf(o, snapshot.namespace)) === host,
    )
    const subset = (
      (rule ? spec(rule).subsets : undefined) as
        | { name?: string; labels?: Record<string, string> }[]
        | undefined
    )?.find((s) => s.name === dest.subset)
    if (!subset) return { ...base, servicePort, problem: 'no-subset', endpoints: [] }
    labels = subset.labels ?? {}
  }
  const selector = selectorText({ ...service.selector, ...labels })
  const endpoints = snapshot.pods
    .filter((p) => p.namespace === service.namespace && p.phase === 'Running')
    .filter((p) => Object.keys(service.selector).length > 0 && matchesLabels(p.labels, service.selector))
    .filter((p) => matchesLabels(p.labels, labels))
    .map((p) => ({ pod: p.name, version: catalogVersionOf(p) }))
  return {
    ...base,
    servicePort,
    selector,
    ...(endpoints.length ? {} : { problem: 'no-pods' as const }),
    endpoints,
  }
}

function resolveRule(
  snapshot: LabSnapshot,
  vs: LiveObject,
  req: Request,
  gateway: string,
  callerLabels: Readonly<Record<string, string>>,
): Resolution {
  const ns = nsOf(vs, snapshot.namespace)
  for (const { rule, index } of translatedRules(httpRules(vs))) {
    const holds = !rule.match?.length || rule.match.some((m) => matchHolds(m, req, gateway, callerLabels))
    if (!holds) continue
    const destinations = routeShares(rule.route ?? []).map((s) =>
      destinationOutcome(snapshot, s.destination, ns, s.share),
    )
    const percent = rule.mirrorPercentage?.value ?? 100
    return {
      virtualService: vs.metadata.name,
      rule: index,
      destinations,
      ...(rule.mirror && percent > 0
        ? { mirror: destinationOutcome(snapshot, rule.mirror, ns, percent / 100) }
        : {}),
    }
  }
  return { virtualService: vs.metadata.name, noRoute: true, destinations: [] }
}

const virtualServices = (snapshot: LabSnapshot) => snapshot.objects.filter((o) => o.kind === 'VirtualService')

/** Gateways of the lab namespace that serve `host` on port 80 over HTTP and select a running gateway pod. */
export function gatewaysFor(snapshot: LabSnapshot, host: string): LiveObject[] {
  return snapshot.objects.filter((o) => {
    if (o.kind !== 'Gateway') return false
    const selector = (spec(o).selector as Record<string, string> | undefined) ?? {}
    if (!(snapshot.gatewayPods[selectorText(selector)] ?? []).length) return false
    const servers =
      (spec(o).servers as
        | { port?: { number?: number; protocol?: string }; hosts?: string[] }[]
        | undefined) ?? []
    return servers.some(
      (s) =>
        s.port?.number === 80 &&
        ['HTTP', 'HTTP2'].includes(String(s.port.protocol).toUpperCase()) &&
        (s.hosts ?? []).some((h) => hostMatches(h, host)),
    )
  })
}

/** The VirtualServices bound to one of `gateways` for `host`, in name order (istiod's order for ties). */
export function edgeVirtualServices(snapshot: LabSnapshot, host: string): LiveObject[] {
  const refs = gatewaysFor(snapshot, host).map((g) => `${nsOf(g, snapshot.namespace)}/${g.metadata.name}`)
  return virtualServices(snapshot)
    .filter((vs) => {
      const ns = nsOf(vs, snapshot.namespace)
      const bound = ((spec(vs).gateways as string[] | undefined) ?? []).map((g) => gatewayRef(g, ns))
      return (
        bound.some((g) => refs.includes(g)) &&
        ((spec(vs).hosts as string[] | undefined) ?? []).some((h) => hostMatches(h, host))
      )
    })
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
}

/** A request at the ingress gateway with this Host. */
export function resolveAtEdge(snapshot: LabSnapshot, req: Request): Resolution | undefined {
  const vs = edgeVirtualServices(snapshot, req.host)[0]
  if (!vs) return undefined
  const gateway = gatewaysFor(snapshot, req.host)[0]
  const ref = gateway ? gatewayRef(gateway.metadata.name, nsOf(gateway, snapshot.namespace)) : ''
  // A match's `gateways` names them as the VirtualService does (short or ns/name).
  return resolveRule(snapshot, vs, req, ref.split('/')[1] ?? ref, {})
}

/** VirtualServices that apply to sidecars (gateway `mesh`) for an in-mesh host. */
export function meshVirtualServices(snapshot: LabSnapshot, host: string): LiveObject[] {
  return virtualServices(snapshot)
    .filter((vs) => {
      const ns = nsOf(vs, snapshot.namespace)
      const gateways = (spec(vs).gateways as string[] | undefined) ?? []
      const forMesh = gateways.length === 0 || gateways.includes('mesh')
      return forMesh && ((spec(vs).hosts as string[] | undefined) ?? []).some((h) => meshHost(h, ns) === host)
    })
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))
}

/**
 * A call from `caller` to `host` inside the mesh. Without a sidecar nothing of Istio's applies
 * (kube-proxy spreads calls over every pod of the Service); with one, the mesh VirtualService's
 * rules, or the Service's default route when there is none.
 */
export function resolveInMesh(snapshot: LabSnapshot, caller: PodFacts, req: Request): Resolution {
  const vs = hasProxy(caller) ? meshVirtualServices(snapshot, req.host)[0] : undefined
  if (vs) return resolveRule(snapshot, vs, req, 'mesh', caller.labels)
  return { destinations: [destinationOutcome(snapshot, { host: req.host }, snapshot.namespace, 1)] }
}

/** What a resolution means for responses: one version, a v2 share, or nothing to predict. */
export type Outcome =
  | { readonly kind: 'only'; readonly version: 'v1' | 'v2' }
  | { readonly kind: 'share'; readonly p0: number }
  | { readonly kind: 'mixed' }
  | { readonly kind: 'unserved'; readonly why: 'no-route' | 'no-service' | 'no-subset' | 'no-pods' }

export function outcomeOf(resolution: Resolution): Outcome {
  if (resolution.noRoute || resolution.destinations.length === 0) return { kind: 'unserved', why: 'no-route' }
  const broken = resolution.destinations.find((d) => d.problem && d.share > 0)
  if (broken?.problem) return { kind: 'unserved', why: broken.problem }
  let v2 = 0
  for (const d of resolution.destinations) {
    if (d.share === 0) continue
    const versions = new Set(d.endpoints.map((e) => e.version))
    if (versions.size !== 1) return { kind: 'mixed' }
    if (versions.has('v2')) v2 += d.share
  }
  const p0 = Math.round(v2 * 10_000) / 10_000
  return p0 === 0
    ? { kind: 'only', version: 'v1' }
    : p0 === 1
      ? { kind: 'only', version: 'v2' }
      : { kind: 'share', p0 }
}

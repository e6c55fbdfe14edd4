import { fqdn } from '../manifests/xrefs.js'
import type { LiveObject } from './snapshot.js'

/**
 * Istio objects reduced to what decides routing, so a learner's object and the book's compare
 * equal when they behave the same: metadata, apiVersion, key order, short host names
 * (`catalog` is `catalog.istioinaction.svc.cluster.local`), the order of hosts and gateways,
 * destination ports (the lab's Services have one port each), weights written as 9/1 or 90/10
 * and zero-weight destinations (istiod drops them: pilot route.go, 1.17.8 to master) are all
 * noise. The order of http rules, matches, subsets' labels and shares are not. Pure.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** The kinds a chapter-5 step is made of (Flagger's Canary included). */
export const STEP_KINDS = [
  'Gateway',
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'Sidecar',
  'Telemetry',
  'Canary',
] as const

export interface CanonicalObject {
  readonly kind: string
  readonly name: string
  readonly spec: Json
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Plain JSON with keys sorted; null, undefined, empty arrays and empty objects dropped. */
export function canonicalJson(value: unknown): Json | undefined {
  if (value === null || value === undefined) return undefined
  if (Array.isArray(value)) {
    const items = value.map(canonicalJson).filter((v): v is Json => v !== undefined)
    return items.length ? items : undefined
  }
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => [k, canonicalJson(value[k])] as const)
      .filter((e): e is readonly [string, Json] => e[1] !== undefined)
    return entries.length ? Object.fromEntries(entries) : undefined
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value
  return String(value)
}

const byText = (a: Json, b: Json) => {
  const x = JSON.stringify(a)
  const y = JSON.stringify(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** A gateway reference as istiod resolves it: `name` means the VirtualService's own namespace. */
export const gatewayRef = (ref: string, namespace: string): string =>
  ref === 'mesh' || ref.includes('/') ? ref : `${namespace}/${ref}`

/** A host as the mesh resolves it: short names inside the cluster get the namespace and suffix. */
export const meshHost = (host: string, namespace: string): string =>
  host.includes('*') || host.split('.').length > 2 ? host : fqdn(host, namespace)

interface RawDestination {
  host?: string
  subset?: string
  port?: unknown
}
interface RawRouteDestination {
  destination?: RawDestination
  weight?: number
}

const destination = (d: RawDestination | undefined, namespace: string): Json =>
  canonicalJson({ host: meshHost(String(d?.host ?? ''), namespace), subset: d?.subset }) ?? {}

/**
 * Each destination's share of the rule's traffic, as istiod translates weights (pilot
 * route.go, 1.17.8 to master): a lone destination takes everything whatever its weight; with
 * several, those of weight 0 (or none) are left out and the rest split by weight over their total.
 */
export function routeShares(
  route: readonly RawRouteDestination[],
): { destination: RawDestination; share: number }[] {
  if (route.length === 1) return [{ destination: route[0]?.destination ?? {}, share: 1 }]
  const kept = route.filter((r) => (r.weight ?? 0) > 0)
  const total = kept.reduce((sum, r) => sum + (r.weight ?? 0), 0)
  return kept.map((r) => ({ destination: r.destination ?? {}, share: total ? (r.weight ?? 0) / total : 0 }))
}

const round = (x: number) => Math.round(x * 10_000) / 10_000

function httpRule(rule: Record<string, unknown>, namespace: string): Json {
  const { route, mirror, mirrorPercentage, mirror_percent: _old, match, ...rest } = rule
  const shares = routeShares((route as RawRouteDestination[] | undefined) ?? [])
    .map((s) => ({
      ...(destination(s.destination, namespace) as Record<string, Json>),
      share: round(s.share),
    }))
    .sort(byText)
  const percent = (mirrorPercentage as { value?: number } | undefined)?.value
  return (
    canonicalJson({
      match,
      route: shares,
      mirror: mirror
        ? {
            ...(destination(mirror as RawDestination, namespace) as Record<string, Json>),
            percent: percent ?? 100,
          }
        : undefined,
      ...rest,
    }) ?? {}
  )
}

const sortedStrings = (values: unknown): string[] =>
  [...new Set(((values as unknown[] | undefined) ?? []).map(String))].sort()

/** A VirtualService's routing: hosts, gateways (default: the mesh), its http rules in order. */
function virtualService(spec: Record<string, unknown>, namespace: string): Json {
  const { hosts, gateways, http, exportTo: _e, ...rest } = spec
  const refs = sortedStrings(gateways)
  return (
    canonicalJson({
      hosts: sortedStrings(hosts).map((h) => meshHost(h, namespace)),
      gateways: (refs.length ? refs : ['mesh']).map((g) => gatewayRef(g, namespace)).sort(),
      http: ((http as Record<string, unknown>[] | undefined) ?? []).map((r) => httpRule(r, namespace)),
      ...rest,
    }) ?? {}
  )
}

function destinationRule(spec: Record<string, unknown>, namespace: string): Json {
  const { host, subsets, exportTo: _e, ...rest } = spec
  return (
    canonicalJson({
      host: meshHost(String(host ?? ''), namespace),
      subsets: [...((subsets as Record<string, unknown>[] | undefined) ?? [])]
        .map((s) => canonicalJson(s) ?? {})
        .sort(byText),
      ...rest,
    }) ?? {}
  )
}

function gateway(spec: Record<string, unknown>): Json {
  const servers = ((spec.servers as Record<string, unknown>[] | undefined) ?? []).map((s) => {
    const port = (s.port as { number?: number; protocol?: string } | undefined) ?? {}
    const { port: _p, hosts, name: _n, ...rest } = s
    return (
      canonicalJson({
        port: { number: port.number, protocol: String(port.protocol ?? '').toUpperCase() },
        hosts: sortedStrings(hosts),
        ...rest,
      }) ?? {}
    )
  })
  return canonicalJson({ selector: spec.selector, servers: servers.sort(byText) }) ?? {}
}

function serviceEntry(spec: Record<string, unknown>): Json {
  const ports = ((spec.ports as Record<string, unknown>[] | undefined) ?? []).map(
    (p) => canonicalJson({ number: p.number, protocol: String(p.protocol ?? '').toUpperCase() }) ?? {},
  )
  const { hosts, ports: _p, exportTo: _e, ...rest } = spec
  return canonicalJson({ hosts: sortedStrings(hosts), ports: ports.sort(byText), ...rest }) ?? {}
}

/** Fields the suite adds to the book's Canary (a faster interval, cleanup on deletion): noise here. */
function canary(spec: Record<string, unknown>): Json {
  const { progressDeadlineSeconds: _p, revertOnDeletion: _r, analysis, ...rest } = spec
  const { interval: _i, ...keep } = (analysis as Record<string, unknown> | undefined) ?? {}
  return canonicalJson({ ...rest, analysis: keep }) ?? {}
}

/** The outbound policy a Sidecar sets for its namespace, when that is all it is for. */
export function sidecarPolicy(o: LiveObject): string | undefined {
  if (o.kind !== 'Sidecar' || !isRecord(o.spec)) return undefined
  const { outboundTrafficPolicy, workloadSelector, ...rest } = o.spec
  if (workloadSelector !== undefined || Object.keys(canonicalJson(rest) ?? {}).length > 0) return undefined
  return (outboundTrafficPolicy as { mode?: string } | undefined)?.mode
}

/** The canonical form of one object; undefined for a kind a step is not made of. */
export function canonicalObject(o: LiveObject, namespace: string): CanonicalObject | undefined {
  const spec = isRecord(o.spec) ? o.spec : {}
  const ns = o.metadata.namespace ?? namespace
  const shape: Json | undefined =
    o.kind === 'VirtualService'
      ? virtualService(spec, ns)
      : o.kind === 'DestinationRule'
        ? destinationRule(spec, ns)
        : o.kind === 'Gateway'
          ? gateway(spec)
          : o.kind === 'ServiceEntry'
            ? serviceEntry(spec)
            : o.kind === 'Canary'
              ? canary(spec)
              : o.kind === 'Sidecar' || o.kind === 'Telemetry'
                ? (canonicalJson(spec) ?? {})
                : undefined
  return shape === undefined ? undefined : { kind: o.kind, name: o.metadata.name, spec: shape }
}

/** Where two canonical values differ: a readable path, the learner's value and the step's. */
export interface Difference {
  readonly path: string
  readonly live: string
  readonly step: string
}

const shown = (v: Json | undefined) => (v === undefined ? '(none)' : JSON.stringify(v))

/** Every leaf where `live` and `step` differ, paths like http[0].route[1].share. Pure. */
export function differences(live: Json | undefined, step: Json | undefined, path = ''): Difference[] {
  if (JSON.stringify(live) === JSON.stringify(step)) return []
  if (Array.isArray(live) && Array.isArray(step)) {
    const n = Math.max(live.length, step.length)
    return Array.from({ length: n }, (_, i) => differences(live[i], step[i], `${path}[${i}]`)).flat()
  }
  if (isRecord(live) && isRecord(step)) {
    const keys = [...new Set([...Object.keys(live), ...Object.keys(step)])].sort()
    return keys.flatMap((k) =>
      differences(
        (live as Record<string, Json>)[k],
        (step as Record<string, Json>)[k],
        path ? `${path}.${k}` : k,
      ),
    )
  }
  return [{ path: path || '(whole)', live: shown(live), step: shown(step) }]
}

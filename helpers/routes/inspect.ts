/**
 * Reads Envoy route tables. Pure.
 *
 * Input: either `istioctl proxy-config routes <pod> --name <route> -o json` (an array of
 * envoy.config.route.v3.RouteConfiguration in protobuf JSON, camelCase) or Envoy's admin
 * `/config_dump` (RoutesConfigDump under `configs`, snake_case field names, as Envoy prints
 * proto field names). Keys are normalized to camelCase first, so both read the same. A config
 * dump also gives its cluster names (`clusterNames`) and a sidecar's outbound fallback
 * (`outboundFallback`).
 */

export interface HeaderMatch {
  readonly name: string
  readonly exact?: string
  readonly prefix?: string
  readonly regex?: string
  readonly present?: boolean
  readonly invert?: boolean
}

export type RouteTarget =
  | { readonly kind: 'cluster'; readonly cluster: string }
  | { readonly kind: 'weighted'; readonly clusters: readonly { name: string; weight: number }[] }
  | { readonly kind: 'direct-response'; readonly status: number }
  | { readonly kind: 'redirect' }
  | { readonly kind: 'other' }

export interface RouteView {
  readonly index: number
  readonly name?: string
  readonly match: {
    readonly prefix?: string
    readonly path?: string
    readonly regex?: string
    readonly headers: readonly HeaderMatch[]
  }
  readonly target: RouteTarget
  /** Request mirror policies: where copies go, and which percentage. */
  readonly mirrors: readonly { cluster: string; percent: number }[]
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize)
  if (!isObject(value)) return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.startsWith('@') ? k : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      camelize(v),
    ]),
  )
}

/** Every RouteConfiguration in either input shape. */
export function routeConfigurations(input: unknown): Json[] {
  const data = camelize(input)
  if (Array.isArray(data)) return data.filter(isObject)
  if (isObject(data) && Array.isArray(data.configs)) {
    return data.configs.filter(isObject).flatMap((dump) => {
      const dynamic = Array.isArray(dump.dynamicRouteConfigs) ? dump.dynamicRouteConfigs : []
      const statics = Array.isArray(dump.staticRouteConfigs) ? dump.staticRouteConfigs : []
      return [...dynamic, ...statics]
        .filter(isObject)
        .map((c) => c.routeConfig)
        .filter(isObject)
    })
  }
  return []
}

const DENOMINATORS: Record<string, number> = { HUNDRED: 100, TEN_THOUSAND: 10_000, MILLION: 1_000_000 }

function headerMatch(h: Json): HeaderMatch {
  const sm = isObject(h.stringMatch) ? h.stringMatch : {}
  const regex =
    (isObject(sm.safeRegex) ? sm.safeRegex.regex : undefined) ??
    (isObject(h.safeRegexMatch) ? h.safeRegexMatch.regex : undefined)
  const exact = sm.exact ?? h.exactMatch
  const prefix = sm.prefix ?? h.prefixMatch
  return {
    name: String(h.name ?? ''),
    ...(typeof exact === 'string' ? { exact } : {}),
    ...(typeof prefix === 'string' ? { prefix } : {}),
    ...(typeof regex === 'string' ? { regex } : {}),
    ...(h.presentMatch === true ? { present: true } : {}),
    ...(h.invertMatch === true ? { invert: true } : {}),
  }
}

function target(r: Json): RouteTarget {
  const route = isObject(r.route) ? r.route : undefined
  if (route) {
    if (typeof route.cluster === 'string') return { kind: 'cluster', cluster: route.cluster }
    if (isObject(route.weightedClusters) && Array.isArray(route.weightedClusters.clusters)) {
      return {
        kind: 'weighted',
        clusters: route.weightedClusters.clusters
          .filter(isObject)
          .map((c) => ({ name: String(c.name), weight: Number(c.weight ?? 0) })),
      }
    }
    return { kind: 'other' }
  }
  if (isObject(r.directResponse)) return { kind: 'direct-response', status: Number(r.directResponse.status) }
  if (isObject(r.redirect)) return { kind: 'redirect' }
  return { kind: 'other' }
}

function mirrors(r: Json): { cluster: string; percent: number }[] {
  const route = isObject(r.route) ? r.route : {}
  const policies = Array.isArray(route.requestMirrorPolicies)
    ? route.requestMirrorPolicies.filter(isObject)
    : []
  return policies.map((p) => {
    const fraction =
      isObject(p.runtimeFraction) && isObject(p.runtimeFraction.defaultValue)
        ? p.runtimeFraction.defaultValue
        : undefined
    // No runtimeFraction means every request is mirrored.
    const percent = fraction
      ? (100 * Number(fraction.numerator ?? 0)) /
        (DENOMINATORS[String(fraction.denominator ?? 'HUNDRED')] ?? 100)
      : 100
    return { cluster: String(p.cluster ?? ''), percent }
  })
}

/**
 * The routes of one virtual host of one route configuration, in the order Envoy evaluates
 * them (first match wins). The virtual host is named by its name (e.g.
 * catalog.istioinaction.io:80) or by one of its domains.
 */
export function routesOf(input: unknown, routeName: string, virtualHost: string): RouteView[] {
  const config = routeConfigurations(input).find((c) => c.name === routeName)
  if (!config) throw new Error(`no route configuration named ${routeName}`)
  const hosts = Array.isArray(config.virtualHosts) ? config.virtualHosts.filter(isObject) : []
  const host = hosts.find(
    (h) => h.name === virtualHost || (Array.isArray(h.domains) && h.domains.includes(virtualHost)),
  )
  if (!host) {
    throw new Error(
      `route ${routeName} has no virtual host ${virtualHost} (has: ${hosts.map((h) => String(h.name)).join(', ') || 'none'})`,
    )
  }
  const routes = Array.isArray(host.routes) ? host.routes.filter(isObject) : []
  return routes.map((r, index) => {
    const m = isObject(r.match) ? r.match : {}
    const regex = isObject(m.safeRegex) ? m.safeRegex.regex : undefined
    return {
      index,
      ...(typeof r.name === 'string' ? { name: r.name } : {}),
      match: {
        ...(typeof m.prefix === 'string' ? { prefix: m.prefix } : {}),
        ...(typeof m.path === 'string' ? { path: m.path } : {}),
        ...(typeof regex === 'string' ? { regex } : {}),
        headers: Array.isArray(m.headers) ? m.headers.filter(isObject).map(headerMatch) : [],
      },
      target: target(r),
      mirrors: mirrors(r),
    }
  })
}

/**
 * The typed section of an Envoy admin config dump (`pilot-agent request GET config_dump`), e.g.
 * ClustersConfigDump, with keys camelCased; undefined when the dump has none.
 */
function dumpSection(dump: unknown, type: string): Json | undefined {
  const data = camelize(dump)
  const configs = isObject(data) && Array.isArray(data.configs) ? data.configs.filter(isObject) : []
  return configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${type}`)
}

const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : [])

/** The names of every cluster of a config dump (its ClustersConfigDump), e.g. outbound|80||catalog.... */
export function clusterNames(dump: unknown): string[] {
  const section = dumpSection(dump, 'ClustersConfigDump')
  if (!section) throw new Error('the config dump has no ClustersConfigDump')
  return [...objects(section.staticClusters), ...objects(section.dynamicActiveClusters)]
    .map((c) => (isObject(c.cluster) ? c.cluster.name : undefined))
    .filter((name): name is string => typeof name === 'string' && name !== '')
}

/**
 * Where a sidecar sends a connection to an address the mesh does not know: the TCP proxy
 * cluster of the filter chain without a match in its `virtualOutbound` listener (Istio names it
 * virtualOutbound-catchall-tcp): PassthroughCluster under ALLOW_ANY, BlackHoleCluster under
 * REGISTRY_ONLY. Its chain that matches destination port 15001 only stops loops and is not the
 * fallback. Throws when the dump has no such listener or the fallback is not one TCP proxy.
 */
export function outboundFallback(dump: unknown): string {
  const section = dumpSection(dump, 'ListenersConfigDump')
  if (!section) throw new Error('the config dump has no ListenersConfigDump')
  const virtual = objects(section.dynamicListeners).find((l) => l.name === 'virtualOutbound')
  const listener = isObject(virtual?.activeState) ? virtual.activeState.listener : undefined
  if (!isObject(listener)) throw new Error('the config dump has no virtualOutbound listener')
  const chains = [...objects(listener.filterChains), ...objects([listener.defaultFilterChain])]
  const catchAll = chains.filter(
    (c) => !isObject(c.filterChainMatch) || Object.keys(c.filterChainMatch).length === 0,
  )
  const clusters = catchAll.flatMap((c) =>
    objects(c.filters).map((f) => (isObject(f.typedConfig) ? f.typedConfig.cluster : undefined)),
  )
  const [cluster] = clusters
  if (clusters.length !== 1 || typeof cluster !== 'string')
    throw new Error(`virtualOutbound has ${clusters.length} catch-all TCP proxies, expected one`)
  return cluster
}

/** The clusters a route sends to (one, or each weighted one). */
export function targetClusters(route: RouteView): string[] {
  if (route.target.kind === 'cluster') return [route.target.cluster]
  if (route.target.kind === 'weighted') return route.target.clusters.map((c) => c.name)
  return []
}

/** Istio's outbound cluster name: outbound|<port>|<subset>|<fqdn>. */
export const outboundCluster = (port: number, subset: string, fqdn: string): string =>
  `outbound|${port}|${subset}|${fqdn}`

/** One line per route, for evidence and diagnostics. */
export function describeRoutes(routes: readonly RouteView[]): string[] {
  return routes.map((r) => {
    const where =
      r.match.prefix !== undefined
        ? `prefix ${r.match.prefix}`
        : r.match.path !== undefined
          ? `path ${r.match.path}`
          : r.match.regex !== undefined
            ? `regex ${r.match.regex}`
            : 'any'
    const headers = r.match.headers.map(
      (h) =>
        `${h.name}${h.exact !== undefined ? `=${h.exact}` : h.prefix !== undefined ? `^=${h.prefix}` : h.regex !== undefined ? `~${h.regex}` : ''}`,
    )
    const to =
      r.target.kind === 'cluster'
        ? r.target.cluster
        : r.target.kind === 'weighted'
          ? r.target.clusters.map((c) => `${c.name} (${c.weight})`).join(', ')
          : r.target.kind
    const mirror = r.mirrors.map((m) => ` mirror ${m.cluster} ${m.percent}%`).join('')
    return `#${r.index} ${where}${headers.length ? ` headers ${headers.join(' ')}` : ''} -> ${to}${mirror}`
  })
}

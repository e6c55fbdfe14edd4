/**
 * A small model of how Envoy dispatches a connection and routes a request, over an Envoy admin
 * config dump (the shape `pilot-agent request GET config_dump` prints: proto field names in
 * snake_case), for the in-memory lab: it routes each simulated call through the configuration
 * Istio's own control plane computed (helpers/testing/istio-golden), instead of an idea of Istio
 * of our own. Pure.
 *
 * What it models, each from Envoy's source (envoyproxy/envoy, main as of 2026):
 * - the listener for a connection's original destination: the one bound to that address and
 *   port, else to 0.0.0.0 and that port, else the `virtualOutbound` listener itself (a sidecar's
 *   iptables redirect; use_original_dst hands the connection over);
 * - the filter chain: source/common/listener_manager/filter_chain_manager_impl.cc findFilterChain,
 *   level by level (destination port, destination IP, server name, transport protocol,
 *   application protocols), the most specific entry of each level and no backtracking to a less
 *   specific one once a level has chosen; no match: the default filter chain;
 * - the virtual host by authority: source/common/router/config_impl.cc RouteMatcher::findVirtualHost
 *   (lower case; the port dropped when the route configuration ignores it; exact domain, then
 *   the longest `*suffix`, then the longest `prefix*`, then `*`);
 * - routes in order, the first match wins: path prefix (the whole :path, query included),
 *   exact path and safe_regex (without the query), path_separated_prefix, case_sensitive;
 *   header matchers (source/common/http/header_utility.cc matchHeaders: a missing header
 *   matches only `present_match: false`, or is read as empty with
 *   treat_missing_header_as_empty; invert_match; repeated values joined with ','), with
 *   string_match exact/prefix/suffix/contains (ignore_case) and safe_regex (a full match);
 * - weighted clusters: a value uniform in [0, total weight) picks the cluster whose cumulative
 *   range holds it (source/common/router/weighted_cluster_specifier.cc);
 * - request mirror policies: a request is mirrored with probability numerator/denominator of
 *   runtime_fraction.default_value (denominator absent: HUNDRED, FractionalPercent's default),
 *   always without runtime_fraction;
 * - direct responses, redirects, and a cluster the dump does not define (503, flag NC).
 *
 * Anything else that decides routing (query parameter matchers, a route's runtime_fraction,
 * cluster_header, inline route configurations...) is refused with an error naming it, never
 * ignored: a model that silently skipped a condition would route wrongly without saying so.
 */

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : [])
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** A connection as the sidecar or gateway sees it: its original destination and what the inspectors found. */
export interface Connection {
  readonly address: string
  readonly port: number
  /** raw_buffer for plaintext, tls when the client speaks TLS (Envoy's tls_inspector). */
  readonly transport: 'raw_buffer' | 'tls'
  /** The HTTP inspector's protocol for plaintext (http/1.1, h2c), or TLS ALPN. */
  readonly applicationProtocols?: readonly string[]
  /** TLS SNI; absent for plaintext or a client that sends none (a bare IP address). */
  readonly serverName?: string
}

/** What a network filter chain does with the connection. */
export type NetworkFilter =
  | { readonly kind: 'http'; readonly routeConfig: string }
  | { readonly kind: 'tcp'; readonly cluster: string }

export type Dispatch =
  /** No listener takes this destination (a gateway without the port, say): the connection is refused. */
  | { readonly kind: 'refused' }
  /** A listener, but no filter chain matches and it has no default: Envoy closes the connection. */
  | { readonly kind: 'closed'; readonly listener: string }
  | {
      readonly kind: 'chain'
      readonly listener: string
      readonly chain: string
      readonly filter: NetworkFilter
    }

export interface HttpRequest {
  readonly authority: string
  /** The :path, query string included. */
  readonly path: string
  readonly method?: string
  /** Request headers; names in any case. */
  readonly headers?: Readonly<Record<string, string>>
}

export interface Mirror {
  readonly cluster: string
  /** Whether Envoy appends -shadow to the mirrored Host (disable_shadow_host_suffix_append unset). */
  readonly hostSuffixAppended: boolean
}

export type RouteDecision =
  /** No virtual host takes the authority: 404, response flag NR. */
  | { readonly kind: 'no-virtual-host' }
  /** The virtual host has no route that matches: 404, response flag NR. */
  | { readonly kind: 'no-route'; readonly virtualHost: string }
  | {
      readonly kind: 'cluster'
      readonly virtualHost: string
      /** The route's name; Envoy logs %ROUTE_NAME% as "-" for a route without one. */
      readonly route: string | undefined
      readonly cluster: string
      /** The mirror policies that fired for this request. */
      readonly mirrors: readonly Mirror[]
    }
  /** The route names a cluster the configuration does not have: 503, response flag NC. */
  | {
      readonly kind: 'unknown-cluster'
      readonly virtualHost: string
      readonly route: string | undefined
      readonly cluster: string
    }
  | {
      readonly kind: 'direct-response'
      readonly virtualHost: string
      readonly route: string | undefined
      readonly status: number
      readonly body: string
    }
  | { readonly kind: 'redirect'; readonly virtualHost: string; readonly route: string | undefined }

/** The result of one HTTP request sent on a new connection through a proxy. */
export type HttpOutcome =
  | Exclude<Dispatch, { kind: 'chain' }>
  /** The chain proxies the bytes as TCP to a cluster (an HTTP request on a TCP chain, say). */
  | { readonly kind: 'tcp'; readonly listener: string; readonly chain: string; readonly cluster: string }
  | {
      readonly kind: 'http'
      readonly listener: string
      readonly chain: string
      readonly routeConfig: string
      readonly decision: RouteDecision
    }

/** A number in [0, 1), as Math.random: the lab passes its seeded generator. */
export type Random = () => number

/** Envoy's cluster types as the dump states them (STATIC, EDS, STRICT_DNS, ORIGINAL_DST...). */
export interface ClusterInfo {
  readonly name: string
  readonly type: string
}

interface Listener {
  readonly name: string
  readonly address: string
  readonly port: number
  readonly chains: readonly Json[]
  readonly defaultChain: Json | undefined
}

const VIRTUAL_LISTENERS = new Set(['virtualOutbound', 'virtualInbound'])

/** Route-match fields this model evaluates; any other set field is refused. */
const MODELLED_MATCH = new Set([
  'prefix',
  'path',
  'safe_regex',
  'path_separated_prefix',
  'case_sensitive',
  'headers',
])
/** Fields of a route that do not decide where it goes. */
const INERT_ROUTE_FIELDS = new Set([
  'name',
  'match',
  'route',
  'direct_response',
  'redirect',
  'metadata',
  'decorator',
  'typed_per_filter_config',
  'request_headers_to_add',
  'request_headers_to_remove',
  'response_headers_to_add',
  'response_headers_to_remove',
  'tracing',
  'per_request_buffer_limit_bytes',
  'stat_prefix',
])
const FILTER_CHAIN_LEVELS = [
  'destination_port',
  'prefix_ranges',
  'server_names',
  'transport_protocol',
  'application_protocols',
] as const

const DENOMINATORS: Readonly<Record<string, number>> = {
  HUNDRED: 100,
  TEN_THOUSAND: 10_000,
  MILLION: 1_000_000,
}

function section(dump: unknown, type: string): Json | undefined {
  const configs = isObject(dump) ? objects(dump.configs) : []
  return configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${type}`)
}

/** An IPv4 address as a number, or undefined for anything else. */
function ipv4(address: string): number | undefined {
  const parts = address.split('.')
  if (parts.length !== 4) return undefined
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN))
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return undefined
  return bytes.reduce((n, b) => n * 256 + b, 0)
}

/** The prefix length with which a CIDR range holds the address, or -1. */
function cidrHolds(range: Json, address: string): number {
  const prefix = str(range.address_prefix) ?? ''
  const length = Number(range.prefix_len ?? 32)
  const a = ipv4(address)
  const p = ipv4(prefix)
  if (a === undefined || p === undefined) return prefix === address ? 128 : -1
  const block = 2 ** (32 - length)
  return Math.floor(a / block) === Math.floor(p / block) ? length : -1
}

/** The port start of an authority, as HeaderUtility::getPortStart: the last ':' not inside [IPv6]. */
function withoutPort(authority: string): string {
  const colon = authority.lastIndexOf(':')
  if (colon < 0) return authority
  const v6End = authority.lastIndexOf(']')
  return v6End < 0 || v6End < colon ? authority.slice(0, colon) : authority
}

function fullMatch(regex: string, value: string): boolean {
  return new RegExp(`^(?:${regex})$`).test(value)
}

/** envoy.type.matcher.v3.StringMatcher. */
function stringMatches(m: Json, value: string): boolean {
  const ignoreCase = m.ignore_case === true
  const v = ignoreCase ? value.toLowerCase() : value
  const want = (key: string) => {
    const s = str(m[key]) ?? ''
    return ignoreCase ? s.toLowerCase() : s
  }
  if (m.exact !== undefined) return v === want('exact')
  if (m.prefix !== undefined) return v.startsWith(want('prefix'))
  if (m.suffix !== undefined) return v.endsWith(want('suffix'))
  if (m.contains !== undefined) return v.includes(want('contains'))
  if (isObject(m.safe_regex)) return fullMatch(str(m.safe_regex.regex) ?? '', value)
  throw new Error(`string matcher ${JSON.stringify(m)} is not modelled`)
}

/** One HeaderMatcher against the request's headers (names lower case). */
function headerMatches(h: Json, headers: ReadonlyMap<string, string>): boolean {
  const name = (str(h.name) ?? '').toLowerCase()
  const invert = h.invert_match === true
  let value = headers.get(name)
  if (h.present_match !== undefined) {
    const present = h.present_match === true
    return (value !== undefined ? present : !present) !== invert
  }
  if (value === undefined) {
    if (h.treat_missing_header_as_empty !== true) return false
    value = ''
  }
  let match: boolean
  if (isObject(h.string_match)) match = stringMatches(h.string_match, value)
  else if (h.exact_match !== undefined) match = h.exact_match === '' || value === h.exact_match
  else if (h.prefix_match !== undefined) match = value.startsWith(String(h.prefix_match))
  else if (h.suffix_match !== undefined) match = value.endsWith(String(h.suffix_match))
  else if (h.contains_match !== undefined) match = value.includes(String(h.contains_match))
  else if (isObject(h.safe_regex_match)) match = fullMatch(str(h.safe_regex_match.regex) ?? '', value)
  else if (isObject(h.range_match)) {
    const n = /^-?\d+$/.test(value) ? Number(value) : Number.NaN
    match = n >= Number(h.range_match.start) && n < Number(h.range_match.end)
  }
  // No specifier: the header must be present (HeaderData's default).
  else match = true
  return match !== invert
}

function routeMatches(route: Json, request: HttpRequest, headers: ReadonlyMap<string, string>): boolean {
  const m = isObject(route.match) ? route.match : {}
  const unmodelled = Object.keys(m).filter(
    (k) => !MODELLED_MATCH.has(k) && !(Array.isArray(m[k]) && (m[k] as unknown[]).length === 0),
  )
  if (unmodelled.length)
    throw new Error(`route match ${unmodelled.join(', ')} is not modelled (route ${JSON.stringify(m)})`)
  const caseSensitive = m.case_sensitive !== false
  const fold = (s: string) => (caseSensitive ? s : s.toLowerCase())
  const path = request.path
  const bare = path.replace(/[?#].*$/, '')
  let pathOk: boolean
  if (typeof m.prefix === 'string') pathOk = fold(path).startsWith(fold(m.prefix))
  else if (typeof m.path === 'string') pathOk = fold(bare) === fold(m.path)
  else if (isObject(m.safe_regex)) pathOk = fullMatch(str(m.safe_regex.regex) ?? '', bare)
  else if (typeof m.path_separated_prefix === 'string') {
    const p = fold(m.path_separated_prefix)
    pathOk = fold(bare) === p || fold(bare).startsWith(`${p}/`)
  } else throw new Error(`route match without a path specifier is not modelled (${JSON.stringify(m)})`)
  return pathOk && objects(m.headers).every((h) => headerMatches(h, headers))
}

/**
 * An Envoy configuration as a config dump holds it: listeners, route configurations and
 * clusters, read once. Throws on a dump without them.
 */
export class EnvoyConfig {
  readonly clusters: ReadonlyMap<string, ClusterInfo>
  private readonly listeners: readonly Listener[]
  private readonly routeConfigs: ReadonlyMap<string, Json>

  constructor(dump: unknown) {
    const clusters = section(dump, 'ClustersConfigDump')
    const listeners = section(dump, 'ListenersConfigDump')
    const routes = section(dump, 'RoutesConfigDump')
    if (!clusters || !listeners || !routes)
      throw new Error('the config dump lacks clusters, listeners or routes')
    this.clusters = new Map(
      [...objects(clusters.static_clusters), ...objects(clusters.dynamic_active_clusters)]
        .map((c) => (isObject(c.cluster) ? c.cluster : {}))
        .filter((c) => typeof c.name === 'string')
        .map((c) => [String(c.name), { name: String(c.name), type: str(c.type) ?? 'EDS' }]),
    )
    this.listeners = [...objects(listeners.static_listeners), ...objects(listeners.dynamic_listeners)].map(
      (l) => {
        const listener =
          isObject(l.active_state) && isObject(l.active_state.listener) ? l.active_state.listener : l
        const socket =
          isObject(listener.address) && isObject(listener.address.socket_address)
            ? listener.address.socket_address
            : {}
        return {
          name: String(listener.name ?? l.name ?? ''),
          address: str(socket.address) ?? '',
          port: Number(socket.port_value ?? 0),
          chains: objects(listener.filter_chains),
          defaultChain: isObject(listener.default_filter_chain) ? listener.default_filter_chain : undefined,
        }
      },
    )
    this.routeConfigs = new Map(
      [...objects(routes.static_route_configs), ...objects(routes.dynamic_route_configs)]
        .map((c) => c.route_config)
        .filter(isObject)
        .map((c) => [String(c.name), c]),
    )
  }

  /** The listener for a connection's original destination, and the filter chain that takes it. */
  dispatch(connection: Connection): Dispatch {
    const bound = this.listeners.filter((l) => !VIRTUAL_LISTENERS.has(l.name))
    const listener =
      bound.find((l) => l.address === connection.address && l.port === connection.port) ??
      bound.find((l) => (l.address === '0.0.0.0' || l.address === '::') && l.port === connection.port) ??
      this.listeners.find((l) => l.name === 'virtualOutbound')
    if (!listener) return { kind: 'refused' }
    const chain = this.filterChain(listener, connection)
    if (!chain) return { kind: 'closed', listener: listener.name }
    return {
      kind: 'chain',
      listener: listener.name,
      chain: str(chain.name) ?? (chain === listener.defaultChain ? '(default)' : '(unnamed)'),
      filter: networkFilter(chain, listener.name),
    }
  }

  private filterChain(listener: Listener, c: Connection): Json | undefined {
    const matchOf = (chain: Json): Json =>
      isObject(chain.filter_chain_match) ? chain.filter_chain_match : {}
    for (const chain of listener.chains) {
      const extra = Object.keys(matchOf(chain)).filter(
        (k) =>
          !(FILTER_CHAIN_LEVELS as readonly string[]).includes(k) &&
          !(Array.isArray(matchOf(chain)[k]) && (matchOf(chain)[k] as unknown[]).length === 0),
      )
      if (extra.length)
        throw new Error(`filter chain match ${extra.join(', ')} of listener ${listener.name} is not modelled`)
    }
    const set = (chain: Json, level: string) => {
      const v = matchOf(chain)[level]
      return v !== undefined && !(Array.isArray(v) && v.length === 0)
    }
    // Each level narrows to the chains of the most specific entry the connection matches, or to
    // those that leave the level unset; nothing left means no chain (Envoy does not backtrack).
    const narrow = (chains: Json[], level: string, specificity: (chain: Json) => number): Json[] => {
      const scored = chains.filter((ch) => set(ch, level)).map((ch) => [ch, specificity(ch)] as const)
      const best = Math.max(-1, ...scored.map(([, s]) => s))
      return best >= 0
        ? scored.filter(([, s]) => s === best).map(([ch]) => ch)
        : chains.filter((ch) => !set(ch, level))
    }
    let candidates = [...listener.chains]
    candidates = narrow(candidates, 'destination_port', (ch) =>
      Number(matchOf(ch).destination_port) === c.port ? 0 : -1,
    )
    candidates = narrow(candidates, 'prefix_ranges', (ch) =>
      Math.max(-1, ...objects(matchOf(ch).prefix_ranges).map((r) => cidrHolds(r, c.address))),
    )
    candidates = narrow(candidates, 'server_names', (ch) => {
      const names = (matchOf(ch).server_names as unknown[]).map(String)
      if (!c.serverName) return -1
      if (names.includes(c.serverName)) return 10_000
      const wild = names.filter((n) => n.startsWith('*') && c.serverName?.endsWith(n.slice(1)))
      return wild.length ? Math.max(...wild.map((n) => n.length)) : -1
    })
    candidates = narrow(candidates, 'transport_protocol', (ch) =>
      matchOf(ch).transport_protocol === c.transport ? 0 : -1,
    )
    const protocols = c.applicationProtocols ?? []
    candidates = narrow(candidates, 'application_protocols', (ch) => {
      const listed = (matchOf(ch).application_protocols as unknown[]).map(String)
      // The connection's first protocol that some chain lists decides (Envoy tries them in order).
      const at = protocols.findIndex((p) => listed.includes(p))
      return at < 0 ? -1 : protocols.length - at
    })
    if (candidates.length > 1)
      throw new Error(
        `listener ${listener.name}: ${candidates.length} filter chains match the same connection`,
      )
    return candidates[0] ?? listener.defaultChain
  }

  /** The route configuration by name; throws when the dump does not hold it. */
  private routeConfig(name: string): Json {
    const config = this.routeConfigs.get(name)
    if (!config)
      throw new Error(
        `route configuration ${name} is not in the config dump (it holds ${[...this.routeConfigs.keys()].join(', ') || 'none'})`,
      )
    return config
  }

  /** The virtual host for an authority, as RouteMatcher::findVirtualHost chooses it. */
  virtualHost(routeConfig: string, authority: string): Json | undefined {
    const config = this.routeConfig(routeConfig)
    const hosts = objects(config.virtual_hosts)
    const host = (
      config.ignore_port_in_host_matching === true ? withoutPort(authority) : authority
    ).toLowerCase()
    const domains = hosts.flatMap((h) =>
      (Array.isArray(h.domains) ? h.domains : []).map((d) => [String(d).toLowerCase(), h] as const),
    )
    const exact = domains.find(([d]) => d === host)
    if (exact) return exact[1]
    const longestFirst = (a: readonly [string, Json], b: readonly [string, Json]) => b[0].length - a[0].length
    // A wildcard must leave at least one character: *.foo.com does not take .foo.com.
    const suffix = domains
      .filter(
        ([d]) => d.length > 1 && d.startsWith('*') && host.length > d.length - 1 && host.endsWith(d.slice(1)),
      )
      .sort(longestFirst)[0]
    if (suffix) return suffix[1]
    const prefix = domains
      .filter(
        ([d]) =>
          d.length > 1 && d.endsWith('*') && host.length > d.length - 1 && host.startsWith(d.slice(0, -1)),
      )
      .sort(longestFirst)[0]
    if (prefix) return prefix[1]
    return domains.find(([d]) => d === '*')?.[1]
  }

  /** Routes a request through a route configuration: virtual host, first matching route, its action. */
  route(routeConfig: string, request: HttpRequest, random: Random): RouteDecision {
    const vhost = this.virtualHost(routeConfig, request.authority)
    if (!vhost) return { kind: 'no-virtual-host' }
    const virtualHost = String(vhost.name ?? '')
    const headers = new Map<string, string>()
    for (const [k, v] of Object.entries(request.headers ?? {})) {
      const name = k.toLowerCase()
      headers.set(name, headers.has(name) ? `${headers.get(name)},${v}` : v)
    }
    headers.set(':authority', request.authority)
    headers.set(':path', request.path)
    headers.set(':method', request.method ?? 'GET')
    const route = objects(vhost.routes).find((r) => routeMatches(r, request, headers))
    if (!route) return { kind: 'no-route', virtualHost }
    const unmodelled = Object.keys(route).filter((k) => !INERT_ROUTE_FIELDS.has(k))
    if (unmodelled.length)
      throw new Error(`route field ${unmodelled.join(', ')} is not modelled (virtual host ${virtualHost})`)
    const name = str(route.name)
    if (isObject(route.direct_response)) {
      const body = isObject(route.direct_response.body) ? route.direct_response.body : {}
      return {
        kind: 'direct-response',
        virtualHost,
        route: name,
        status: Number(route.direct_response.status),
        body: str(body.inline_string) ?? '',
      }
    }
    if (isObject(route.redirect)) return { kind: 'redirect', virtualHost, route: name }
    if (!isObject(route.route)) throw new Error(`route without an action in virtual host ${virtualHost}`)
    const action = route.route
    const cluster = this.pickCluster(action, virtualHost, random)
    if (!this.clusters.has(cluster)) return { kind: 'unknown-cluster', virtualHost, route: name, cluster }
    return { kind: 'cluster', virtualHost, route: name, cluster, mirrors: mirrorsFired(action, random) }
  }

  private pickCluster(action: Json, virtualHost: string, random: Random): string {
    if (typeof action.cluster === 'string') return action.cluster
    if (isObject(action.weighted_clusters)) {
      const clusters = objects(action.weighted_clusters.clusters).map((c) => ({
        name: String(c.name),
        weight: Number(c.weight ?? 0),
      }))
      const total = clusters.reduce((s, c) => s + c.weight, 0)
      if (total <= 0) throw new Error(`weighted clusters with total weight 0 in virtual host ${virtualHost}`)
      const selected = Math.floor(random() * total)
      let end = 0
      for (const c of clusters) {
        end += c.weight
        if (selected < end) return c.name
      }
    }
    throw new Error(
      `route action ${JSON.stringify(Object.keys(action))} is not modelled (virtual host ${virtualHost})`,
    )
  }

  /** Sends one HTTP request on a new connection: the listener and chain, then, on an HTTP chain, the route. */
  sendHttp(connection: Connection, request: HttpRequest, random: Random): HttpOutcome {
    const dispatched = this.dispatch(connection)
    if (dispatched.kind !== 'chain') return dispatched
    const { listener, chain, filter } = dispatched
    if (filter.kind === 'tcp') return { kind: 'tcp', listener, chain, cluster: filter.cluster }
    return {
      kind: 'http',
      listener,
      chain,
      routeConfig: filter.routeConfig,
      decision: this.route(filter.routeConfig, request, random),
    }
  }
}

/** The terminal network filter of a chain: an HTTP connection manager (by RDS) or a TCP proxy. */
function networkFilter(chain: Json, listener: string): NetworkFilter {
  for (const f of objects(chain.filters)) {
    const config = isObject(f.typed_config) ? f.typed_config : {}
    if (f.name === 'envoy.filters.network.http_connection_manager') {
      const name = isObject(config.rds) ? str(config.rds.route_config_name) : undefined
      if (!name)
        throw new Error(`listener ${listener}: an HTTP connection manager without RDS is not modelled`)
      return { kind: 'http', routeConfig: name }
    }
    if (f.name === 'envoy.filters.network.tcp_proxy') {
      const cluster = str(config.cluster)
      if (!cluster) throw new Error(`listener ${listener}: a TCP proxy without one cluster is not modelled`)
      return { kind: 'tcp', cluster }
    }
  }
  throw new Error(`listener ${listener}: a filter chain without an HTTP connection manager or TCP proxy`)
}

function mirrorsFired(action: Json, random: Random): Mirror[] {
  return objects(action.request_mirror_policies).flatMap((p) => {
    const fraction =
      isObject(p.runtime_fraction) && isObject(p.runtime_fraction.default_value)
        ? p.runtime_fraction.default_value
        : undefined
    if (fraction) {
      const denominator = DENOMINATORS[str(fraction.denominator) ?? 'HUNDRED']
      if (denominator === undefined) throw new Error(`mirror denominator ${String(fraction.denominator)}`)
      const numerator = Number(fraction.numerator ?? 0)
      // Draw only when the outcome is not certain, so a 100% mirror consumes no randomness.
      const fires =
        numerator >= denominator
          ? true
          : numerator <= 0
            ? false
            : Math.floor(random() * denominator) < numerator
      if (!fires) return []
    }
    return [
      { cluster: String(p.cluster ?? ''), hostSuffixAppended: p.disable_shadow_host_suffix_append !== true },
    ]
  })
}

import { type HeaderMatch, type RouteView, targetClusters } from './inspect.js'

/**
 * Which route of a virtual host a request takes: Envoy evaluates a virtual host's routes in
 * order and takes the first whose path and header matchers all hold (envoy
 * source/common/router/config_impl.cc, RouteEntryImplBase::matchRoute). Header names match
 * case-insensitively; an absent header matches no value matcher (`present: false` and `invert`
 * flip that). Regex matchers are RE2 in Envoy; JavaScript's RegExp agrees on the anchored
 * patterns Istio generates. Pure.
 */
export interface RequestShape {
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
}

function headerHolds(m: HeaderMatch, headers: Readonly<Record<string, string>>): boolean {
  const key = Object.keys(headers).find((h) => h.toLowerCase() === m.name.toLowerCase())
  const value = key === undefined ? undefined : headers[key]
  let holds: boolean
  if (m.present !== undefined) holds = (value !== undefined) === m.present
  else if (value === undefined) holds = false
  else if (m.exact !== undefined) holds = value === m.exact
  else if (m.prefix !== undefined) holds = value.startsWith(m.prefix)
  else if (m.regex !== undefined) holds = new RegExp(`^(?:${m.regex})$`).test(value)
  else holds = true
  return m.invert ? !holds : holds
}

function pathHolds(route: RouteView, path: string): boolean {
  const { prefix, path: exact, regex } = route.match
  if (exact !== undefined) return path === exact
  if (prefix !== undefined) return path.startsWith(prefix)
  if (regex !== undefined) return new RegExp(`^(?:${regex})$`).test(path)
  return true
}

/** The first route the request matches, or undefined (Envoy answers 404). */
export function routeFor(routes: readonly RouteView[], request: RequestShape): RouteView | undefined {
  const headers = request.headers ?? {}
  return routes.find(
    (r) => pathHolds(r, request.path) && r.match.headers.every((m) => headerHolds(m, headers)),
  )
}

/**
 * Whether the table sends this request only to `cluster` (a single cluster, or weighted
 * clusters where every other weight is 0): the configuration a zero-tolerance check measures
 * is in the proxy.
 */
export function routesOnlyTo(routes: readonly RouteView[], request: RequestShape, cluster: string): boolean {
  const route = routeFor(routes, request)
  if (!route) return false
  if (route.target.kind === 'weighted')
    return route.target.clusters.every((c) => (c.name === cluster ? c.weight > 0 : c.weight === 0))
  return targetClusters(route).length === 1 && targetClusters(route)[0] === cluster
}

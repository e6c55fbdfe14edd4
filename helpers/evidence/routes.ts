import type { RouteView } from '../routes/inspect.js'
import { describeRoutes, targetClusters } from '../routes/inspect.js'
import type { BasicVerdict } from './basic.js'

/** The route table of one virtual host, and which order the check expects. */
export interface RouteOrderEvidence {
  readonly kind: 'route-order'
  readonly pod: string
  readonly routeName: string
  readonly virtualHost: string
  readonly header: { readonly name: string; readonly exact: string }
  readonly headerCluster: string
  readonly catchAllCluster: string
  /**
   * true: the header route must come first (it can match). false (the rules reversed): no
   * route the header could reach may precede the catch-all. Istio stops translating a
   * VirtualService's http rules at the first rule without a match (pilot route.go,
   * BuildHTTPRoutesForVirtualService, 1.17.8 to master), so the header route is normally
   * absent; it must never come first.
   */
  readonly expectHeaderFirst: boolean
  readonly routes: readonly RouteView[]
  /** What the API server warned while the VirtualService was applied (Istio >= 1.27 warns). */
  readonly admissionWarnings?: readonly string[]
  /** The warning this Istio version's webhook gives for the dropped rule; null: none (before 1.27). */
  readonly expectedWarning?: string | null
}

const headerMatches = (r: RouteView, h: { name: string; exact: string }) =>
  r.match.headers.some((m) => m.name === h.name && m.exact === h.exact && !m.invert)

export function judgeRouteOrder(ev: RouteOrderEvidence): BasicVerdict {
  const headerIndex = ev.routes.findIndex(
    (r) => headerMatches(r, ev.header) && targetClusters(r).includes(ev.headerCluster),
  )
  const catchAllIndex = ev.routes.findIndex(
    (r) => r.match.headers.length === 0 && targetClusters(r).includes(ev.catchAllCluster),
  )
  const table = describeRoutes(ev.routes).join(' | ')
  const details = { headerIndex, catchAllIndex, table, admissionWarnings: ev.admissionWarnings ?? [] }
  if (!ev.expectHeaderFirst) return judgeReversedOrder(ev, headerIndex, catchAllIndex, table, details)
  if (headerIndex < 0) {
    return {
      passed: false,
      cause: `no route matching ${ev.header.name}: ${ev.header.exact} to ${ev.headerCluster} in ${ev.virtualHost} (${table})`,
      details,
    }
  }
  if (catchAllIndex < 0) {
    return {
      passed: false,
      cause: `no catch-all route to ${ev.catchAllCluster} in ${ev.virtualHost} (${table})`,
      details,
    }
  }
  if (headerIndex < catchAllIndex) {
    return {
      passed: true,
      cause: `header route (#${headerIndex}) precedes the catch-all (#${catchAllIndex}) in ${ev.routeName} ${ev.virtualHost}`,
      details,
    }
  }
  return {
    passed: false,
    cause: `route order swapped: the catch-all (#${catchAllIndex}) precedes the header route (#${headerIndex}), so ${ev.header.name} never reaches ${ev.headerCluster}`,
    details,
  }
}

/**
 * The rules reversed (catch-all first): the header must reach no route before the catch-all.
 * Dropped (as istiod does) or listed after the catch-all, the header route can never match.
 */
function judgeReversedOrder(
  ev: RouteOrderEvidence,
  headerIndex: number,
  catchAllIndex: number,
  table: string,
  details: Readonly<Record<string, unknown>>,
): BasicVerdict {
  if (catchAllIndex < 0) {
    return {
      passed: false,
      cause: `no catch-all route to ${ev.catchAllCluster} in ${ev.virtualHost} (${table})`,
      details,
    }
  }
  if (headerIndex >= 0 && headerIndex < catchAllIndex) {
    return {
      passed: false,
      cause: `expected the catch-all first, found the header route at #${headerIndex} before it (#${catchAllIndex})`,
      details,
    }
  }
  const seen = ev.admissionWarnings ?? []
  const warning =
    seen.length > 0
      ? `; the API server warned: ${seen.join('; ')}`
      : ev.expectedWarning === null
        ? '; this Istio version drops the rule without a warning'
        : ''
  return {
    passed: true,
    cause:
      headerIndex < 0
        ? `${ev.routeName} ${ev.virtualHost} holds only the catch-all (#${catchAllIndex}): istiod dropped the header rule after the match-less rule, as Istio documents${warning}`
        : `catch-all (#${catchAllIndex}) precedes the header route (#${headerIndex}): the header route can never match${warning}`,
    details,
  }
}

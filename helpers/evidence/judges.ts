import { parseAccessLog } from '../logs/parse.js'
import type { RouteView } from '../routes/inspect.js'
import { describeRoutes, targetClusters } from '../routes/inspect.js'
import { judgeShare, type ShareEvidence, type ShareVerdict } from './verdict.js'

/**
 * Every kind of evidence a check can produce, and one pure judge for all of them, so any
 * verdict can be recomputed from saved evidence (`report rejudge`).
 */

/** The route table of one virtual host, and which order the check expects. */
export interface RouteOrderEvidence {
  readonly kind: 'route-order'
  readonly pod: string
  readonly routeName: string
  readonly virtualHost: string
  readonly header: { readonly name: string; readonly exact: string }
  readonly headerCluster: string
  readonly catchAllCluster: string
  /** true: the header route must come first (it can match); false: the catch-all comes first. */
  readonly expectHeaderFirst: boolean
  readonly routes: readonly RouteView[]
}

/** A proxy's access-log lines in the window, and which upstream cluster calls must use. */
export interface AccessLogClusterEvidence {
  readonly kind: 'access-log-cluster'
  readonly pod: readonly string[]
  /** Calls whose :authority starts with this are the ones judged, e.g. catalog.istioinaction. */
  readonly authorityPrefix: string
  readonly expectedCluster: string
  /** Request ids the sampler sent; the log is correlated with them where they appear. */
  readonly requestIds: readonly string[]
  /**
   * When no request id matches (a gateway that regenerates x-request-id), only calls the proxy
   * started at or after this time (the start of sampling, after convergence) are judged.
   */
  readonly notBefore: string
  readonly lines: readonly string[]
  readonly unknownLines: number
}

/** The convergence gate passed: K consecutive responses of the expected class. */
export interface ConvergedEvidence {
  readonly kind: 'converged'
  readonly expected: string
  readonly consecutive: number
  readonly requests: number
  readonly elapsedMs: number
}

/** A check that could not gather evidence (convergence timed out, a read failed). */
export interface UnobservedEvidence {
  readonly kind: 'unobserved'
  readonly reason: string
}

export type Evidence =
  | ShareEvidence
  | RouteOrderEvidence
  | AccessLogClusterEvidence
  | ConvergedEvidence
  | UnobservedEvidence

export interface BasicVerdict {
  readonly passed: boolean
  readonly cause: string
  readonly details?: Readonly<Record<string, unknown>>
}

export type Verdict = ShareVerdict | BasicVerdict

export function judge(evidence: Evidence): Verdict {
  switch (evidence.kind) {
    case 'ratio':
    case 'zero-tolerance':
      return judgeShare(evidence)
    case 'route-order':
      return judgeRouteOrder(evidence)
    case 'access-log-cluster':
      return judgeAccessLogCluster(evidence)
    case 'converged':
      return {
        passed: true,
        cause: `${evidence.consecutive} consecutive ${evidence.expected} responses after ${evidence.requests} requests (${(evidence.elapsedMs / 1000).toFixed(1)} s)`,
      }
    case 'unobserved':
      return { passed: false, cause: `not observed: ${evidence.reason}` }
  }
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
  const details = { headerIndex, catchAllIndex, table }
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
  const headerFirst = headerIndex < catchAllIndex
  if (headerFirst === ev.expectHeaderFirst) {
    return {
      passed: true,
      cause: headerFirst
        ? `header route (#${headerIndex}) precedes the catch-all (#${catchAllIndex}) in ${ev.routeName} ${ev.virtualHost}`
        : `catch-all (#${catchAllIndex}) precedes the header route (#${headerIndex}): the header route can never match`,
      details,
    }
  }
  return {
    passed: false,
    cause: headerFirst
      ? `expected the catch-all first, found the header route at #${headerIndex} before it (#${catchAllIndex})`
      : `route order swapped: the catch-all (#${catchAllIndex}) precedes the header route (#${headerIndex}), so ${ev.header.name} never reaches ${ev.headerCluster}`,
    details,
  }
}

export function judgeAccessLogCluster(ev: AccessLogClusterEvidence): BasicVerdict {
  const entries = ev.lines
    .map(parseAccessLog)
    .filter(
      (e): e is NonNullable<typeof e> =>
        e !== undefined && !e.tcp && (e.authority ?? '').startsWith(ev.authorityPrefix),
    )
  const ids = new Set(ev.requestIds)
  const correlated = entries.filter((e) => e.requestId !== null && ids.has(e.requestId))
  // Prefer the calls our own requests caused; fall back to every matching call in the window.
  const notBefore = Date.parse(ev.notBefore)
  const judged =
    correlated.length > 0
      ? correlated
      : entries.filter((e) => e.startTime !== null && Date.parse(e.startTime) >= notBefore)
  const method =
    correlated.length > 0
      ? 'correlated by x-request-id'
      : `calls started since ${ev.notBefore} (no request id matched)`
  const byCluster = new Map<string, number>()
  for (const e of judged)
    byCluster.set(e.upstreamCluster ?? '-', (byCluster.get(e.upstreamCluster ?? '-') ?? 0) + 1)
  const counts = Object.fromEntries(byCluster)
  const details = { method, judged: judged.length, counts, unknownLines: ev.unknownLines }
  if (judged.length === 0) {
    return {
      passed: false,
      cause: `no access-log line for calls to ${ev.authorityPrefix}* in the window (${ev.lines.length} lines read)`,
      details,
    }
  }
  const wrong = judged.filter((e) => e.upstreamCluster !== ev.expectedCluster)
  if (wrong.length > 0) {
    return {
      passed: false,
      cause: `${wrong.length} of ${judged.length} calls went to ${[...new Set(wrong.map((e) => e.upstreamCluster))].join(', ')}, not ${ev.expectedCluster} (${method})`,
      details,
    }
  }
  return {
    passed: true,
    cause: `all ${judged.length} calls went to ${ev.expectedCluster} (${method})`,
    details,
  }
}

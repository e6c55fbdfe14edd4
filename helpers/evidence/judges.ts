import {
  type CanaryStepsEvidence,
  type CanaryStepsEvidenceV2,
  type CanaryTimelineEvidence,
  judgeCanaryTimeline,
} from '../flagger/canary.js'
import {
  type AccessLogEntry,
  accessLogEntries,
  catalogRequests,
  describeTally,
  type LineTally,
} from '../logs/parse.js'
import type { RouteView } from '../routes/inspect.js'
import { describeRoutes, targetClusters } from '../routes/inspect.js'
import { clopperPearson, logCdf, logSf } from '../stats/binomial.js'
import { stepPower } from '../stats/canary-steps.js'
import { detectableErrorRate, errorCheckPasses } from '../stats/error-bound.js'
import { acceptanceRegion } from '../stats/fixed.js'
import {
  countOutcomes,
  formatCaughtRate,
  formatRate,
  judgeShare,
  type ShareEvidence,
  type ShareVerdict,
} from './verdict.js'

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
  /**
   * Kept so older run records still load; the judge counts unparsed lines from `lines` itself
   * (this field was always written as 0).
   */
  readonly unknownLines?: number
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

/** Mirrored requests seen by the mirror target, against the calls that should have been mirrored. */
export interface MirrorCountEvidence {
  readonly kind: 'mirror-count'
  /** webapp -> catalog calls during the measurement (one per successful /api/catalog). */
  readonly calls: number
  readonly requestIds: readonly string[]
  /** The mirror target's sidecar access-log lines (carry x-request-id). */
  readonly proxyLines: readonly string[]
  /** The mirror target's own request lines (catalog's morgan format). */
  readonly appLines: readonly string[]
  /**
   * The caller's (webapp's) proxy access-log lines in the window: its outbound calls carry the
   * x-request-id the mirror copies. The ingress gateway replaces the client's id on Istio >= 1.25
   * (Envoy >= 1.33), so these ids, not the sampler's, are what v2's proxy log can match.
   */
  readonly callerLines?: readonly string[]
  /**
   * Only the caller's calls started at or after this time (the start of the measured traffic)
   * are the ones mirrored for `calls`; the log window reaches a few seconds further back.
   */
  readonly notBefore?: string
  /** Share of mirrored requests that may be lost without failing (Envoy does not retry shadows). */
  readonly tolerance: number
}

/** The Host of mirrored requests, against what this Istio version is documented to do. */
export interface MirrorHostEvidence {
  readonly kind: 'mirror-host'
  readonly istioVersion: string
  /** true: -shadow expected; false: not expected; null: the version is unknown to the table. */
  readonly expectSuffix: boolean | null
  readonly why: string
  readonly appLines: readonly string[]
}

export interface LogEntryPattern {
  readonly tcp?: boolean
  readonly path?: string
  readonly responseCode?: number
  readonly flag?: string
  readonly details?: string
  readonly cluster?: string
  readonly routeName?: string
}

/** Access-log lines that must contain a matching entry, and may contain no forbidden one. */
export interface AccessLogMatchEvidence {
  readonly kind: 'access-log-match'
  readonly description: string
  readonly want: LogEntryPattern
  readonly forbid?: LogEntryPattern
  readonly lines: readonly string[]
  /** Optional: a command run in the pod whose failure is part of the evidence. */
  readonly exec?: {
    readonly command: readonly string[]
    readonly exitCode: number
    readonly stderr: string
    readonly expectFailure: boolean
  }
}

export type Evidence =
  | ShareEvidence
  | RouteOrderEvidence
  | AccessLogClusterEvidence
  | ConvergedEvidence
  | UnobservedEvidence
  | CanaryTimelineEvidence
  | CanaryStepsEvidence
  | MirrorCountEvidence
  | MirrorHostEvidence
  | AccessLogMatchEvidence

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
    case 'canary-timeline':
      return judgeCanaryTimeline(evidence)
    case 'canary-steps':
      return judgeCanarySteps(evidence)
    case 'mirror-count':
      return judgeMirrorCount(evidence)
    case 'mirror-host':
      return judgeMirrorHost(evidence)
    case 'access-log-match':
      return judgeAccessLogMatch(evidence)
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
 * A cause suffix for lines that were read but not parsed: "(12 lines read, none an access-log
 * line, e.g. ...)". Says so whenever lines were read and none parsed, so a format change cannot
 * pass as "no traffic".
 */
function unparsedNote(tally: LineTally, what: string): string {
  const sample = tally.unknown.samples[0]
  return tally.read > 0 && tally.requests === 0
    ? `${describeTally(tally)}; none was ${what}${sample ? `, e.g. ${JSON.stringify(sample.slice(0, 120))}` : ''}`
    : describeTally(tally)
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

export function judgeAccessLogCluster(ev: AccessLogClusterEvidence): BasicVerdict {
  const { entries: parsed, tally } = accessLogEntries(ev.lines)
  const entries = parsed.filter((e) => !e.tcp && (e.authority ?? '').startsWith(ev.authorityPrefix))
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
  const details = {
    method,
    judged: judged.length,
    counts,
    unknownLines: tally.unknown.count,
    lines: tally,
  }
  if (judged.length === 0) {
    return {
      passed: false,
      cause: `no access-log line for calls to ${ev.authorityPrefix}* in the window (${unparsedNote(tally, 'an access-log line')})`,
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

const pct = (x: number) => `${(100 * x).toFixed(1)}%`

/**
 * Each step's observed v2 share against its canaryWeight. Evidence since issue 12 names its
 * design and is judged with stated power (judgeCanaryStepsV2); older evidence by the exact
 * two-sided binomial test at alpha, as it was recorded: a step fails when its count is in
 * either tail of probability <= alpha/2.
 */
export function judgeCanarySteps(ev: CanaryStepsEvidence): BasicVerdict {
  if (ev.design === 'fixed-exact-v2') return judgeCanaryStepsV2(ev)
  const rows = ev.steps.map((s) => {
    const c = countOutcomes(s.outcomes)
    const n = c.v1 + c.v2
    const p = s.weight / 100
    const lowTail = n ? Math.exp(logCdf(c.v2, n, p)) : 1
    const highTail = n ? Math.exp(logSf(c.v2, n, p)) : 1
    const consistent = n > 0 && lowTail > ev.alpha / 2 && highTail > ev.alpha / 2
    return {
      weight: s.weight,
      n,
      v2: c.v2,
      errors: c.error,
      share: n ? c.v2 / n : null,
      interval: clopperPearson(c.v2, n, ev.alpha),
      consistent,
    }
  })
  const details = { steps: rows }
  if (rows.length === 0) return { passed: false, cause: 'no canaryWeight step was observed', details }
  const empty = rows.find((r) => r.n === 0)
  if (empty)
    return { passed: false, cause: `no responses were measured at canaryWeight ${empty.weight}`, details }
  const bad = rows.find((r) => !r.consistent)
  if (bad) {
    return {
      passed: false,
      cause: `at canaryWeight ${bad.weight} the v2 share was ${pct(bad.share ?? 0)} (${bad.v2}/${bad.n}), inconsistent with ${bad.weight}% at alpha ${ev.alpha}`,
      details,
    }
  }
  return {
    passed: true,
    cause: rows.map((r) => `${r.weight}%: ${pct(r.share ?? 0)} of ${r.n}`).join(', '),
    details,
  }
}

/**
 * What a step's test catches, in words: "a share <= 5.0% or >= 15.0%", rounded outward to
 * 0.1% so the words never claim a share the test does not catch.
 */
function catches(p0: number, below: number | null, above: number | null): string {
  const down = (x: number) => `${(Math.floor(x * 1000 + 1e-9) / 10).toFixed(1)}%`
  const up = (x: number) => `${(Math.ceil(x * 1000 - 1e-9) / 10).toFixed(1)}%`
  const sides = [
    below === null ? null : `<= ${down(p0 - below)}`,
    above === null ? null : `>= ${up(p0 + above)}`,
  ].filter((x): x is string => x !== null)
  return sides.length ? `a share ${sides.join(' or ')}` : 'no share at all'
}

/**
 * Each step by the smallest fixed-n exact test with stated power: its last `needed` counted
 * responses (the furthest from the weight change) pass when the v2 count lies in the
 * equal-tailed acceptance region at alpha. With `needed` responses it fails a share off by
 * the indifference with probability >= 1 - beta; with fewer it is judged on what it has and
 * the verdict states the shares it could catch instead. Errors of all steps are pooled under
 * the error bound. The check's false-failure bound is alpha per step, summed over the steps.
 */
function judgeCanaryStepsV2(ev: CanaryStepsEvidenceV2): BasicVerdict {
  const spec = { delta: ev.delta, alpha: ev.alpha, beta: ev.beta }
  const rows = ev.steps.map((s) => {
    const p0 = s.weight / 100
    const counted = s.outcomes.replaceAll('e', '')
    const power = stepPower(p0, counted.length, spec)
    const used = counted.slice(counted.length - power.n)
    const v2 = countOutcomes(used).v2
    const region = acceptanceRegion(power.n, p0, ev.alpha)
    return {
      weight: s.weight,
      available: counted.length,
      n: power.n,
      needed: power.needed,
      v2,
      errors: countOutcomes(s.outcomes).error,
      share: power.n ? v2 / power.n : null,
      interval: clopperPearson(v2, power.n, ev.alpha),
      passRange: [region.low, region.high] as const,
      full: power.full,
      catchesBelow: power.below === null ? null : p0 - power.below,
      catchesAbove: power.above === null ? null : p0 + power.above,
      consistent: power.n > 0 && v2 >= region.low && v2 <= region.high,
      what: catches(p0, power.below, power.above),
    }
  })
  const requests = ev.steps.reduce((sum, s) => sum + s.outcomes.length, 0)
  const errors = rows.reduce((sum, r) => sum + r.errors, 0)
  const errorOk = errorCheckPasses(errors, requests, ev.errorBound)
  const power = ev.errorBound.power ?? 0.999
  const detectableRate = detectableErrorRate(requests, ev.errorBound, power)
  const details = {
    steps: rows,
    alphaPerStep: ev.alpha,
    checkAlpha: ev.alpha * rows.length,
    beta: ev.beta,
    errorCheck: {
      passed: errorOk,
      errors,
      requests,
      maxRate: ev.errorBound.maxRate,
      alpha: ev.errorBound.alpha,
      detectableRate,
      power,
    },
  }
  const errorsText = `errors ${errors} of ${requests} under the ${formatRate(ev.errorBound.maxRate)} bound, ${
    detectableRate === null
      ? `too few requests to fail any error rate with probability ${power}`
      : `which fails an error rate of ${formatCaughtRate(detectableRate)} with probability ${power}`
  }`
  if (rows.length === 0) return { passed: false, cause: 'no canaryWeight step was observed', details }
  const empty = rows.find((r) => r.n === 0)
  if (empty)
    return { passed: false, cause: `no responses were measured at canaryWeight ${empty.weight}`, details }
  const bad = rows.find((r) => !r.consistent)
  if (bad) {
    return {
      passed: false,
      cause: `at canaryWeight ${bad.weight} the v2 share was ${pct(bad.share ?? 0)} (${bad.v2} of the last ${bad.n} responses), outside ${bad.passRange[0]}..${bad.passRange[1]}, the exact test's pass range at alpha ${ev.alpha.toExponential(0)}`,
      details,
    }
  }
  if (!errorOk)
    return {
      passed: false,
      cause: `${errors} errors in ${requests} requests during the steps exceed the error bound (rate <= ${ev.errorBound.maxRate})`,
      details,
    }
  const stepsText = rows
    .map(
      (r) =>
        `${r.weight}%: ${pct(r.share ?? 0)} of ${r.n} (${r.full ? '' : `${r.needed} needed; only `}catches ${r.what})`,
    )
    .join(', ')
  return {
    passed: true,
    cause: `${stepsText}, each with probability >= ${1 - ev.beta} at alpha ${ev.alpha.toExponential(0)} per step; ${errorsText}`,
    details,
  }
}

/** Inbound /items calls in a proxy's access log, and how its lines were read. */
function inboundItems(lines: readonly string[]): { entries: AccessLogEntry[]; tally: LineTally } {
  const { entries, tally } = accessLogEntries(lines)
  return { entries: entries.filter((e) => !e.tcp && (e.path ?? '').startsWith('/items')), tally }
}

/** The mirror target's /items request lines, and how its lines were read. */
function itemRequests(lines: readonly string[]) {
  const { entries, tally } = catalogRequests(lines)
  return { requests: entries.filter((l) => l.path === '/items'), tally }
}

export function judgeMirrorCount(ev: MirrorCountEvidence): BasicVerdict {
  const needed = Math.ceil(ev.calls * (1 - ev.tolerance))
  if (ev.calls === 0)
    return { passed: false, cause: 'no webapp -> catalog calls were made, so nothing could be mirrored' }
  const v2 = inboundItems(ev.proxyLines)
  const caller = ev.callerLines ? accessLogEntries(ev.callerLines) : undefined
  // The ids the mirror copies: the sampler's where they survive the gateway, else the ids of
  // the caller's own outbound calls to catalog, read from the caller's proxy log.
  const sources: [string, Set<string>][] = [
    ['the x-request-id the sampler sent', new Set(ev.requestIds)],
    [
      "the x-request-id of webapp's outbound /items calls (its proxy log)",
      new Set(
        (caller?.entries ?? [])
          .filter(
            (e) =>
              !e.tcp &&
              (e.path ?? '').startsWith('/items') &&
              e.requestId !== null &&
              (ev.notBefore === undefined ||
                (e.startTime !== null && Date.parse(e.startTime) >= Date.parse(ev.notBefore))),
          )
          .map((e) => e.requestId as string),
      ),
    ],
  ]
  const lines = { v2Proxy: v2.tally, ...(caller ? { caller: caller.tally } : {}) }
  for (const [source, ids] of sources) {
    const correlated = new Set(
      v2.entries.filter((e) => e.requestId !== null && ids.has(e.requestId)).map((e) => e.requestId),
    )
    if (correlated.size === 0) continue
    const by = source === sources[0]?.[0] ? 'x-request-id' : source
    const details = {
      method: `correlation by ${source}`,
      mirrored: correlated.size,
      calls: ev.calls,
      needed,
      lines,
    }
    return correlated.size >= needed
      ? {
          passed: true,
          cause: `${correlated.size} of ${ev.calls} requests reached v2 as mirrors (correlated by ${by})`,
          details,
        }
      : {
          passed: false,
          cause: `only ${correlated.size} of ${ev.calls} requests reached v2 as mirrors (at least ${needed} needed; correlated by ${by})`,
          details,
        }
  }
  const app = itemRequests(ev.appLines)
  const counted = app.requests.length
  const details = {
    method: 'counting /items lines (no request id matched)',
    mirrored: counted,
    calls: ev.calls,
    needed,
    lines: { ...lines, app: app.tally },
  }
  const unread =
    app.tally.read > 0 && app.tally.requests === 0 ? `; ${unparsedNote(app.tally, 'a request line')}` : ''
  return counted >= needed
    ? {
        passed: true,
        cause: `${counted} /items requests reached v2 for ${ev.calls} calls (counted)`,
        details,
      }
    : {
        passed: false,
        cause: `only ${counted} /items requests reached v2 for ${ev.calls} calls (at least ${needed} needed; counted${unread})`,
        details,
      }
}

export function judgeMirrorHost(ev: MirrorHostEvidence): BasicVerdict {
  const { requests, tally } = itemRequests(ev.appLines)
  const shadowed = requests.filter((r) => r.shadow).length
  const details = {
    lines: requests.length,
    shadowed,
    hosts: [...new Set(requests.map((r) => r.host))],
    read: tally,
  }
  if (requests.length === 0)
    return {
      passed: false,
      cause: `no mirrored request line to inspect${tally.read > 0 ? ` (${unparsedNote(tally, 'an /items request line')})` : ''}`,
      details,
    }
  if (ev.expectSuffix === null) {
    return {
      passed: false,
      cause: `Istio ${ev.istioVersion} is not in the behaviour table; ${shadowed} of ${requests.length} hosts end in -shadow`,
      details,
    }
  }
  if (ev.expectSuffix) {
    return shadowed === requests.length
      ? { passed: true, cause: `all ${requests.length} mirrored hosts end in -shadow (${ev.why})`, details }
      : {
          passed: false,
          cause: `${requests.length - shadowed} of ${requests.length} mirrored hosts lack -shadow, which Istio ${ev.istioVersion} appends (${ev.why})`,
          details,
        }
  }
  return shadowed === 0
    ? {
        passed: true,
        cause: `suffix not appended: expected for Istio ${ev.istioVersion} (${ev.why})`,
        details,
      }
    : {
        passed: false,
        cause: `${shadowed} of ${requests.length} mirrored hosts end in -shadow, which Istio ${ev.istioVersion} does not append (${ev.why})`,
        details,
      }
}

function matchesPattern(e: AccessLogEntry, p: LogEntryPattern): boolean {
  return (
    (p.tcp === undefined || e.tcp === p.tcp) &&
    (p.path === undefined || e.path === p.path) &&
    (p.responseCode === undefined || e.responseCode === p.responseCode) &&
    (p.flag === undefined || e.responseFlags.includes(p.flag)) &&
    (p.details === undefined || e.responseCodeDetails === p.details) &&
    (p.cluster === undefined || e.upstreamCluster === p.cluster) &&
    (p.routeName === undefined || e.routeName === p.routeName)
  )
}

export function judgeAccessLogMatch(ev: AccessLogMatchEvidence): BasicVerdict {
  const { entries, tally } = accessLogEntries(ev.lines)
  const found = entries.filter((e) => matchesPattern(e, ev.want))
  const forbidden = ev.forbid ? entries.filter((e) => matchesPattern(e, ev.forbid as LogEntryPattern)) : []
  const details = {
    entries: entries.length,
    matching: found.length,
    forbidden: forbidden.length,
    unknownLines: tally.unknown.count,
    lines: tally,
  }
  if (ev.exec?.expectFailure && ev.exec.exitCode === 0) {
    return {
      passed: false,
      cause: `${ev.exec.command.join(' ')} succeeded, but egress should be blocked`,
      details,
    }
  }
  if (forbidden.length) {
    const e = forbidden[0] as AccessLogEntry
    return {
      passed: false,
      cause:
        `found ${forbidden.length} forbidden line(s), e.g. ${e.responseCode} ${e.upstreamCluster ?? '-'} ${e.routeName ?? ''}`.trim(),
      details,
    }
  }
  if (found.length === 0)
    return {
      passed: false,
      cause: `no access-log line shows ${ev.description} (${entries.length} lines parsed; ${unparsedNote(tally, 'an access-log line')})`,
      details,
    }
  return { passed: true, cause: `${found.length} access-log line(s) show ${ev.description}`, details }
}

import { type AccessLogEntry, accessLogEntries, describeTally, type LineTally } from '../logs/parse.js'
import type { BasicVerdict } from './basic.js'

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
  /**
   * Judge only calls Envoy started at or after this time (the line's START_TIME). The lines are
   * read with a skew allowance before the window (helpers/logs/window.ts), so without it the
   * convergence gate's own calls just before the window count: under REGISTRY_ONLY the gate's
   * last Passthrough calls before the policy took effect, or block_all before a ServiceEntry did
   * (istiod pushes a change after its debounce, not at once), and a pod shared across scenarios
   * (the serial run's base lab) holds the calls of the scenario before.
   */
  readonly notBefore?: string
  /** Optional: a command run in the pod whose failure is part of the evidence. */
  readonly exec?: {
    readonly command: readonly string[]
    readonly exitCode: number
    readonly stderr: string
    readonly expectFailure: boolean
  }
}

/**
 * A cause suffix for lines that were read but not parsed: "(12 lines read, none an access-log
 * line, e.g. ...)". Says so whenever lines were read and none parsed, so a format change cannot
 * pass as "no traffic".
 */
export function unparsedNote(tally: LineTally, what: string): string {
  const sample = tally.unknown.samples[0]
  return tally.read > 0 && tally.requests === 0
    ? `${describeTally(tally)}; none was ${what}${sample ? `, e.g. ${JSON.stringify(sample.slice(0, 120))}` : ''}`
    : describeTally(tally)
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
  const { entries: parsed, tally } = accessLogEntries(ev.lines)
  const notBefore = ev.notBefore === undefined ? undefined : Date.parse(ev.notBefore)
  const entries =
    notBefore === undefined
      ? parsed
      : parsed.filter((e) => e.startTime !== null && Date.parse(e.startTime) >= notBefore)
  const found = entries.filter((e) => matchesPattern(e, ev.want))
  const forbidden = ev.forbid ? entries.filter((e) => matchesPattern(e, ev.forbid as LogEntryPattern)) : []
  const details = {
    entries: entries.length,
    matching: found.length,
    forbidden: forbidden.length,
    ...(ev.notBefore === undefined
      ? {}
      : { notBefore: ev.notBefore, before: parsed.length - entries.length }),
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

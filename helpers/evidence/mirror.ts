import { type AccessLogEntry, accessLogEntries, catalogRequests, type LineTally } from '../logs/parse.js'
import { unparsedNote } from './access-logs.js'
import type { BasicVerdict } from './basic.js'

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

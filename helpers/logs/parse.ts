/**
 * Parsers for the log lines the scenarios read. Pure.
 *
 * Envoy access log: Istio's default text format (meshConfig.accessLogFile without a custom
 * format). Field order, as documented for current Istio:
 *   [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"
 *   %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
 *   "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
 *   %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
 *   "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
 *   %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
 *   %REQUESTED_SERVER_NAME% %ROUTE_NAME%
 * Up to Istio 1.22 the cluster field is %UPSTREAM_CLUSTER% (same position; 1.23.0 switched,
 * istio/istio pilot/pkg/model/telemetry_logging.go, #52410). On newer Envoys that field shows
 * the cluster's alt_stat_name, which ends in ';' (istio/istio#52384, #54219); the parser strips
 * it so both variants yield the same cluster name.
 */

export interface AccessLogEntry {
  readonly kind: 'envoy-access'
  readonly startTime: string | null
  readonly method: string | null
  readonly path: string | null
  readonly protocol: string | null
  /** "- - -": a TCP connection (no HTTP request line). */
  readonly tcp: boolean
  readonly responseCode: number
  readonly responseFlags: readonly string[]
  readonly responseCodeDetails: string | null
  readonly bytesReceived: number
  readonly bytesSent: number
  readonly durationMs: number | null
  readonly userAgent: string | null
  readonly requestId: string | null
  readonly authority: string | null
  readonly upstreamHost: string | null
  readonly upstreamCluster: string | null
  /** True when the cluster carried the alt_stat_name delimiter (%UPSTREAM_CLUSTER% on newer Envoys). */
  readonly clusterHadStatSuffix: boolean
  readonly downstreamLocal: string | null
  readonly downstreamRemote: string | null
  readonly routeName: string | null
}

/** catalog's morgan line `:method :host :url :status :res[content-length] - :response-time ms`. */
export interface CatalogRequestLine {
  readonly kind: 'catalog-request'
  readonly method: string
  /** Host header without the port, e.g. catalog.istioinaction or catalog.istioinaction-shadow. */
  readonly host: string
  readonly port: number | null
  /** Envoy appends -shadow to the Host of mirrored requests (where the Istio version does). */
  readonly shadow: boolean
  readonly path: string
  readonly status: number | null
  readonly bytes: number | null
  readonly responseTimeMs: number | null
}

/** Lines the catalog app prints that are known and carry nothing the checks need. */
export interface KnownOtherLine {
  readonly kind: 'catalog-chatter' | 'json-server'
  readonly text: string
}

/** A line of istio-proxy's own log (pilot-agent or Envoy), not an access-log line. */
export interface ProxyAgentLine {
  readonly kind: 'proxy-agent'
  readonly text: string
}

export type ParsedLine = AccessLogEntry | CatalogRequestLine | KnownOtherLine

// ESC [ ... letter: SGR colour codes and other CSI sequences some loggers emit.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g')
export const stripAnsi = (line: string): string => line.replace(ANSI, '')

const dash = (v: string | undefined): string | null => (v === undefined || v === '-' ? null : v)
const num = (v: string | undefined): number | null =>
  v === undefined || v === '-' || v === '' ? null : Number(v)

/** Splits a line into bare and "quoted" tokens (quotes removed). */
function tokenize(line: string): { text: string; quoted: boolean }[] {
  const tokens: { text: string; quoted: boolean }[] = []
  const re = /"([^"]*)"|(\S+)/g
  for (let m = re.exec(line); m; m = re.exec(line)) {
    tokens.push(m[1] !== undefined ? { text: m[1], quoted: true } : { text: m[2] ?? '', quoted: false })
  }
  return tokens
}

export function parseAccessLog(raw: string): AccessLogEntry | undefined {
  const line = stripAnsi(raw).trim()
  let rest = line
  let startTime: string | null = null
  const ts = /^\[([^\]]+)\]\s+/.exec(line)
  if (ts) {
    startTime = ts[1] ?? null
    rest = line.slice(ts[0].length)
  }
  const t = tokenize(rest)
  // 21 fields; the request line, transport failure, XFF, UA, request id, authority and upstream host are quoted.
  if (t.length !== 21) return undefined
  const quotedAt = [0, 5, 10, 11, 12, 13, 14]
  if (!quotedAt.every((i) => t[i]?.quoted) || t.some((tok, i) => !quotedAt.includes(i) && tok.quoted))
    return undefined
  const f = t.map((tok) => tok.text)
  const requestLine = (f[0] ?? '').split(' ')
  if (requestLine.length !== 3) return undefined
  const code = Number(f[1])
  if (!Number.isInteger(code)) return undefined
  const rawCluster = f[15] ?? '-'
  const clusterHadStatSuffix = rawCluster.endsWith(';')
  const [method, path, protocol] = requestLine
  return {
    kind: 'envoy-access',
    startTime,
    method: dash(method),
    path: dash(path),
    protocol: dash(protocol),
    tcp: method === '-' && path === '-' && protocol === '-',
    responseCode: code,
    responseFlags: f[2] === '-' || f[2] === undefined ? [] : f[2].split(','),
    responseCodeDetails: dash(f[3]),
    bytesReceived: Number(f[6]),
    bytesSent: Number(f[7]),
    durationMs: num(f[8]),
    userAgent: dash(f[11]),
    requestId: dash(f[12]),
    authority: dash(f[13]),
    upstreamHost: dash(f[14]),
    upstreamCluster: dash(clusterHadStatSuffix ? rawCluster.slice(0, -1) : rawCluster),
    clusterHadStatSuffix,
    downstreamLocal: dash(f[17]),
    downstreamRemote: dash(f[18]),
    routeName: dash(f[20]),
  }
}

/**
 * The catalog app (istioinaction book sources, services/catalog/server.js) logs per request:
 * "request path: /items", "blowups: {}", "number of blowups: 0" (its blowup middleware), its
 * own morgan line ':method :host :url :status :res[content-length] - :response-time ms'
 * (:host is the Host header, with or without a port; morgan prints 3 decimals), and
 * json-server's default logger line in morgan's colourised 'dev' format
 * ':method :url :status :response-time ms - :res[content-length]'. At start it prints
 * "JSON Server is running"; faults print "rando is ...", "Sending a 500 blowup", ...
 */
const MORGAN = /^([A-Z]+) (\S+) (\S+) (\d{3}|-) (\d+|-) - ([\d.]+|-) ms$/
const JSON_SERVER = /^(?:([A-Z]+) (\S+) (\d{3}) ([\d.]+) ms - (\d+|-)|JSON Server is running)$/
const CHATTER =
  /^(request path: |blowups: |number of blowups: |rando is |Sending a 500 blowup|Sending a latency blowup|Dropping connection|altering blowup with |deleted blowup )/
/** pilot-agent ("2026-11-27T08:00:00.000000Z\tinfo\t...") and Envoy ("[2026-11-27 08:00:00.000][15][warning]...") lines. */
const PROXY_AGENT =
  /^(?:\d{4}-\d{2}-\d{2}T[\d:.]+Z\s+(?:debug|info|warn|warning|error|critical)\s|\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d+\]\[\d+\]\[\w+\])/

export function parseCatalogLine(raw: string): CatalogRequestLine | KnownOtherLine | undefined {
  const line = stripAnsi(raw).trim()
  const m = MORGAN.exec(line)
  if (m) {
    const hostPort = m[2] ?? ''
    const portMatch = /^(.*):(\d+)$/.exec(hostPort)
    const host = portMatch ? (portMatch[1] ?? '') : hostPort
    return {
      kind: 'catalog-request',
      method: m[1] ?? '',
      host,
      port: portMatch ? Number(portMatch[2]) : null,
      shadow: host.endsWith('-shadow'),
      path: m[3] ?? '',
      status: num(m[4]),
      bytes: num(m[5]),
      responseTimeMs: num(m[6]),
    }
  }
  if (JSON_SERVER.test(line)) return { kind: 'json-server', text: line }
  if (CHATTER.test(line)) return { kind: 'catalog-chatter', text: line }
  return undefined
}

/** An istio-proxy log line: an access-log entry, the proxy's own log, or undefined. */
export function parseProxyLine(raw: string): AccessLogEntry | ProxyAgentLine | undefined {
  const entry = parseAccessLog(raw)
  if (entry) return entry
  const line = stripAnsi(raw).trim()
  return PROXY_AGENT.test(line) ? { kind: 'proxy-agent', text: line } : undefined
}

export interface ParseResult<T> {
  readonly entries: readonly T[]
  /** Lines that matched no known format: counted, and a few kept as samples. */
  readonly unknown: { readonly count: number; readonly samples: readonly string[] }
}

/** Parses lines with one parser; unmatched lines are counted and sampled, never dropped silently. */
export function parseAll<T>(
  lines: readonly string[],
  parse: (line: string) => T | undefined,
  maxSamples = 5,
): ParseResult<T> {
  const entries: T[] = []
  const samples: string[] = []
  let count = 0
  for (const line of lines) {
    if (!line.trim()) continue
    const parsed = parse(line)
    if (parsed !== undefined) entries.push(parsed)
    else {
      count++
      if (samples.length < maxSamples) samples.push(line.slice(0, 300))
    }
  }
  return { entries, unknown: { count, samples } }
}

/** How a check's lines were read: parsed requests, known lines that are no request, unknown ones. */
export interface LineTally {
  readonly read: number
  readonly requests: number
  /** Known formats without a request in them (app chatter, json-server, the proxy's own log). */
  readonly notRequest: number
  readonly unknown: { readonly count: number; readonly samples: readonly string[] }
}

export interface RequestLines<T> {
  readonly entries: readonly T[]
  readonly tally: LineTally
}

function requestLines<T extends { kind: string }, R extends T>(
  lines: readonly string[],
  parse: (line: string) => T | undefined,
  isRequest: (line: T) => line is R,
): RequestLines<R> {
  const all = parseAll(lines, parse)
  const entries = all.entries.filter(isRequest)
  return {
    entries,
    tally: {
      read: lines.filter((l) => l.trim()).length,
      requests: entries.length,
      notRequest: all.entries.length - entries.length,
      unknown: all.unknown,
    },
  }
}

/** The catalog app's request lines, with every other line counted, never dropped silently. */
export function catalogRequests(lines: readonly string[]): RequestLines<CatalogRequestLine> {
  return requestLines(lines, parseCatalogLine, (l): l is CatalogRequestLine => l.kind === 'catalog-request')
}

/** istio-proxy's access-log entries, with every other line counted, never dropped silently. */
export function accessLogEntries(lines: readonly string[]): RequestLines<AccessLogEntry> {
  return requestLines(lines, parseProxyLine, (l): l is AccessLogEntry => l.kind === 'envoy-access')
}

/** "12 lines read, 3 no request line, 1 of unknown format", for causes and details. */
export function describeTally(t: LineTally): string {
  const parts = [`${t.read} ${t.read === 1 ? 'line' : 'lines'} read`]
  if (t.notRequest) parts.push(`${t.notRequest} not a request line`)
  if (t.unknown.count) parts.push(`${t.unknown.count} of unknown format`)
  return parts.join(', ')
}

import { describe, expect, it } from 'vitest'
import {
  accessLogEntries,
  catalogRequests,
  describeTally,
  parseAccessLog,
  parseAll,
  parseCatalogLine,
  parseProxyLine,
  stripAnsi,
} from './parse.js'

// Sample lines recorded in the lab on Istio 1.17.8 (../shared/reference/ch5-lab.md, "Sample lines").
const BLACKHOLE =
  '[2025-04-19T09:55:34.851Z] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - 185.199.109.133:443 10.10.0.19:34868 - -'
const BLOCK_ALL =
  '"GET /users HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "172.18.0.1" "Go-http-client/1.1" "04bef923-b182-94e9-a58d-e2d9f957693b" "jsonplaceholder.typicode.com" "-" - - 104.21.48.1:80 172.18.0.1:0 - block_all'
const FORUM_INBOUND =
  '"GET /api/users HTTP/1.1" 500 - via_upstream - "-" 0 28 0 0 "172.18.0.1" "beegoServer" "04bef923-b182-94e9-a58d-e2d9f957693b" "forum.istioinaction:80" "10.10.0.31:8080" inbound|8080|| 127.0.0.6:60487 10.10.0.31:8080 172.18.0.1:0 - default'
// Constructed from the documented default format: webapp's outbound call to the v1 subset,
// once as %UPSTREAM_CLUSTER_RAW% (Istio >= 1.23) and once as %UPSTREAM_CLUSTER% on a newer
// Envoy, where the alt_stat_name's trailing ';' shows.
const OUTBOUND_RAW =
  '[2026-11-27T07:00:00.000Z] "GET /items HTTP/1.1" 200 - via_upstream - "-" 0 502 3 2 "-" "beegoServer" "6c1f0c43-0000-4000-8000-000000000001" "catalog.istioinaction:80" "10.244.0.12:3000" outbound|80|version-v1|catalog.istioinaction.svc.cluster.local 10.244.0.9:41234 10.96.10.20:80 10.244.0.9:53210 - -'
const OUTBOUND_STAT_NAME = OUTBOUND_RAW.replace(
  'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local ',
  'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local; ',
)

describe('parseAccessLog', () => {
  it('reads a TCP BlackHoleCluster line with flag UH', () => {
    const e = parseAccessLog(BLACKHOLE)
    expect(e).toMatchObject({
      tcp: true,
      responseCode: 0,
      responseFlags: ['UH'],
      upstreamCluster: 'BlackHoleCluster',
      downstreamLocal: '185.199.109.133:443',
      startTime: '2025-04-19T09:55:34.851Z',
    })
  })

  it('reads the REGISTRY_ONLY direct response line without its timestamp', () => {
    const e = parseAccessLog(BLOCK_ALL)
    expect(e).toMatchObject({
      method: 'GET',
      path: '/users',
      responseCode: 502,
      responseCodeDetails: 'direct_response',
      authority: 'jsonplaceholder.typicode.com',
      upstreamCluster: null,
      routeName: 'block_all',
      startTime: null,
      requestId: '04bef923-b182-94e9-a58d-e2d9f957693b',
    })
  })

  it('reads an inbound line with its cluster', () => {
    expect(parseAccessLog(FORUM_INBOUND)).toMatchObject({
      responseCode: 500,
      userAgent: 'beegoServer',
      upstreamCluster: 'inbound|8080||',
      routeName: 'default',
    })
  })

  it('yields the same cluster for both field variants and says which it saw', () => {
    const raw = parseAccessLog(OUTBOUND_RAW)
    const stat = parseAccessLog(OUTBOUND_STAT_NAME)
    expect(raw?.upstreamCluster).toBe('outbound|80|version-v1|catalog.istioinaction.svc.cluster.local')
    expect(stat?.upstreamCluster).toBe(raw?.upstreamCluster)
    expect([raw?.clusterHadStatSuffix, stat?.clusterHadStatSuffix]).toEqual([false, true])
  })

  it('tolerates ANSI colour codes and rejects lines of other formats', () => {
    expect(parseAccessLog(`\u001b[32m${BLACKHOLE}\u001b[0m`)?.upstreamCluster).toBe('BlackHoleCluster')
    expect(parseAccessLog('2026-11-27T07:00:00Z info xdsproxy connected')).toBeUndefined()
    expect(parseAccessLog(BLACKHOLE.replace(' - -', ''))).toBeUndefined()
  })
})

describe('parseCatalogLine', () => {
  it('reads the morgan request line of catalog (ch5-lab.md)', () => {
    expect(parseCatalogLine('GET catalog.istioinaction:80 /items 200 502 - 0.651 ms')).toEqual({
      kind: 'catalog-request',
      method: 'GET',
      host: 'catalog.istioinaction',
      port: 80,
      shadow: false,
      path: '/items',
      status: 200,
      bytes: 502,
      responseTimeMs: 0.651,
    })
  })

  it('sees -shadow before the port on a mirrored request (Istio 1.17.8 sample)', () => {
    expect(parseCatalogLine('GET catalog.istioinaction-shadow:80 /items 200 698 - 0.619 ms')).toMatchObject({
      host: 'catalog.istioinaction-shadow',
      shadow: true,
      bytes: 698,
    })
  })

  it('knows json-server and catalog chatter lines, and nothing else', () => {
    expect(parseCatalogLine('GET /items 200 0.651 ms - 502')?.kind).toBe('json-server')
    expect(parseCatalogLine('request path: /items')?.kind).toBe('catalog-chatter')
    expect(parseCatalogLine('number of blowups: 0')?.kind).toBe('catalog-chatter')
    expect(parseCatalogLine('listening on 3000')).toBeUndefined()
  })
})

describe('parseAll', () => {
  it('counts and samples unknown lines instead of dropping them', () => {
    const result = parseAll(
      ['GET catalog.istioinaction:80 /items 200 502 - 0.651 ms', 'weird 1', '', 'weird 2'],
      parseCatalogLine,
      1,
    )
    expect(result.entries).toHaveLength(1)
    expect(result.unknown).toEqual({ count: 2, samples: ['weird 1'] })
  })

  it('strips colour codes', () => {
    expect(stripAnsi('\u001b[1;31mred\u001b[0m')).toBe('red')
  })
})

// Real output captured in the book's lab on Istio 1.16.1 (a public lab write-up of chapter 5):
// catalog v2 receiving a mirrored /items, its sidecar's inbound line (XFF with the client and
// webapp, authority with -shadow before the port, route "default"), and forum's lines for
// ALLOW_ANY ("allow_any") and REGISTRY_ONLY ("block_all").
const CAPTURED_CATALOG_V2 = [
  'request path: /items',
  'blowups: {}',
  'number of blowups: 0',
  'GET catalog.istioinaction-shadow:80 /items 200 698 - 1.408 ms',
  // json-server's logger: morgan's 'dev' format, colourised (expressjs/morgan index.js).
  '\u001b[0mGET /items \u001b[32m200\u001b[0m 1.408 ms - 698\u001b[0m',
]
const CAPTURED_V2_INBOUND_MIRROR =
  '[2023-01-07T08:13:56.333Z] "GET /items HTTP/1.1" 200 - via_upstream - "-" 0 698 4 3 "172.17.0.1,172.17.0.13" "beegoServer" "65b8876f-156a-96f6-86c9-9bb858de6b8b" "catalog.istioinaction-shadow:80" "172.17.0.8:3000" inbound|3000|| 127.0.0.6:40107 172.17.0.8:3000 172.17.0.13:0 outbound_.80_.version-v2_.catalog.istioinaction.svc.cluster.local default'
const CAPTURED_FORUM_ALLOW_ANY =
  '[2023-01-07T10:59:03.432Z] "GET /users HTTP/1.1" 200 - via_upstream - "-" 0 1847 65 64 "172.17.0.1" "Go-http-client/1.1" "e631fa32-fb6a-921a-8f58-e96f3dcac3d3" "jsonplaceholder.typicode.com" "104.21.55.162:80" PassthroughCluster 172.17.0.7:50460 104.21.55.162:80 172.17.0.1:0 - allow_any'

describe('real captured lines', () => {
  it('reads the mirrored request on v2: authority with -shadow, two XFF addresses, route default', () => {
    expect(parseAccessLog(CAPTURED_V2_INBOUND_MIRROR)).toMatchObject({
      path: '/items',
      bytesSent: 698,
      authority: 'catalog.istioinaction-shadow:80',
      requestId: '65b8876f-156a-96f6-86c9-9bb858de6b8b',
      upstreamCluster: 'inbound|3000||',
      routeName: 'default',
    })
    expect(parseAccessLog(CAPTURED_FORUM_ALLOW_ANY)).toMatchObject({
      upstreamCluster: 'PassthroughCluster',
      routeName: 'allow_any',
    })
  })

  it("reads catalog's output: one request line, the rest counted as not a request line", () => {
    const { entries, tally } = catalogRequests(['JSON Server is running', ...CAPTURED_CATALOG_V2])
    expect(entries).toEqual([
      {
        kind: 'catalog-request',
        method: 'GET',
        host: 'catalog.istioinaction-shadow',
        port: 80,
        shadow: true,
        path: '/items',
        status: 200,
        bytes: 698,
        responseTimeMs: 1.408,
      },
    ])
    expect(tally).toEqual({ read: 6, requests: 1, notRequest: 5, unknown: { count: 0, samples: [] } })
  })

  it('reads a mirror Host without a port, and the fault chatter', () => {
    expect(parseCatalogLine('GET catalog.istioinaction-shadow /items 200 698 - 0.612 ms')).toMatchObject({
      host: 'catalog.istioinaction-shadow',
      port: null,
      shadow: true,
    })
    for (const line of ['rando is 42 and percentage is 50', 'Sending a 500 blowup', 'Dropping connection'])
      expect(parseCatalogLine(line)?.kind).toBe('catalog-chatter')
  })

  it("counts istio-proxy's own log as not a request line and anything else as unknown", () => {
    const { entries, tally } = accessLogEntries([
      CAPTURED_V2_INBOUND_MIRROR,
      '2026-11-27T08:00:00.123456Z\tinfo\txdsproxy\tconnected to delta upstream XDS server: istiod.istio-system.svc:15012',
      '[2026-11-27 08:00:00.123][15][warning][config] [source/common/config/grpc_stream.h:193] StreamAggregatedResources gRPC config stream closed',
      'something else entirely',
    ])
    expect(entries).toHaveLength(1)
    expect(tally).toEqual({
      read: 4,
      requests: 1,
      notRequest: 2,
      unknown: { count: 1, samples: ['something else entirely'] },
    })
    expect(describeTally(tally)).toBe('4 lines read, 2 not a request line, 1 of unknown format')
    expect(parseProxyLine('GET /items')).toBeUndefined()
  })
})

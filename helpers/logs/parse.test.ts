import { describe, expect, it } from 'vitest'
import { parseAccessLog, parseAll, parseCatalogLine, stripAnsi } from './parse.js'

// Sample lines recorded in the lab on Istio 1.17.8 (../shared/reference/ch5-lab.md, "Sample lines").
const BLACKHOLE =
  '[2025-04-19T09:55:34.851Z] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - 185.199.109.133:443 10.10.0.19:34868 - -'
const BLOCK_ALL =
  '"GET /users HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "172.18.0.1" "Go-http-client/1.1" "04bef923-b182-94e9-a58d-e2d9f957693b" "jsonplaceholder.typicode.com" "-" - - 104.21.48.1:80 172.18.0.1:0 - block_all'
const FORUM_INBOUND =
  '"GET /api/users HTTP/1.1" 500 - via_upstream - "-" 0 28 0 0 "172.18.0.1" "beegoServer" "04bef923-b182-94e9-a58d-e2d9f957693b" "forum.istioinaction:80" "10.10.0.31:8080" inbound|8080|| 127.0.0.6:60487 10.10.0.31:8080 172.18.0.1:0 - default'
// Constructed from the documented default format: webapp's outbound call to the v1 subset,
// once as %UPSTREAM_CLUSTER_RAW% (Istio >= 1.24) and once as %UPSTREAM_CLUSTER% on a newer
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

import { describe, expect, it } from 'vitest'
import { outboundCluster } from '../routes/inspect.js'
import type { AccessLogClusterEvidence } from './access-logs.js'
import type { BasicVerdict } from './basic.js'
import { judge } from './index.js'
import type { MirrorCountEvidence } from './mirror.js'

// Lines in Istio's default access-log format; the mirror pair mirrors a real capture (Istio
// 1.16.1 lab write-up): webapp's outbound call and v2's inbound copy share the x-request-id.
const V1 = outboundCluster(80, 'version-v1', 'catalog.istioinaction.svc.cluster.local')
const outbound = (time: string, id: string) =>
  `[${time}] "GET /items HTTP/1.1" 200 - via_upstream - "-" 0 502 3 2 "172.18.0.1" "beegoServer" "${id}" "catalog.istioinaction:80" "10.244.0.12:3000" ${V1} 10.244.0.9:41234 10.96.10.20:80 10.244.0.9:53210 - -`
const mirrored = (id: string) =>
  `[2026-11-27T08:00:11.000Z] "GET /items HTTP/1.1" 200 - via_upstream - "-" 0 698 4 3 "172.18.0.1,10.244.0.9" "beegoServer" "${id}" "catalog.istioinaction-shadow:80" "10.244.0.13:3000" inbound|3000|| 127.0.0.6:40107 10.244.0.13:3000 10.244.0.9:0 outbound_.80_.version-v2_.catalog.istioinaction.svc.cluster.local default`
const AGENT = '2026-11-27T08:00:10.500000Z\tinfo\txdsproxy\tconnected to delta upstream XDS server'
const JUNK = 'a line of no known format'

const cluster = (lines: string[], unknownLines = 0): AccessLogClusterEvidence => ({
  kind: 'access-log-cluster',
  pod: ['webapp-1'],
  authorityPrefix: 'catalog.istioinaction',
  expectedCluster: V1,
  requestIds: ['client-1'],
  notBefore: '2026-11-27T08:00:10.000Z',
  lines,
  unknownLines,
})

describe('access-log judges count what they could not parse', () => {
  it('computes unknownLines from the lines, whatever the evidence field says', () => {
    const v = judge(cluster([outbound('2026-11-27T08:00:11.000Z', 'gw-1'), AGENT, JUNK, JUNK], 0))
    expect(v.passed).toBe(true)
    expect((v as BasicVerdict).details).toMatchObject({
      unknownLines: 2,
      lines: { read: 4, requests: 1, notRequest: 1, unknown: { count: 2, samples: [JUNK, JUNK] } },
    })
    // Old records without the field still judge.
    const { unknownLines: _, ...old } = cluster([outbound('2026-11-27T08:00:11.000Z', 'gw-1')])
    expect(judge(old).passed).toBe(true)
  })

  it('says so when it read lines but parsed none', () => {
    expect(judge(cluster([JUNK, AGENT])).cause).toBe(
      `no access-log line for calls to catalog.istioinaction* in the window (2 lines read, 1 not a request line, 1 of unknown format; none was an access-log line, e.g. "${JUNK}")`,
    )
    const match = judge({
      kind: 'access-log-match',
      description: 'BlackHoleCluster with flag UH',
      want: { tcp: true, cluster: 'BlackHoleCluster', flag: 'UH' },
      lines: [JUNK],
    })
    expect(match.cause).toBe(
      `no access-log line shows BlackHoleCluster with flag UH (0 lines parsed; 1 line read, 1 of unknown format; none was an access-log line, e.g. "${JUNK}")`,
    )
    expect((match as BasicVerdict).details).toMatchObject({ unknownLines: 1 })
  })

  it('mirror host: catalog chatter only is no request line, and says so', () => {
    const v = judge({
      kind: 'mirror-host',
      istioVersion: '1.17.8',
      expectSuffix: true,
      why: 'behaviour table',
      appLines: ['request path: /items', 'blowups: {}', 'number of blowups: 0'],
    })
    expect(v.cause).toBe(
      'no mirrored request line to inspect (3 lines read, 3 not a request line; none was an /items request line)',
    )
  })
})

describe('mirror count correlation when the gateway replaced the client ids', () => {
  const ids = Array.from({ length: 100 }, (_, i) => `6c1f0c43-0000-4000-8000-${String(i).padStart(12, '0')}`)
  const base: MirrorCountEvidence = {
    kind: 'mirror-count',
    calls: 100,
    // The sampler's ids never reach the mesh on Istio >= 1.25: the gateway generates new ones.
    requestIds: Array.from({ length: 100 }, (_, i) => `client-${i}`),
    proxyLines: ids.map(mirrored),
    appLines: [],
    tolerance: 0.01,
  }

  it("correlates v2's inbound copies with webapp's outbound calls, naming the log it used", () => {
    const v = judge({ ...base, callerLines: ids.map((id) => outbound('2026-11-27T08:00:11.000Z', id)) })
    expect(v).toMatchObject({
      passed: true,
      cause:
        "100 of 100 requests reached v2 as mirrors (correlated by the x-request-id of webapp's outbound /items calls (its proxy log))",
    })
  })

  it('fails when mirrors are missing for the calls webapp logged', () => {
    const v = judge({
      ...base,
      proxyLines: ids.slice(0, 90).map(mirrored),
      callerLines: ids.map((id) => outbound('2026-11-27T08:00:11.000Z', id)),
    })
    expect(v.passed).toBe(false)
    expect(v.cause).toMatch(
      /^only 90 of 100 requests reached v2 as mirrors \(at least 99 needed; correlated by the/,
    )
  })

  it('without the caller log and without matching ids, falls back to counting, and says unparsed lines', () => {
    const v = judge({ ...base, proxyLines: [], appLines: ['request path: /items'] })
    expect(v.cause).toBe(
      'only 0 /items requests reached v2 for 100 calls (at least 99 needed; counted; 1 line read, 1 not a request line; none was a request line)',
    )
  })
})

describe('access-log match: only the calls started since the window opened', () => {
  // forum's lines in Istio's default format: a block_all direct response and the
  // ServiceEntry's cluster (the shapes service-entry's check reads).
  const blockAll = (time: string) =>
    `[${time}] "GET /users HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "-" "Go-http-client/1.1" "id-${time}" "jsonplaceholder.typicode.com" "-" - - 104.21.0.1:80 10.244.0.11:40000 - block_all`
  const viaEntry = (time: string) =>
    `[${time}] "GET /users HTTP/1.1" 200 - via_upstream - "-" 0 5645 40 39 "-" "Go-http-client/1.1" "id-${time}" "jsonplaceholder.typicode.com" "172.18.0.20:80" outbound|80||jsonplaceholder.typicode.com 10.244.0.11:51000 104.21.0.1:80 10.244.0.11:40000 - -`
  const evidence = (lines: string[], notBefore?: string) => ({
    kind: 'access-log-match' as const,
    description: "the ServiceEntry's cluster",
    want: { path: '/users', cluster: 'outbound|80||jsonplaceholder.typicode.com' },
    forbid: { routeName: 'block_all' },
    lines,
    ...(notBefore ? { notBefore } : {}),
  })
  // The gate's last blocked call 2 s before the window: inside the read's 5 s skew allowance.
  const lines = [blockAll('2026-11-27T08:00:08.000Z'), viaEntry('2026-11-27T08:00:10.200Z')]

  it('ignores what Envoy started before notBefore, and says how many lines that was', () => {
    const v = judge(evidence(lines, '2026-11-27T08:00:10.000Z')) as BasicVerdict
    expect(v.passed).toBe(true)
    expect(v.details).toMatchObject({ entries: 1, forbidden: 0, before: 1 })
  })

  it('still fails on a forbidden call inside the window', () => {
    const v = judge(evidence([...lines, blockAll('2026-11-27T08:00:10.300Z')], '2026-11-27T08:00:10.000Z'))
    expect(v.passed).toBe(false)
    expect(v.cause).toBe('found 1 forbidden line(s), e.g. 502 - block_all')
  })

  it('without notBefore judges every line read (records written before the field)', () => {
    expect(judge(evidence(lines)).passed).toBe(false)
  })
})

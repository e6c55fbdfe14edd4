import { describe, expect, it } from 'vitest'
import { judge } from './index.js'
import { judgeShare } from './shares.js'

// catalog request lines (ch5-lab.md): a mirrored one with -shadow (Istio 1.17.8) and one without.
const SHADOW = 'GET catalog.istioinaction-shadow:80 /items 200 698 - 0.619 ms'
const PLAIN = 'GET catalog.istioinaction:80 /items 200 698 - 0.619 ms'
const inboundV2 = (id: string) =>
  `[2026-11-27T08:00:01.000Z] "GET /items HTTP/1.1" 200 - via_upstream - "-" 0 698 2 1 "-" "beegoServer" "${id}" "catalog.istioinaction-shadow:80" "10.244.0.13:3000" inbound|3000|| 127.0.0.6:40001 10.244.0.13:3000 10.244.0.9:0 - default`

describe('mirror count', () => {
  const base = {
    kind: 'mirror-count' as const,
    calls: 100,
    requestIds: Array.from({ length: 100 }, (_, i) => `id-${i}`),
    tolerance: 0.01,
  }

  it('correlates by request id when the ids reach the mirror target', () => {
    const v = judge({ ...base, proxyLines: base.requestIds.map(inboundV2), appLines: [] })
    expect(v).toMatchObject({
      passed: true,
      cause: '100 of 100 requests reached v2 as mirrors (correlated by x-request-id)',
    })
  })

  it('fails when too few or none arrive, saying which method was used', () => {
    expect(
      judge({ ...base, proxyLines: base.requestIds.slice(0, 50).map(inboundV2), appLines: [] }).cause,
    ).toBe('only 50 of 100 requests reached v2 as mirrors (at least 99 needed; correlated by x-request-id)')
    expect(judge({ ...base, proxyLines: [], appLines: [] }).cause).toBe(
      'only 0 /items requests reached v2 for 100 calls (at least 99 needed; counted)',
    )
  })

  it('counts request lines when no request id matches', () => {
    expect(judge({ ...base, proxyLines: [], appLines: Array(99).fill(SHADOW) }).passed).toBe(true)
  })
})

describe('mirror host suffix per Istio version', () => {
  const host = (expectSuffix: boolean | null, lines: string[], istioVersion = '1.17.8') =>
    judge({ kind: 'mirror-host', istioVersion, expectSuffix, why: 'behaviour table', appLines: lines })

  it('1.17: every mirrored host ends in -shadow, else fails', () => {
    expect(host(true, [SHADOW, SHADOW]).passed).toBe(true)
    expect(host(true, [SHADOW, PLAIN]).cause).toBe(
      '1 of 2 mirrored hosts lack -shadow, which Istio 1.17.8 appends (behaviour table)',
    )
  })

  it('1.28+: says the suffix is not appended by design instead of failing, and fails if it appears', () => {
    expect(host(false, [PLAIN], '1.30.5')).toMatchObject({
      passed: true,
      cause: 'suffix not appended: expected for Istio 1.30.5 (behaviour table)',
    })
    expect(host(false, [SHADOW], '1.30.5').passed).toBe(false)
  })

  it('fails with no lines at all', () => {
    expect(host(true, []).cause).toBe('no mirrored request line to inspect')
  })
})

// Lines recorded in the lab on Istio 1.17.8 (ch5-lab.md) and a PassthroughCluster line in the same format.
const BLACKHOLE =
  '[2025-04-19T09:55:34.851Z] "- - -" 0 UH - - "-" 0 0 0 - "-" "-" "-" "-" "-" BlackHoleCluster - 185.199.109.133:443 10.10.0.19:34868 - -'
const PASSTHROUGH =
  '[2025-04-19T09:55:34.851Z] "- - -" 0 - - - "-" 812 4200 90 - "-" "-" "-" "-" "185.199.109.133:443" PassthroughCluster 10.10.0.19:40000 185.199.109.133:443 10.10.0.19:34868 - -'
const BLOCK_ALL =
  '"GET /users HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "172.18.0.1" "Go-http-client/1.1" "04bef923-b182-94e9-a58d-e2d9f957693b" "jsonplaceholder.typicode.com" "-" - - 104.21.48.1:80 172.18.0.1:0 - block_all'
const VIA_SE =
  '[2026-11-27T08:00:00.000Z] "GET /users HTTP/1.1" 200 - via_upstream - "-" 0 5645 40 39 "172.18.0.1" "Go-http-client/1.1" "04bef923-b182-94e9-a58d-e2d9f957693b" "jsonplaceholder.typicode.com" "172.18.0.9:80" outbound|80||jsonplaceholder.typicode.com 10.244.0.20:51000 172.18.0.9:80 10.244.0.20:40000 - -'

describe('egress evidence', () => {
  const blackhole = (lines: string[], exitCode = 35) =>
    judge({
      kind: 'access-log-match',
      description: 'BlackHoleCluster with flag UH',
      want: { tcp: true, cluster: 'BlackHoleCluster', flag: 'UH' },
      forbid: { cluster: 'PassthroughCluster' },
      lines,
      exec: {
        command: ['curl', 'https://jsonplaceholder.typicode.com'],
        exitCode,
        stderr: '',
        expectFailure: true,
      },
    })

  it('passes a failed HTTPS call with a BlackHoleCluster UH line', () => {
    expect(blackhole([BLACKHOLE])).toMatchObject({
      passed: true,
      cause: '1 access-log line(s) show BlackHoleCluster with flag UH',
    })
  })

  it('fails when egress was not blocked: the call succeeded or went through PassthroughCluster', () => {
    expect(blackhole([PASSTHROUGH], 0).cause).toBe(
      'curl https://jsonplaceholder.typicode.com succeeded, but egress should be blocked',
    )
    expect(blackhole([BLACKHOLE, PASSTHROUGH]).cause).toBe(
      'found 1 forbidden line(s), e.g. 0 PassthroughCluster',
    )
  })

  it('fails /api/users answering 200 when 500 was expected, in words', () => {
    const v = judgeShare({
      kind: 'zero-tolerance',
      expected: 'v1',
      labels: { v1: 'blocked (500 error calling Forum service)', v2: 'allowed (200)' },
      leak: 0.01,
      beta: 1e-3,
      errorBound: { maxRate: 0, alpha: 1e-6 },
      outcomes: `${'1'.repeat(10)}2${'1'.repeat(700)}`,
    })
    expect(v.cause).toBe(
      '1 of 688 responses were allowed (200) (first at request 11); expected only blocked (500 error calling Forum service)',
    )
  })

  it('ServiceEntry: passes via its cluster, fails while forum still gets block_all', () => {
    const se = (lines: string[]) =>
      judge({
        kind: 'access-log-match',
        description: "the ServiceEntry's cluster outbound|80||jsonplaceholder.typicode.com",
        want: { path: '/users', cluster: 'outbound|80||jsonplaceholder.typicode.com' },
        forbid: { routeName: 'block_all' },
        lines,
      })
    expect(se([VIA_SE]).passed).toBe(true)
    expect(se([BLOCK_ALL]).cause).toBe('found 1 forbidden line(s), e.g. 502 - block_all')
  })
})

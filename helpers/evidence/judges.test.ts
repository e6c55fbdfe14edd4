import { describe, expect, it } from 'vitest'
import type { RouteView } from '../routes/inspect.js'
import {
  CATCH_ALL_TO_V1 as catchAll,
  HEADER_TO_V2 as headerRoute,
  CATALOG_V1 as V1,
  CATALOG_V2 as V2,
} from '../testing/route-views.js'
import type { AccessLogClusterEvidence } from './access-logs.js'
import { judge } from './index.js'
import type { RouteOrderEvidence } from './routes.js'

const order = (routes: RouteView[], expectHeaderFirst = true): RouteOrderEvidence => ({
  kind: 'route-order',
  pod: 'gw',
  routeName: 'http.8080',
  virtualHost: 'catalog.istioinaction.io:80',
  header: { name: 'x-istio-cohort', exact: 'internal' },
  headerCluster: V2,
  catchAllCluster: V1,
  expectHeaderFirst,
  routes,
})

describe('route order judge', () => {
  it('names a missing header route or catch-all, with the table', () => {
    expect(judge(order([catchAll])).cause).toMatch(
      /^no route matching x-istio-cohort: internal to outbound\|80\|version-v2/,
    )
    expect(judge(order([headerRoute])).cause).toMatch(/^no catch-all route to outbound\|80\|version-v1/)
  })

  it('passes the reversed table only when the reversal is expected', () => {
    const reversed = [
      { ...catchAll, index: 0 },
      { ...headerRoute, index: 1 },
    ]
    expect(judge(order(reversed, false))).toMatchObject({
      passed: true,
      cause: 'catch-all (#0) precedes the header route (#1): the header route can never match',
    })
    expect(judge(order([headerRoute, catchAll], false)).passed).toBe(false)
  })

  it('passes a reversed table that holds only the catch-all: istiod dropped the rule, as Istio documents', () => {
    expect(judge({ ...order([catchAll], false), expectedWarning: null })).toMatchObject({
      passed: true,
      cause:
        'http.8080 catalog.istioinaction.io:80 holds only the catch-all (#0): istiod dropped the header rule after the match-less rule, as Istio documents; this Istio version drops the rule without a warning',
    })
    const warned = judge({
      ...order([catchAll], false),
      expectedWarning: 'virtualService rule #1 not used (route without matches defined before)',
      admissionWarnings: ['virtualService rule #1 not used (route without matches defined before)'],
    })
    expect(warned.cause).toMatch(
      /; the API server warned: virtualService rule #1 not used \(route without matches defined before\)$/,
    )
    expect(judge(order([headerRoute], false)).cause).toMatch(/^no catch-all route/)
  })
})

// Webapp outbound lines in Istio's default format (see helpers/logs/parse.test.ts for the source).
const line = (time: string, id: string, cluster: string) =>
  `[${time}] "GET /items HTTP/1.1" 200 - via_upstream - "-" 0 502 3 2 "-" "beegoServer" "${id}" "catalog.istioinaction:80" "10.244.0.12:3000" ${cluster} 10.244.0.9:41234 10.96.10.20:80 10.244.0.9:53210 - -`

const logs = (lines: string[], requestIds: string[]): AccessLogClusterEvidence => ({
  kind: 'access-log-cluster',
  pod: ['webapp-1'],
  authorityPrefix: 'catalog.istioinaction',
  expectedCluster: V1,
  requestIds,
  notBefore: '2026-11-27T08:00:10.000Z',
  lines,
  unknownLines: 0,
})

describe('access-log cluster judge', () => {
  it('without matching request ids, judges only calls started since sampling began', () => {
    const verdict = judge(
      logs(
        [
          line('2026-11-27T08:00:09.000Z', 'gw-1', V2),
          line('2026-11-27T08:00:11.000Z', 'gw-2', V1),
          line('2026-11-27T08:00:12.000Z', 'gw-3', V1),
        ],
        ['ours-1'],
      ),
    )
    expect(verdict).toMatchObject({
      passed: true,
      cause: `all 2 calls went to ${V1} (calls started since 2026-11-27T08:00:10.000Z (no request id matched))`,
    })
  })

  it('fails with no matching line at all', () => {
    expect(judge(logs([], ['x'])).cause).toBe(
      'no access-log line for calls to catalog.istioinaction* in the window (0 lines read)',
    )
  })
})

import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('edge-route-order against the in-memory lab', () => {
  it("reads the gateway's http.8080 table in both orders and shows the header lost when reversed", async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['header-route-first', true],
      ['reversed-catch-all-first', true],
      ['reversed-shadows-header', true],
    ])
    // The two tables the checks judge, and the gate before the reversed measurement.
    const edge = {
      namespace: 'istio-system',
      labelSelector: 'app=istio-ingressgateway',
      routeName: 'http.8080',
      virtualHost: 'catalog.istioinaction.io:80',
    }
    expect(fake.routeFetches).toEqual([edge, edge, edge])
    expect(result.checks[0]?.cause).toBe(
      'header route (#0) precedes the catch-all (#1) in http.8080 catalog.istioinaction.io:80',
    )
    // Istio translates the reversed VirtualService up to its match-less rule: one route.
    const reversed = result.checks[1]?.evidence as unknown as { routes: unknown[] }
    expect(reversed.routes).toHaveLength(1)
    expect(result.checks[1]?.cause).toBe(
      'http.8080 catalog.istioinaction.io:80 holds only the catch-all (#0): istiod dropped the header rule after the match-less rule, as Istio documents; this Istio version drops the rule without a warning',
    )
    expect(fake.objects.size).toBe(0)
  })

  it("shows the webhook's warning for the dropped rule where Istio gives one (1.27 and later)", async () => {
    const fake = new FakeLab()
    fake.istio = '1.31.1'
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[1]?.passed).toBe(true)
    expect(result.checks[1]?.cause).toMatch(
      /; the API server warned: virtualService rule #1 not used \(route without matches defined before\)$/,
    )
  })

  it('fails when the table has the order swapped', async () => {
    const fake = new FakeLab()
    const fetch = fake.cluster.fetchRoutes
    fake.cluster.fetchRoutes = async (q) => {
      const r = await fetch(q)
      return { ...r, routes: [...r.routes].reverse().map((route, index) => ({ ...route, index })) }
    }
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[0]?.passed).toBe(false)
    expect(result.checks[0]?.cause).toMatch(
      /^route order swapped: the catch-all \(#0\) precedes the header route \(#1\)/,
    )
  })
})

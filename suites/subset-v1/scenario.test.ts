import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('subset-v1 against the in-memory lab', () => {
  it('deploys v1 and v2, pins the edge to version-v1 and sees no imageUrl', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(true)
    expect(fake.applied).toEqual(
      expect.arrayContaining([
        'Deployment/catalog-v2',
        'DestinationRule/catalog',
        'VirtualService/catalog-vs-from-gw',
      ]),
    )
    const check = result.checks[0]
    expect(check?.verdict).toMatchObject({
      procedure: 'zero-tolerance',
      n: 688,
      counts: { v1: 688, v2: 0, error: 0 },
    })
    expect(fake.objects.size).toBe(0)
  })

  it('fails on a v2 leak, naming how many and where', async () => {
    const fake = new FakeLab()
    let n = 0
    fake.override = () => (++n === 300 ? 'v2' : undefined)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(false)
    expect(result.checks[0]?.cause).toMatch(
      /^1 of \d+ responses were v2 \(first at request \d+\); expected only v1$/,
    )
    expect(fake.objects.size).toBe(0)
  })
})

describe('errors in a routing check', () => {
  it('a sporadic error is counted and shown but is no routing failure; many errors fail', async () => {
    const once = new FakeLab()
    let n = 0
    once.override = () => (++n === 100 ? 'error' : undefined)
    const result = await runScenario(scenario, once.adapters())
    expect(result.checks[0]?.passed).toBe(true)
    expect(result.checks[0]?.verdict).toMatchObject({
      counts: { error: 1 },
      errorCheck: { passed: true, errors: 1, maxRate: 0.001 },
    })

    const many = new FakeLab()
    let m = 0
    many.override = () => (++m > 10 && m % 20 === 0 ? 'error' : undefined)
    const failed = await runScenario(scenario, many.adapters())
    expect(failed.checks[0]?.cause).toMatch(
      /^\d+ errors in \d+ requests exceed the error bound \(rate <= 0\.001\)$/,
    )
  })

  it("does not measure on a stale mixed table: the gateway's table must send /items only to v1 first", async () => {
    const fake = new FakeLab()
    const fetch = fake.cluster.fetchRoutes
    fake.cluster.fetchRoutes = async (q) => {
      const r = await fetch(q)
      const stale = {
        kind: 'weighted' as const,
        clusters: [
          { name: 'outbound|80|version-v1|catalog.istioinaction.svc.cluster.local', weight: 90 },
          { name: 'outbound|80|version-v2|catalog.istioinaction.svc.cluster.local', weight: 10 },
        ],
      }
      return { ...r, routes: r.routes.map((route) => ({ ...route, target: stale })) }
    }
    const sampled = fake.probes.length
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[0]).toMatchObject({ passed: false })
    expect(result.checks[0]?.cause).toMatch(
      /^not observed: app=istio-ingressgateway http\.8080 sends \/items only to outbound\|80\|version-v1\|.*: not reached within 60 s; last state seen: #0 prefix \/ -> .*version-v1.* \(90\), .*version-v2.* \(10\)$/,
    )
    expect(fake.probes.length).toBe(sampled)
  })
})

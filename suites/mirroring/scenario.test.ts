import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('mirroring against the in-memory lab', () => {
  it('users see v1 while v2 logs every mirrored /items with -shadow on Istio 1.17', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['users-see-v1', true],
      ['v2-receives-mirror', true],
      ['shadow-host', true],
    ])
    // The gateway replaced the sampler's ids (Istio >= 1.25): the mirrors are matched with
    // webapp's own outbound calls, whose id the copy keeps.
    expect(result.checks[1]?.cause).toBe(
      "688 of 688 requests reached v2 as mirrors (correlated by the x-request-id of webapp's outbound /items calls (its proxy log))",
    )
    // The window's clock-skew allowance also takes in the convergence requests' mirrors.
    expect(result.checks[2]?.cause).toMatch(
      /^all \d+ mirrored hosts end in -shadow \(Envoy appends -shadow to the Host of mirrored requests\)$/,
    )
    expect(fake.logReads).toEqual(
      expect.arrayContaining([
        { namespace: 'istioinaction', labelSelector: 'app=catalog,version=v2', container: 'catalog' },
        { namespace: 'istioinaction', labelSelector: 'app=catalog,version=v2', container: 'istio-proxy' },
      ]),
    )
    expect(fake.objects.size).toBe(0)
  })

  it("correlates by the sampler's own ids where the gateway keeps them (the book's Istio)", async () => {
    const fake = new FakeLab()
    fake.gatewayKeepsClientRequestId = true
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[1]?.cause).toBe(
      '688 of 688 requests reached v2 as mirrors (correlated by x-request-id)',
    )
  })

  it('on Istio 1.30 says the suffix is not appended by design', async () => {
    const fake = new FakeLab()
    fake.istio = '1.30.5'
    fake.shadowSuffix = false
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[2]).toMatchObject({
      passed: true,
      cause: expect.stringMatching(/^suffix not appended: expected for Istio 1\.30\.5/),
    })
  })

  it('fails when Istio 1.17 does not append -shadow, and when the mirror is missing', async () => {
    const noSuffix = new FakeLab()
    noSuffix.shadowSuffix = false
    expect((await runScenario(scenario, noSuffix.adapters())).checks[2]?.passed).toBe(false)

    const noMirror = new FakeLab()
    const read = noMirror.cluster.readLogs
    noMirror.cluster.readLogs = async (q, w) => {
      const r = await read(q, w)
      return q.labelSelector.includes('version=v2') ? { ...r, lines: [] } : r
    }
    const result = await runScenario(scenario, noMirror.adapters())
    expect(result.checks[1]?.cause).toBe(
      'only 0 /items requests reached v2 for 688 calls (at least 682 needed; counted)',
    )
    expect(noMirror.objects.size).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import type { ShareVerdict } from '../../helpers/evidence/shares.js'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('weighted-shift against the in-memory lab', () => {
  it('gates on the route weights, then judges 90/10, 50/50 and 0/100', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['share-10', true],
      ['share-50', true],
      ['share-100', true],
    ])
    const share10 = result.checks[0]?.verdict as ShareVerdict
    expect(share10.procedure).toBe('sequential')
    expect(share10.requests).toBeLessThan(share10.oc.maxN)
    expect(share10.interval[0]).toBeLessThan(0.1)
    expect(fake.routeFetches.every((q) => q.labelSelector === 'app=webapp' && q.routeName === '80')).toBe(
      true,
    )
    expect(fake.applied.filter((a) => a === 'VirtualService/catalog')).toHaveLength(3)
    expect(fake.objects.size).toBe(0)
  })

  it('fails 90/10 when 50/50 is observed', async () => {
    const fake = new FakeLab()
    let n = 0
    fake.override = () => (n++ % 2 ? 'v2' : 'v1')
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[0]?.passed).toBe(false)
    expect(result.checks[0]?.cause).toMatch(/is inconsistent with the expected 10\.0%/)
    expect(result.checks[1]?.passed).toBe(true)
  })

  it('records an unobserved check when the weights never reach the sidecar', async () => {
    const fake = new FakeLab()
    fake.cluster.fetchRoutes = async () => ({ pod: 'webapp-1', routes: [] })
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.every((c) => !c.passed)).toBe(true)
    expect(result.checks[0]?.cause).toContain(
      "webapp's route to catalog weighted 90/10: not reached within 60 s; last state seen: no catch-all route",
    )
  })
})

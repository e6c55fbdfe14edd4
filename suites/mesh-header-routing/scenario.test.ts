import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('mesh-header-routing against the in-memory lab', () => {
  it('sends the cohort header through webapp and sees all v2 with it, all v1 without', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(true)
    expect(fake.probes[0]).toEqual({
      host: 'webapp.istioinaction.io',
      path: '/api/catalog',
      headers: { 'x-istio-cohort': 'internal' },
    })
    expect(fake.objects.size).toBe(0)
  })

  it('fails when webapp does not forward the header', async () => {
    const fake = new FakeLab()
    fake.override = (probe) => (probe.headers?.['x-istio-cohort'] ? 'v1' : undefined)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[0]?.passed).toBe(false)
    expect(result.checks[1]?.passed).toBe(true)
  })
})

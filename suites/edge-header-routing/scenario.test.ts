import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('edge-header-routing against the in-memory lab', () => {
  it('sends internal, no header and external, each judged with zero tolerance', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['internal-all-v2', true],
      ['no-header-all-v1', true],
      ['other-value-all-v1', true],
    ])
    expect(new Set(fake.probes.map((p) => p.headers?.['x-istio-cohort'] ?? 'none'))).toEqual(
      new Set(['internal', 'none', 'external']),
    )
    expect(fake.objects.size).toBe(0)
  })

  it('fails when the header is ignored', async () => {
    const fake = new FakeLab()
    fake.override = (probe) => (probe.headers?.['x-istio-cohort'] === 'internal' ? 'v1' : undefined)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(false)
    expect(result.checks[0]?.cause).toContain('not observed: 3 consecutive v2 responses')
    expect(result.checks.slice(1).every((c) => c.passed)).toBe(true)
  })
})

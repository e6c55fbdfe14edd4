import { describe, expect, it } from 'vitest'
import { loadManifest } from '../../helpers/manifests/load.js'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

describe('edge-routing against the in-memory lab', () => {
  it('applies catalog, the gateway and the VirtualService, probes the edge host, and cleans up', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(true)
    expect(result.checks.map((c) => [c.check, c.passed])).toEqual([
      ['converged', true],
      ['all-ok', true],
    ])
    expect(fake.applied).toEqual(
      expect.arrayContaining([
        'Deployment/catalog',
        'Service/catalog',
        'Gateway/catalog-gateway',
        'VirtualService/catalog-vs-from-gw',
      ]),
    )
    expect(
      fake.probes.every((p) => p.host === 'catalog.istioinaction.io' && p.path === '/items' && !p.headers),
    ).toBe(true)
    expect(result.cleanup.errors).toEqual([])
    expect(fake.objects.size).toBe(0)
  })

  it('fails naming the cause when the route answers errors, and still cleans up', async () => {
    const fake = new FakeLab()
    fake.override = () => 'error'
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(false)
    expect(result.checks[0]?.cause).toMatch(
      /^not observed: 3 consecutive v1 responses from catalog.istioinaction.io\/items: not reached/,
    )
    expect(result.checks[1]?.cause).toContain('not observed')
    expect(fake.objects.size).toBe(0)
  })

  it('puts back a catalog-v2 it had to remove', async () => {
    const v2 = loadManifest('apps/catalog-v2.yaml')
    const fake = new FakeLab(v2)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(true)
    expect(fake.deleted).toContain('Deployment/catalog-v2')
    expect(result.cleanup.restored).toEqual(['Deployment/catalog-v2'])
    expect([...fake.objects.values()].map((o) => o.metadata?.name)).toEqual(['catalog-v2'])
  })
})

describe('cleanup report', () => {
  it('lists only objects it really deleted', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.cleanup.deleted).not.toContain('Deployment/catalog-v2')
    expect(result.cleanup.deleted).toEqual(
      expect.arrayContaining(['Deployment/catalog', 'VirtualService/catalog-vs-from-gw']),
    )
  })
})

describe('errors after convergence', () => {
  it('fail all-ok with the error count, although convergence passed', async () => {
    const fake = new FakeLab()
    let n = 0
    fake.override = () => (++n > 100 && n % 50 === 0 ? 'error' : undefined)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[0]?.passed).toBe(true)
    expect(result.checks[1]?.passed).toBe(false)
    expect(result.checks[1]?.cause).toMatch(
      /^\d+ errors in \d+ requests exceed the error bound \(rate <= 0\.001\)$/,
    )
  })

  it('pass all-ok despite one stray error, as every check with the error bound does', async () => {
    const fake = new FakeLab()
    let n = 0
    fake.override = () => (++n === 200 ? 'error' : undefined)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks[1]).toMatchObject({ passed: true, verdict: { counts: { error: 1 } } })
  })
})

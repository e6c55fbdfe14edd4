import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import type { CanaryTimelineEvidence } from '../../helpers/evidence/canary.js'
import { runScenario } from '../../helpers/runner/scenario.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

/** The catalog pod specs the body applied to Deployment catalog, in order. */
function catalogSpecs(fake: FakeLab): string[] {
  const seen: string[] = []
  const apply = fake.cluster.apply
  fake.cluster.apply = async (objects: readonly KubernetesObject[]) => {
    for (const o of objects)
      if (o.kind === 'Deployment' && o.metadata?.name === 'catalog') {
        const text = JSON.stringify(o)
        seen.push(text.includes('"command"') ? 'failing' : text.includes('SHOW_IMAGE') ? 'v2' : 'v1')
      }
    return apply(objects)
  }
  return seen
}

describe('flagger-rollback against the in-memory lab', () => {
  it('rolls back a revision that answers errors, with the primary still on v1, and leaves nothing', async () => {
    const fake = new FakeLab()
    const specs = catalogSpecs(fake)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed, c.cause])).toEqual([
      [
        'rollback',
        true,
        'rolled back after weights 10: Canary failed! Scaling down catalog-release.istioinaction',
      ],
      ['primary-v1-after-rollback', true, expect.stringMatching(/^all 688 responses were v1/)],
    ])
    // catalog v1 behind webapp, the Canary, then the failing revision; never v2 (flagger-canary's).
    expect(specs).toEqual(['v1', 'failing'])
    expect(result.manifests).toEqual([
      'apps/catalog.yaml',
      'apps/webapp.yaml',
      'ch5/coolstore-gateway.yaml',
      'ch5/catalog-canary.yaml',
      'ch5/catalog-deployment-failing.yaml',
    ])
    // Flagger creates Service catalog itself: the scenario never applies one.
    expect(fake.applied).not.toContain('Service/catalog')
    expect(fake.applied).toEqual(expect.arrayContaining(['Canary/catalog-release']))
    expect(fake.loads).toHaveLength(1)
    expect(fake.loads[0]?.stopped).toBe(true)
    expect(fake.loads[0]?.probe).toEqual({ host: 'webapp.istioinaction.io', path: '/api/catalog' })
    expect(fake.objects.size).toBe(0)
  })

  it("runs a load small beside flagger-canary's that still reaches the canary in every 15 s scrape", async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    const load = fake.loads[0]
    expect(load?.rps).toBe(25)
    const timeline = result.checks.find((c) => c.check === 'rollback')?.evidence as CanaryTimelineEvidence
    const atTen = timeline.samples.filter((s) => s.phase === 'Progressing' && s.weight === 10)
    const failed = timeline.samples.find((s) => s.phase === 'Failed')
    expect(atTen.length).toBeGreaterThan(0)
    expect(failed).toBeDefined()
    const from = Date.parse(atTen[0]?.at ?? '')
    const to = Date.parse(failed?.at ?? '')
    // The failing revision answered only while it was the canary: every error falls between the
    // first read at weight 10 (less one 2 s status poll) and the read that saw Failed.
    const errors = (load?.records ?? []).filter((r) => r.class === 'error').map((r) => Date.parse(r.at))
    expect(errors.length).toBeGreaterThan(0)
    for (const at of errors) {
      expect(at).toBeGreaterThanOrEqual(from - 2_000)
      expect(at).toBeLessThanOrEqual(to)
    }
    // Prometheus scrapes every 15 s: each 15 s at weight 10 holds some of the canary's answers,
    // so Flagger's 1m rate has a value at every analysis (scenario.ts has the arithmetic).
    for (let t = from; t + 15_000 <= to; t += 15_000)
      expect(
        errors.filter((at) => at >= t && at < t + 15_000).length,
        `canary calls in [${t - from}, ${t - from + 15_000}) ms`,
      ).toBeGreaterThan(0)
  })

  it('fails the rollback check when the new revision does not fail its analysis', async () => {
    const fake = new FakeLab()
    // Flagger's metrics find nothing wrong with the revision: it is promoted, not rolled back.
    fake.failingSpecs = new Set()
    const result = await runScenario(scenario, fake.adapters())
    const rollback = result.checks.find((c) => c.check === 'rollback')
    expect(rollback?.passed).toBe(false)
    expect(rollback?.cause).toMatch(/^ended Succeeded, expected Failed/)
    expect(result.checks.find((c) => c.check === 'primary-v1-after-rollback')?.passed).toBe(false)
    expect(result.passed).toBe(false)
    expect(fake.loads[0]?.stopped).toBe(true)
    expect(fake.objects.size).toBe(0)
  })
})

describe('progress', () => {
  it('logs each change of the Canary status while it is watched', async () => {
    const fake = new FakeLab()
    await runScenario(scenario, fake.adapters())
    const prefix = 'flagger-rollback: Canary/catalog-release: '
    const progress = fake.lines.filter((l) => l.startsWith(prefix)).map((l) => l.replace(prefix, ''))
    expect(progress).toEqual(
      expect.arrayContaining([
        '{"phase":"Initialized","weight":0}',
        '{"phase":"Progressing","weight":10}',
        '{"phase":"Failed","weight":0}',
      ]),
    )
  })
})

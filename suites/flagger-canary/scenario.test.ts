import type { KubernetesObject } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../helpers/runner/scenario.js'
import { canaryLoadPlan } from '../../helpers/stats/canary-steps.js'
import { FakeLab } from '../../helpers/testing/fake-lab.js'
import { scenario } from './scenario.js'

/** The catalog pod specs the body applied to Deployment catalog, in order, and when. */
function catalogSpecs(fake: FakeLab): { spec: 'v1' | 'v2' | 'failing'; at: number }[] {
  const seen: { spec: 'v1' | 'v2' | 'failing'; at: number }[] = []
  const apply = fake.cluster.apply
  fake.cluster.apply = async (objects: readonly KubernetesObject[]) => {
    for (const o of objects)
      if (o.kind === 'Deployment' && o.metadata?.name === 'catalog') {
        const text = JSON.stringify(o)
        seen.push({
          spec: text.includes('"command"') ? 'failing' : text.includes('SHOW_IMAGE') ? 'v2' : 'v1',
          at: fake.now().getTime(),
        })
      }
    return apply(objects)
  }
  return seen
}

describe('flagger-canary against the in-memory lab', () => {
  it('promotes v2 step by step under steady load', async () => {
    const fake = new FakeLab()
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.map((c) => [c.check, c.passed, c.cause])).toEqual([
      ['weights-monotonic', true, 'canaryWeight 10, 20, 30, 40, 50 by 10'],
      ['phases', true, expect.stringMatching(/Progressing > Promoting > Finalising > Succeeded$/)],
      [
        'share-per-step',
        true,
        expect.stringMatching(
          /^10%: [\d.]+% of 2728 \(catches a share <= 5\.0% or >= 15\.0%\), 20%: .*, 50%: [\d.]+% of 1573 \(catches a share <= 40\.0% or >= 60\.0%\), each with probability >= 0\.999 at alpha 1e-6 per step; errors \d+ of \d+ under the 0\.1% bound/,
        ),
      ],
      ['all-v2-after', true, expect.any(String)],
    ])
    // Flagger creates Service catalog itself: the scenario never applies one.
    expect(fake.applied).not.toContain('Service/catalog')
    expect(fake.applied).toEqual(expect.arrayContaining(['Canary/catalog-release']))
    expect(fake.loads).toHaveLength(1)
    expect(fake.loads[0]?.stopped).toBe(true)
    expect(fake.loads[0]?.probe).toEqual({ host: 'webapp.istioinaction.io', path: '/api/catalog' })
    // The load rate gives each 20 s step the responses its exact test needs (helpers/stats).
    expect(fake.loads[0]?.rps).toBe(
      canaryLoadPlan({ stepMs: 20_000, settleMs: 2_000, pollMs: 500 }, [0.1, 0.2, 0.3, 0.4, 0.5]).rate,
    )
    expect(fake.objects.size).toBe(0)
  })

  it('analyses v2 right after the Canary is initialised: no failing revision, so no metric window to wait out', async () => {
    const fake = new FakeLab()
    const specs = catalogSpecs(fake)
    const result = await runScenario(scenario, fake.adapters())
    expect(result.passed).toBe(true)
    // v1 behind webapp, then v2: never a failing revision (that is flagger-rollback's).
    expect(specs.map((s) => s.spec)).toEqual(['v1', 'v2'])
    // Nothing in this namespace answered an error, so nothing counts against v2 in Flagger's
    // 1m window: v2 is applied as soon as the load runs (the split-off rollback waited 75 s here).
    const records = fake.loads[0]?.records ?? []
    expect(records.filter((r) => r.class === 'error')).toEqual([])
    const loadStart = Date.parse(records[0]?.at ?? '')
    expect(Math.abs((specs[1]?.at ?? 0) - loadStart)).toBeLessThan(1_000)
  })

  it('fails the good revision when it ends Failed, and stops the load', async () => {
    const fake = new FakeLab()
    fake.failingSpecs = new Set(['v2'])
    const result = await runScenario(scenario, fake.adapters())
    expect(result.checks.find((c) => c.check === 'phases')?.cause).toMatch(
      /^ended Failed, expected Succeeded/,
    )
    expect(result.checks.find((c) => c.check === 'weights-monotonic')?.passed).toBe(false)
    expect(result.checks.find((c) => c.check === 'all-v2-after')?.passed).toBe(false)
    expect(fake.loads[0]?.stopped).toBe(true)
    expect(fake.objects.size).toBe(0)
  })
})

describe('progress', () => {
  it('logs each change of the Canary status while it is watched', async () => {
    const fake = new FakeLab()
    await runScenario(scenario, fake.adapters())
    const progress = fake.lines.filter((l) => l.startsWith('flagger-canary: Canary/catalog-release: '))
    expect(progress.map((l) => l.replace('flagger-canary: Canary/catalog-release: ', ''))).toEqual(
      expect.arrayContaining([
        '{"phase":"Initialized","weight":0}',
        '{"phase":"Progressing","weight":10}',
        '{"phase":"Succeeded","weight":0}',
      ]),
    )
    // One line per change, not per sample.
    expect(new Set(progress).size).toBeGreaterThan(progress.length / 2)
  })
})

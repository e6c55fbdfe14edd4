import { describe, expect, it } from 'vitest'
import { DEFAULT_OPTIONS } from '../helpers/runner/define.js'
import { runScenario } from '../helpers/runner/scenario.js'
import { FakeLab } from '../helpers/testing/fake-lab.js'
import { scenario as flaggerCanary } from './flagger-canary/scenario.js'
import { scenario as flaggerRollback } from './flagger-rollback/scenario.js'

describe("the Flagger scenarios' Canary (suites/flagger.ts)", () => {
  it.each([flaggerCanary, flaggerRollback].map((s) => [s.id, s] as const))(
    '%s: analysis every 20 s by default, every 45 s with --book-timing, and passes with either',
    async (_id, definition) => {
      for (const [bookTiming, expected] of [
        [false, '20s'],
        [true, '45s'],
      ] as const) {
        const fake = new FakeLab()
        const apply = fake.cluster.apply
        let interval = ''
        fake.cluster.apply = async (objects) => {
          for (const o of objects)
            if (o.kind === 'Canary')
              interval = (o as { spec: { analysis: { interval: string } } }).spec.analysis.interval
          return apply(objects)
        }
        const result = await runScenario(definition, fake.adapters(), { ...DEFAULT_OPTIONS, bookTiming })
        expect(interval).toBe(expected)
        expect(result.passed, result.error).toBe(true)
      }
    },
    60_000,
  )

  it.each([flaggerCanary, flaggerRollback].map((s) => [s.id, s] as const))(
    '%s: stops its load and cleans up when something breaks mid-way',
    async (_id, definition) => {
      const broken = new FakeLab()
      broken.cluster.events = async () => {
        throw new Error('events unavailable')
      }
      const stopped = await runScenario(definition, broken.adapters())
      expect(stopped.error).toBe('events unavailable')
      expect(broken.loads).toHaveLength(1)
      expect(broken.loads[0]?.stopped).toBe(true)
      expect(broken.objects.size).toBe(0)
    },
    60_000,
  )
})

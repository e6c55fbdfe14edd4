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
})

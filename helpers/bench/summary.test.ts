import { describe, expect, it } from 'vitest'
import { benchSettings, delayFor, quantile, samplerFirst, spread } from './summary.js'

describe('benchSettings', () => {
  it('defaults to 20 000 requests, 5 rounds and 5 s per load rate', () => {
    expect(benchSettings({})).toEqual({ settings: { requests: 20_000, rounds: 5, loadSeconds: 5 } })
    expect(benchSettings({ BENCH_ROUNDS: '7', BENCH_LOAD_SECONDS: '2.5' })).toEqual({
      settings: { requests: 20_000, rounds: 7, loadSeconds: 2.5 },
    })
  })

  it('refuses fewer than 5 rounds, and non-numbers, with the fix', () => {
    expect(benchSettings({ BENCH_ROUNDS: '3' })).toEqual({
      error: 'BENCH_ROUNDS="3" is not an integer >= 5; unset it (default 5) or set e.g. BENCH_ROUNDS=5',
    })
    expect(benchSettings({ BENCH_REQUESTS: '1e9x' })).toHaveProperty('error')
    expect(benchSettings({ BENCH_REQUESTS: '2500.5' })).toHaveProperty('error')
    expect(benchSettings({ BENCH_LOAD_SECONDS: '0.5' })).toHaveProperty('error')
  })
})

describe('summaries', () => {
  it('spread gives min, median and max, the median of an even count halfway', () => {
    expect(spread([0.9, 0.5, 1.1, 0.95, 0.7])).toEqual({ min: 0.5, median: 0.9, max: 1.1 })
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2.5, max: 4 })
  })

  it('quantile is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i) // 100..1
    expect(quantile(values, 0.5)).toBe(50)
    expect(quantile(values, 0.99)).toBe(99)
    expect(quantile(values, 1)).toBe(100)
    expect(quantile([], 0.5)).toBeNaN()
  })

  it('alternates which client goes first', () => {
    expect([0, 1, 2, 3].map(samplerFirst)).toEqual([true, false, true, false])
  })
})

describe('the bench server', () => {
  it('answers /items at once and /delay/min-max after a delay in that range', () => {
    expect(delayFor('/items')).toEqual([0, 0])
    expect(delayFor('/delay/100-450')).toEqual([100, 450])
    expect(delayFor('/delay/450-100')).toBeUndefined()
    expect(delayFor('/other')).toBeUndefined()
  })
})

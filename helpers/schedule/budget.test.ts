import { describe, expect, it } from 'vitest'
import {
  type Demand,
  NO_DEMAND,
  overBudget,
  peakDemand,
  REQUEST_BUDGET,
  SAMPLER_CONNECTIONS,
  totalDemand,
  withinBudget,
} from './budget.js'

const demand = (samplerConnections: number, loadRps = 0): Demand => ({ samplerConnections, loadRps })

describe('the request budget', () => {
  it('is four samplers of 8 connections and both Flagger loads together (161 + 25 req/s)', () => {
    expect(SAMPLER_CONNECTIONS).toBe(8)
    expect(REQUEST_BUDGET).toEqual({ samplerConnections: 32, loadRps: 161 + 25 })
  })

  it('sums demands, and a total exactly at the budget fits while one more does not', () => {
    expect(totalDemand([])).toEqual(NO_DEMAND)
    const four = totalDemand([demand(8, 161), demand(8, 25), demand(8), demand(8)])
    expect(four).toEqual({ samplerConnections: 32, loadRps: 186 })
    expect(withinBudget(four, REQUEST_BUDGET)).toBe(true)
    expect(overBudget(four, REQUEST_BUDGET)).toEqual([])
    expect(withinBudget(totalDemand([four, demand(1)]), REQUEST_BUDGET)).toBe(false)
    expect(withinBudget(totalDemand([four, demand(0, 1)]), REQUEST_BUDGET)).toBe(false)
    expect(overBudget(demand(40, 200), REQUEST_BUDGET)).toEqual([
      '40 sampler connections (budget 32)',
      '200 req/s of load (budget 186)',
    ])
  })

  it('the peak of a schedule: each quantity at its most, first reached; one ending as another starts is gone', () => {
    const demands: Record<string, Demand> = {
      canary: demand(8, 161),
      a: demand(8),
      b: demand(8),
      rollback: demand(8, 25),
    }
    const peak = peakDemand(
      [
        { id: 'canary', startS: 0, endS: 300 },
        { id: 'a', startS: 0, endS: 60 },
        // Starts as a ends: 16 connections at 60 s, not 24.
        { id: 'b', startS: 60, endS: 100 },
        { id: 'rollback', startS: 100, endS: 200 },
      ],
      (id) => demands[id] ?? NO_DEMAND,
    )
    expect(peak).toEqual({ samplerConnections: 16, samplerConnectionsAtS: 0, loadRps: 186, loadRpsAtS: 100 })
    expect(peakDemand([], () => demand(8))).toEqual({
      samplerConnections: 0,
      loadRps: 0,
      samplerConnectionsAtS: 0,
      loadRpsAtS: 0,
    })
  })
})

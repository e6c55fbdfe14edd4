import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { canaryLoadPlan, type StepTiming } from '../helpers/stats/canary-steps.js'
import { detectableErrorRate } from '../helpers/stats/error-bound.js'
import { type CheckDesign, designSummary, runFalseFailure } from '../helpers/stats/run-budget.js'
import { DESIGN_TABLE_FILE, designTable } from './design-table.js'
import { SCENARIOS } from './index.js'

/** Every check of the registry with the design its scenario declares, as "scenario/check". */
const suiteChecks = () =>
  SCENARIOS.flatMap((s) => s.checks.map((c) => ({ id: `${s.id}/${c.id}`, design: c.design })))
const designOf = (id: string) => suiteChecks().find((c) => c.id === id)?.design as CheckDesign

describe("the run's false-failure bound", () => {
  it('keeps P(a correct mesh fails at least one check) <= 1e-5, error bounds included', () => {
    const run = runFalseFailure(suiteChecks())
    console.log(
      `run false-failure bound ${run.total.toExponential(2)}: ${run.checks
        .filter((c) => c.routing + c.errors > 0)
        .map((c) => `${c.id} ${(c.routing + c.errors).toExponential(1)}`)
        .join(', ')}`,
    )
    expect(run.total).toBeLessThanOrEqual(1e-5)
    // The routing tests alone are the bulk: two ratio checks and five canary steps near 1e-6 each.
    const routing = run.checks.reduce((sum, c) => sum + c.routing, 0)
    expect(routing).toBeGreaterThan(5e-6)
    expect(run.checks.find((c) => c.id === 'weighted-shift/share-10')?.routing).toBeLessThanOrEqual(1e-6)
  })

  it('charges a zero-error bound at the background error rate: all-ok without errors fails 6.6% of runs', () => {
    const trap: CheckDesign = {
      kind: 'zero-tolerance',
      leak: 0.01,
      beta: 1e-3,
      errorBound: { maxRate: 0, alpha: 1e-6 },
    }
    const run = runFalseFailure(
      suiteChecks().map((c) => (c.id === 'edge-routing/all-ok' ? { ...c, design: trap } : c)),
    )
    const allOk = run.checks.find((c) => c.id === 'edge-routing/all-ok')
    expect(allOk?.errors).toBeCloseTo(1 - (1 - 1e-4) ** 688, 12)
    expect(allOk?.errors).toBeCloseTo(0.066, 3)
    expect(run.total).toBeGreaterThan(1e-5)
  })
})

describe('design summaries (plan --json)', () => {
  it('states alpha, beta, alternatives, expected, worst and max n and the error rate caught', () => {
    const summary = designSummary(designOf('weighted-shift/share-50'))
    expect(summary).toMatchObject({ kind: 'ratio', alternatives: [0.4, 0.6], fixedN: 1573, maxN: 1910 })
    expect(summary.alpha).toBeLessThanOrEqual(1e-6)
    expect(summary.beta).toBeLessThanOrEqual(1e-3)
    expect(summary.expectedNAtP0 as number).toBeLessThanOrEqual(0.4 * 1573)
    expect(summary.worstExpectedN?.n).toBeLessThanOrEqual(1573)
    expect(summary.worstExpectedN?.p).toBeCloseTo(0.565, 2)
    const bound = summary.errorBound as NonNullable<typeof summary.errorBound>
    expect(summary.errorRateCaught?.atMaxN).toBe(detectableErrorRate(1910, bound))
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary)
  })

  it('for the canary: per step the responses and the rate, the check alpha summed over steps', () => {
    const design = designOf('flagger-canary/share-per-step') as Extract<CheckDesign, { kind: 'canary-steps' }>
    const plan = canaryLoadPlan(design.timing as StepTiming, design.shares)
    const summary = designSummary(design)
    expect(summary.loadRate).toBe(plan.rate)
    expect(summary.steps?.map((s) => s.needed)).toEqual([2728, 1175, 1434, 1572, 1573])
    expect(summary.alpha).toBeLessThanOrEqual(5e-6)
    expect(summary.beta).toBeLessThanOrEqual(1e-3)
    expect(summary.alternatives.slice(0, 2)).toEqual([0.05, 0.15])
  })
})

describe('the design table plan reads', () => {
  it('holds the summary of every design the registry declares, as computed now (npm run designs rewrites it)', () => {
    const committed = JSON.parse(readFileSync(DESIGN_TABLE_FILE, 'utf8'))
    expect(committed, 'helpers/stats/design-summaries.json is stale: run npm run designs').toEqual(
      JSON.parse(JSON.stringify(designTable())),
    )
  })
})

import table from './design-summaries.json' with { type: 'json' }
import {
  type CheckDesign,
  type CheckFalseFailure,
  checkFalseFailure,
  type DesignSummary,
  designSummary,
  type RunFalseFailure,
} from './run-budget.js'

/**
 * Each declared design's summary and false-failure bounds, computed once and kept in
 * design-summaries.json: the exact designs behind them take about a second to compute, and
 * `plan` answers in well under one. A test recomputes the table from the registry and fails
 * when it is stale (`npm run designs` rewrites it). A design not in the table is computed. Pure.
 */
export interface DesignFigures {
  readonly summary: DesignSummary
  readonly falseFailure: { readonly routing: number; readonly errors: number }
}

export const designKey = (design: CheckDesign): string => JSON.stringify(design)

/** What the table holds for a design: computed from the design alone. */
export function figuresOf(design: CheckDesign): DesignFigures {
  const { routing, errors } = checkFalseFailure('', design)
  return { summary: designSummary(design), falseFailure: { routing, errors } }
}

const TABLE = table as unknown as Readonly<Record<string, DesignFigures>>
const lookup = (design: CheckDesign) => TABLE[designKey(design)] ?? figuresOf(design)

export function summaryOf(design: CheckDesign): DesignSummary {
  return lookup(design).summary
}

/** runFalseFailure, from the table. */
export function runBoundOf(
  checks: readonly { readonly id: string; readonly design: CheckDesign }[],
): RunFalseFailure {
  const rows: CheckFalseFailure[] = checks.map((c) => ({ id: c.id, ...lookup(c.design).falseFailure }))
  return { checks: rows, total: rows.reduce((sum, r) => sum + r.routing + r.errors, 0) }
}

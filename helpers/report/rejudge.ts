import { judge } from '../evidence/judges.js'
import type { RunRecord } from './model.js'

export interface RejudgeDifference {
  readonly scenario: string
  readonly check: string
  readonly saved: { readonly passed: boolean; readonly cause: string }
  readonly recomputed: { readonly passed: boolean; readonly cause: string }
}

/**
 * Recomputes every verdict from its saved evidence and lists where the saved verdict
 * differs (in outcome or cause): a tampered or stale report, or a changed judge. Pure.
 */
export function rejudge(run: RunRecord): { checked: number; differences: RejudgeDifference[] } {
  const differences: RejudgeDifference[] = []
  let checked = 0
  for (const s of run.scenarios) {
    for (const c of s.checks) {
      checked++
      const v = judge(c.evidence)
      if (v.passed !== c.passed || v.cause !== c.cause || v.passed !== c.verdict.passed) {
        differences.push({
          scenario: s.id,
          check: c.check,
          saved: { passed: c.passed, cause: c.cause },
          recomputed: { passed: v.passed, cause: v.cause },
        })
      }
    }
  }
  return { checked, differences }
}

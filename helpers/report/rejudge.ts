import { judge } from '../evidence/index.js'
import type { RunRecord } from './model.js'

/** The check ids each scenario defines, in order: what a record of that scenario must hold. */
export type ExpectedChecks = Readonly<Record<string, readonly string[]>>

/** The expected checks of scenario declarations (the registry, suites/index.ts). Pure. */
export function expectedChecksOf(
  scenarios: readonly { readonly id: string; readonly checks: readonly { readonly id: string }[] }[],
): ExpectedChecks {
  return Object.fromEntries(scenarios.map((s) => [s.id, s.checks.map((c) => c.id)]))
}

/** One place where the saved record says something its evidence (or its own parts) does not. */
export interface RejudgeDifference {
  /** `scenario/check`, `scenario`, or `run`. */
  readonly where: string
  /** JSON pointer to the saved value that differs, or to where something is missing. */
  readonly pointer: string
  readonly saved: string
  readonly recomputed: string
}

export interface RejudgeResult {
  /** Checks whose verdict was recomputed from evidence. */
  readonly checked: number
  readonly differences: readonly RejudgeDifference[]
  /** The run's verdict recomputed from evidence and from what the record lacks. */
  readonly passed: boolean
}

const outcome = (passed: boolean, cause: string) => `${passed ? 'pass' : 'FAIL'} (${cause})`

/** Where two JSON values first differ, as a pointer relative to them ('' when equal). */
function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (a === b) return undefined
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return at
  if (Array.isArray(a) !== Array.isArray(b)) return at
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    )
    if (d !== undefined) return d
  }
  return undefined
}

function valueAt(root: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (o, t) =>
        o !== null && typeof o === 'object'
          ? (o as Record<string, unknown>)[t.replace(/~1/g, '/').replace(/~0/g, '~')]
          : undefined,
      root,
    )
}

const shown = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v))

/**
 * Recomputes every verdict from its saved evidence and checks the record against itself and
 * against the checks each scenario defines (`expected`, today the catalogue's). A difference is
 * any of: a check's saved `passed`, `cause` or any verdict number (counts, shares, interval...)
 * that its evidence does not give; a scenario's `passed` that its checks, error and cleanup do
 * not give; a check the scenario defines that the record lacks (or holds twice, or one it does
 * not define); a scenario unknown to the suite, recorded twice, or both recorded and listed as
 * missing; a selected scenario (or one with diagnostics) the record lacks; and the run-level
 * `passed`. Pure.
 */
export function rejudge(run: RunRecord, expected: ExpectedChecks): RejudgeResult {
  const differences: RejudgeDifference[] = []
  const differ = (where: string, pointer: string, saved: string, recomputed: string) =>
    differences.push({ where, pointer, saved, recomputed })
  let checked = 0
  const seenScenarios = new Set<string>()
  let runPassed = run.missingResults.length === 0

  run.scenarios.forEach((s, si) => {
    const sp = `/scenarios/${si}`
    const defined = expected[s.id]
    if (!defined) differ(s.id, `${sp}/id`, `scenario ${s.id}`, 'no such scenario in this suite')
    if (seenScenarios.has(s.id)) differ(s.id, `${sp}/id`, `scenario ${s.id} again`, 'each scenario once')
    seenScenarios.add(s.id)
    if (run.missingResults.includes(s.id))
      differ(
        s.id,
        '/missingResults',
        `${s.id} both has a result and is listed as missing`,
        'one or the other',
      )

    let checksPass = true
    const seenChecks = new Set<string>()
    s.checks.forEach((c, ci) => {
      const cp = `${sp}/checks/${ci}`
      const where = `${s.id}/${c.check}`
      if (defined && !defined.includes(c.check))
        differ(where, `${cp}/check`, `check ${c.check}`, `not a check of ${s.id}`)
      if (seenChecks.has(c.check)) differ(where, `${cp}/check`, `check ${c.check} again`, 'each check once')
      seenChecks.add(c.check)
      if (c.scenario !== s.id) differ(where, `${cp}/scenario`, shown(c.scenario), shown(s.id))
      checked++
      // Through JSON, as the record went: -0 reads 0, undefined fields vanish.
      const v = JSON.parse(JSON.stringify(judge(c.evidence))) as typeof c.verdict
      checksPass &&= v.passed
      if (c.passed !== v.passed || c.cause !== v.cause)
        differ(
          where,
          `${cp}/${c.passed !== v.passed ? 'passed' : 'cause'}`,
          outcome(c.passed, c.cause),
          outcome(v.passed, v.cause),
        )
      const inVerdict = firstDifference(c.verdict, v)
      if (inVerdict !== undefined)
        differ(
          where,
          `${cp}/verdict${inVerdict}`,
          shown(valueAt(c.verdict, inVerdict)),
          shown(valueAt(v, inVerdict)),
        )
    })
    for (const id of defined ?? []) {
      if (seenChecks.has(id)) continue
      checksPass = false
      differ(
        `${s.id}/${id}`,
        `${sp}/checks`,
        'no result for this check',
        `a result for every check of ${s.id}`,
      )
    }
    const scenarioPassed = checksPass && s.error === undefined && s.cleanup.errors.length === 0
    runPassed &&= scenarioPassed
    if (s.passed !== scenarioPassed)
      differ(
        s.id,
        `${sp}/passed`,
        s.passed ? 'pass' : 'FAIL',
        `${scenarioPassed ? 'pass' : 'FAIL'} (from its checks, error and cleanup)`,
      )
  })

  if (run.selected) {
    run.selected.forEach((id) => {
      if (seenScenarios.has(id) || run.missingResults.includes(id)) return
      runPassed = false
      differ(id, '/scenarios', 'no result and not listed as missing', `a result for selected scenario ${id}`)
    })
    for (const id of seenScenarios)
      if (!run.selected.includes(id))
        differ(
          id,
          '/selected',
          `a result for ${id}, which was not selected`,
          'results only for selected scenarios',
        )
  }
  // Diagnostics are written only for failed scenarios: one without a result was deleted.
  for (const id of Object.keys(run.diagnostics))
    if (!seenScenarios.has(id) && !run.missingResults.includes(id)) {
      runPassed = false
      differ(id, '/scenarios', 'no result, yet diagnostics of its failure', `a result for ${id}`)
    }
  if (run.passed !== undefined && run.passed !== runPassed)
    differ(
      'run',
      '/passed',
      run.passed ? 'pass' : 'FAIL',
      `${runPassed ? 'pass' : 'FAIL'} (from its scenarios)`,
    )
  return { checked, differences, passed: runPassed }
}

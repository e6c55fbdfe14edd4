import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SCENARIOS } from '../../../suites/index.js'
import { UsageError } from '../../errors.js'
import { diffRuns, renderDiff } from '../../report/diff.js'
import { RUN_RECORD_SCHEMA, type RunRecord, runPassed } from '../../report/model.js'
import { checkRunRecord, RUN_RECORD_SCHEMA_URL } from '../../report/record-schema.js'
import { type ExpectedChecks, expectedChecksOf, rejudge } from '../../report/rejudge.js'
import { REPORTS_DIR } from '../../runner/paths.js'
import { terminalText as term } from '../../text/escape.js'
import type { ParsedArgs } from '../args.js'

const RUN_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-/

const shownPath = (path: string) => term(relative(process.cwd(), path) || path)

/**
 * A run.json, given as the file or as its run folder, validated against the published schema
 * (helpers/report/run-record.schema.json). Bad input is exit 2 naming the first bad field.
 */
export function loadRun(path: string): RunRecord {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'run.json') : path
  if (!existsSync(file))
    throw new UsageError(`no run record at ${term(file)}`, 'give a run folder under reports/ or its run.json')
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(
      `${term(file)} is not valid JSON: ${term(error instanceof Error ? error.message : String(error))}`,
      'give a run.json written by `run`',
    )
  }
  const checked = checkRunRecord(parsed)
  if (!checked.ok) {
    const { pointer, message } = checked.problem
    throw new UsageError(
      `${term(file)} is not a run record of this suite: ${pointer === '' ? 'the record' : pointer} ${message}`,
      `give a run.json written by \`run\` (schema ${RUN_RECORD_SCHEMA}, ${shownPath(fileURLToPath(RUN_RECORD_SCHEMA_URL))}); a hand-edited or truncated record cannot be read`,
    )
  }
  return checked.record
}

/** The newest run folder with a run.json, if any. */
export function latestRun(reportsDir = REPORTS_DIR): string | undefined {
  if (!existsSync(reportsDir)) return undefined
  return readdirSync(reportsDir)
    .filter((d) => RUN_FOLDER.test(d) && existsSync(join(reportsDir, d, 'run.json')))
    .sort()
    .map((d) => join(reportsDir, d))
    .at(-1)
}

/**
 * `report`: the latest run (exit 1 when it failed), `report rejudge` (exit 1 when any saved
 * verdict differs from its evidence), `report diff` (exit 1 when B is worse than A). Everything
 * printed from a record or a report file is stripped of terminal control characters.
 */
export function reportCommand(
  args: ParsedArgs,
  out: (line: string) => void,
  reportsDir = REPORTS_DIR,
  expected: ExpectedChecks = expectedChecksOf(SCENARIOS),
): number {
  const [sub, ...rest] = args.positionals
  if (sub === undefined) {
    const dir = latestRun(reportsDir)
    if (!dir)
      throw new UsageError(
        `no run found in ${term(reportsDir)}`,
        "run the scenarios first: 'npm run conformance -- run'",
      )
    const run = loadRun(dir)
    out(`latest run: ${shownPath(dir)} (index.html, junit.xml, run.json, summary.md)`)
    out('')
    const summary = join(dir, 'summary.md')
    out(
      existsSync(summary)
        ? term(readFileSync(summary, 'utf8').trimEnd(), { multiline: true })
        : '(no summary.md in this run)',
    )
    return runPassed(run) ? 0 : 1
  }
  if (sub === 'rejudge' && rest.length === 1) {
    const result = rejudge(loadRun(rest[0] as string), expected)
    if (result.differences.length === 0) {
      out(
        `${result.checked} checks re-judged from their evidence: every saved verdict reproduced; the run ${result.passed ? 'passed' : 'failed'}`,
      )
      return 0
    }
    for (const d of result.differences)
      out(
        `DIFFERS ${term(d.where)} at ${term(d.pointer)}: saved ${term(d.saved)}; recomputed ${term(d.recomputed)}`,
      )
    out(
      `${result.differences.length} saved value(s) differ from what the evidence and the suite's checks give (${result.checked} checks re-judged); recomputed, the run ${result.passed ? 'passed' : 'failed'}`,
    )
    return 1
  }
  if (sub === 'diff' && rest.length === 2) {
    const d = diffRuns(loadRun(rest[0] as string), loadRun(rest[1] as string))
    out(renderDiff(d))
    return d.worse.length > 0 ? 1 : 0
  }
  throw new UsageError(
    `unknown report arguments '${term(args.positionals.join(' '))}'`,
    'use: report | report rejudge RUN.json | report diff RUN_A RUN_B',
  )
}

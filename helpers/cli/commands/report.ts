import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { UsageError } from '../../errors.js'
import { diffRuns, renderDiff } from '../../report/diff.js'
import type { RunRecord } from '../../report/model.js'
import { rejudge } from '../../report/rejudge.js'
import { REPORTS_DIR } from '../../runner/paths.js'
import type { ParsedArgs } from '../args.js'

const RUN_FOLDER = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z-/

/** A run.json, given as the file or as its run folder. Bad input is exit 2 with the fix. */
export function loadRun(path: string): RunRecord {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'run.json') : path
  if (!existsSync(file))
    throw new UsageError(`no run record at ${file}`, 'give a run folder under reports/ or its run.json')
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new UsageError(
      `${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'give a run.json written by `run`',
    )
  }
  if (
    (parsed as { schema?: unknown }).schema !== 1 ||
    !Array.isArray((parsed as { scenarios?: unknown }).scenarios)
  ) {
    throw new UsageError(
      `${file} is not a run record of this suite (schema 1)`,
      'give a run.json written by `run`',
    )
  }
  return parsed as RunRecord
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

export function reportCommand(
  args: ParsedArgs,
  out: (line: string) => void,
  reportsDir = REPORTS_DIR,
): number {
  const [sub, ...rest] = args.positionals
  if (sub === undefined) {
    const dir = latestRun(reportsDir)
    if (!dir)
      throw new UsageError(
        `no run found in ${reportsDir}`,
        "run the scenarios first: 'npm run conformance -- run'",
      )
    out(`latest run: ${relative(process.cwd(), dir) || dir} (index.html, junit.xml, run.json, summary.md)`)
    out('')
    const summary = join(dir, 'summary.md')
    out(existsSync(summary) ? readFileSync(summary, 'utf8').trimEnd() : '(no summary.md in this run)')
    return 0
  }
  if (sub === 'rejudge' && rest.length === 1) {
    const result = rejudge(loadRun(rest[0] as string))
    if (result.differences.length === 0) {
      out(`${result.checked} checks re-judged from their evidence: every saved verdict reproduced`)
      return 0
    }
    for (const d of result.differences) {
      out(
        `DIFFERS ${d.scenario}/${d.check}: saved ${d.saved.passed ? 'pass' : 'FAIL'} (${d.saved.cause}); recomputed ${d.recomputed.passed ? 'pass' : 'FAIL'} (${d.recomputed.cause})`,
      )
    }
    out(
      `${result.differences.length} of ${result.checked} saved verdicts differ from what their evidence gives`,
    )
    return 1
  }
  if (sub === 'diff' && rest.length === 2) {
    const d = diffRuns(loadRun(rest[0] as string), loadRun(rest[1] as string))
    out(renderDiff(d))
    return d.newlyFailing > 0 ? 1 : 0
  }
  throw new UsageError(
    `unknown report arguments '${args.positionals.join(' ')}'`,
    'use: report | report rejudge RUN.json | report diff RUN_A RUN_B',
  )
}

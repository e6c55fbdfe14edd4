import type { PhaseTiming } from '../progress.js'
import { htmlAttribute as attr, htmlText as text, xmlAttribute, xmlText } from '../text/escape.js'
import type { DiffEntry, RunDiff } from './diff.js'
import type { RunRecord } from './model.js'

/**
 * The record of an upgrade rehearsal (`rehearsal.json` in its folder) and its writers: an HTML
 * page with the runs side by side, and JUnit. Each run keeps its own folder (run.json and the
 * rest) beside it, named by its label.
 */
export interface RehearsalRunSummary {
  readonly label: 'from' | 'to' | 'rollback'
  /** The Istio version the lab's proxies ran. */
  readonly version: string
  readonly controlPlanes: readonly { readonly name: string; readonly version: string }[]
  readonly proxies: readonly { readonly pod: string; readonly version: string }[]
  /** The run's folder, relative to the rehearsal's. */
  readonly folder: string
  readonly passed: boolean
}

export interface RehearsalRecord {
  readonly schema: 1
  readonly from: string
  readonly to: string
  readonly method: 'canary' | 'in-place'
  readonly rollback: boolean
  readonly steps: readonly { readonly from: string; readonly to: string; readonly revision?: string }[]
  readonly gateway: string
  /** What the behaviour table documents as changing from A to B, with the release note. */
  readonly changes: readonly {
    readonly topic: string
    readonly from: string
    readonly to: string
    readonly source: string
  }[]
  readonly startedAt: string
  readonly endedAt: string
  readonly phases: readonly PhaseTiming[]
  readonly runs: readonly RehearsalRunSummary[]
  readonly diff: RunDiff
  readonly rollbackDiff?: RunDiff
  readonly unexplained: readonly DiffEntry[]
  readonly exitCode: 0 | 1
}

const seconds = (ms: unknown) =>
  (typeof ms === 'number' && Number.isFinite(ms) ? Math.max(0, ms) / 1000 : 0).toFixed(3)

export const REHEARSAL_FILES = ['rehearsal.json', 'rehearsal.html', 'junit.xml'] as const

const STATUS_CLASS: Readonly<Record<string, string>> = {
  unchanged: 'same',
  'newly failing': 'worse',
  'newly passing': 'better',
  'changed by design': 'design',
  'only in A': 'worse',
  'only in B': 'same',
}

function cell(record: RunRecord | undefined, scenario: string, check: string): string {
  const s = record?.scenarios.find((x) => x.id === scenario)
  const c = s?.checks.find((x) => x.check === check)
  if (!c) return '<td class="none">—</td>'
  return `<td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'pass' : 'FAIL'}<div class="cause">${text(c.cause)}</div></td>`
}

/**
 * rehearsal.html: the versions of each run (control planes, proxies), the phases with their
 * timings, and every check side by side with its status from the diff and, where the behaviour
 * table explains a change, the rule and its release note. Self-contained; every value from a
 * record is escaped. Pure.
 */
export function toRehearsalHtml(
  r: RehearsalRecord,
  records: Readonly<Partial<Record<RehearsalRunSummary['label'], RunRecord>>>,
): string {
  const labels = r.runs.map((run) => run.label)
  const head = r.runs
    .map(
      (run) =>
        `<th>${text(run.label)}: Istio ${text(run.version)}<div class="versions">control planes: ${text(
          run.controlPlanes.map((c) => `${c.name} ${c.version}`).join(', ') || 'none',
        )}<br>proxies: ${text([...new Set(run.proxies.map((p) => p.version))].join(', ') || 'none')}</div></th>`,
    )
    .join('')
  const rows = r.diff.entries
    .map((e) => {
      const note = e.byDesign ? `<div class="note">by design: ${text(e.byDesign)}</div>` : ''
      return `<tr><td>${text(`${e.scenario}/${e.check}`)}</td>${labels
        .map((l) => cell(records[l], e.scenario, e.check))
        .join('')}<td class="${attr(STATUS_CLASS[e.status] ?? 'same')}">${text(e.status)}${note}</td></tr>`
    })
    .join('\n')
  const phases = r.phases
    .map(
      (p) =>
        `<tr><td>${text(p.phase)}</td><td class="num">${text(p.seconds.toFixed(1))}</td><td>${text(p.outcome)}${
          p.detail ? ` (${text(p.detail)})` : ''
        }</td></tr>`,
    )
    .join('\n')
  const verdict =
    r.exitCode === 0
      ? `No check newly fails that the behaviour table does not explain${r.rollbackDiff ? ', and the way back is not worse' : ''}.`
      : `${r.unexplained.length} check(s) newly fail without a documented reason${
          r.rollbackDiff?.worse.length ? `; the way back is worse: ${r.rollbackDiff.worse.join(', ')}` : ''
        }.`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Upgrade rehearsal ${text(r.from)} to ${text(r.to)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}th .versions{font-weight:normal;font-size:12px;color:#555}
.pass{background:#e8f5e9}.fail{background:#ffebee}.worse{background:#ffcdd2;font-weight:bold}.better{background:#c8e6c9}
.design{background:#fff8e1}.cause,.note{font-size:12px;color:#555}.num{text-align:right}.verdict{font-size:16px;font-weight:bold}
</style></head><body>
<h1>Upgrade rehearsal: Istio ${text(r.from)} to ${text(r.to)} (${text(r.method)})</h1>
<p class="verdict">${text(verdict)}</p>
<p>Steps: ${text(r.steps.map((s) => `${s.from} → ${s.to}${s.revision ? ` (revision ${s.revision})` : ''}`).join('; '))}. ${text(r.gateway)}</p>
<h2>Documented changes from ${text(r.from)} to ${text(r.to)}</h2>
${r.changes.length ? `<ul>${r.changes.map((c) => `<li><b>${text(c.topic)}</b>: ${text(c.from)} → ${text(c.to)} <span class="cause">(${text(c.source)})</span></li>`).join('')}</ul>` : '<p>none in the behaviour table</p>'}
<table><thead><tr><th>check</th>${head}<th>from → to</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Phases</h2>
<table><thead><tr><th>phase</th><th>seconds</th><th>outcome</th></tr></thead><tbody>
${phases}
</tbody></table>
<p>Each run's own report: ${r.runs.map((run) => `<a href="${attr(`${run.folder}/index.html`)}">${text(run.label)}</a>`).join(', ')}.</p>
</body></html>
`
}

/**
 * JUnit for a rehearsal: one testsuite per run (its checks, classname `<run>.<scenario>`), and a
 * testsuite `upgrade` with one testcase per check whose status changed; a check that newly
 * fails without a behaviour-table rule is a failure there. Pure.
 */
export function toRehearsalJUnit(
  r: RehearsalRecord,
  records: Readonly<Partial<Record<RehearsalRunSummary['label'], RunRecord>>>,
): string {
  let tests = 0
  let failures = 0
  const suites: string[] = []
  for (const run of r.runs) {
    const record = records[run.label]
    if (!record) continue
    const cases = record.scenarios.flatMap((s) =>
      s.checks.map((c) => {
        tests++
        if (!c.passed) failures++
        return `    <testcase name="${xmlAttribute(c.check)}" classname="${xmlAttribute(`${run.label}.${s.id}`)}" time="${seconds(c.durationMs)}">${
          c.passed
            ? ''
            : `<failure message="${xmlAttribute(c.cause)}" type="CheckFailed">${xmlText(c.cause)}</failure>`
        }</testcase>`
      }),
    )
    for (const id of record.missingResults) {
      tests++
      failures++
      cases.push(
        `    <testcase name="result" classname="${xmlAttribute(`${run.label}.${id}`)}" time="0.000"><failure message="no result was recorded" type="NoResult"/></testcase>`,
      )
    }
    const failed = cases.filter((c) => c.includes('<failure')).length
    suites.push(
      `  <testsuite name="${xmlAttribute(`${run.label} (Istio ${run.version})`)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    )
  }
  const unexplained = new Set(r.unexplained.map((e) => `${e.scenario}/${e.check}`))
  const changed = r.diff.entries.filter((e) => e.status !== 'unchanged')
  const upgrade = changed.map((e) => {
    tests++
    const key = `${e.scenario}/${e.check}`
    const bad = unexplained.has(key)
    if (bad) failures++
    const why = [e.status, e.b?.cause, e.byDesign ? `by design: ${e.byDesign}` : '']
      .filter(Boolean)
      .join('; ')
    return `    <testcase name="${xmlAttribute(key)}" classname="upgrade" time="0.000">${
      bad
        ? `<failure message="${xmlAttribute(`${e.status} after the upgrade`)}" type="Regression">${xmlText(why)}</failure>`
        : `<system-out>${xmlText(why)}</system-out>`
    }</testcase>`
  })
  suites.push(
    `  <testsuite name="${xmlAttribute(`upgrade ${r.from} to ${r.to}`)}" tests="${upgrade.length}" failures="${upgrade.filter((c) => c.includes('<failure')).length}" errors="0" skipped="0">\n${upgrade.join('\n')}\n  </testsuite>`,
  )
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="istio-traffic-conformance rehearsal" tests="${tests}" failures="${failures}" errors="0">\n${suites.join('\n')}\n</testsuites>\n`
}

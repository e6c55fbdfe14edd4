import { markdownCode as code, markdownText as md } from '../text/escape.js'
import {
  checkCounts,
  clusterModeLine,
  errorRateLine,
  type RunRecord,
  runPassed,
  versionLine,
} from './model.js'
import { keyNumbers } from './numbers.js'

/** A check's hint: its `command` spans stay code spans, everything else is escaped text. */
export function hintMarkdown(hint: string): string {
  return hint
    .split(/(`[^`\n]+`)/)
    .map((part) => (/^`[^`]+`$/.test(part) ? code(part.slice(1, -1)) : md(part)))
    .join('')
}

/**
 * summary.md for a CI job summary: first line pass/fail and versions, then a table per scenario.
 * Every value from the record is escaped (`md` for text, `code` for names in monospace), so a
 * string from the cluster cannot add markup, links, HTML or table columns. Pure.
 */
export function toMarkdown(run: RunRecord): string {
  const counts = checkCounts(run)
  const proxies = run.versions.istioProxies.map(code).join(', ') || 'none seen'
  const lines = [
    `**${runPassed(run) ? 'PASS' : 'FAIL'}**: ${counts.passed} checks passed, ${counts.failed} failed; ${md(versionLine(run))}`,
    '',
    `Run ${md(run.startedAt)} to ${md(run.endedAt)}, context ${code(run.context)}, node image ${code(run.versions.nodeImage)}, proxies ${proxies}.`,
    '',
    md(clusterModeLine(run)),
    '',
    md(errorRateLine(run)),
  ]
  for (const s of run.scenarios) {
    lines.push('', `### ${s.passed ? 'PASS' : 'FAIL'} ${code(s.id)}: ${md(s.title)} (${md(s.section)})`, '')
    if (s.error) lines.push(`Stopped: ${md(s.error)}`, '')
    lines.push('| check | result | cause | key numbers |', '|---|---|---|---|')
    for (const c of s.checks)
      lines.push(
        `| ${md(c.check)} | ${c.passed ? 'pass' : '**FAIL**'} | ${md(c.cause)} | ${md(keyNumbers(c))} |`,
      )
    if (s.cleanup.errors.length) lines.push(`| cleanup | **FAIL** | ${md(s.cleanup.errors.join('; '))} | |`)
    const hints = s.checks
      .filter((c) => !c.passed)
      .map((c) => [c.check, c.hint] as const)
      .filter(([, h]) => h)
    if (hints.length)
      lines.push('', ...hints.map(([id, h]) => `- hint for ${code(id)}: ${hintMarkdown(h ?? '')}`))
  }
  for (const id of run.missingResults)
    lines.push(
      '',
      `### FAIL ${code(id)}`,
      '',
      'No result was recorded: the e2e run stopped before it finished.',
    )
  return `${lines.join('\n')}\n`
}

import { checkCounts, clusterModeLine, type RunRecord, runPassed, versionLine } from './model.js'
import { keyNumbers } from './numbers.js'

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** summary.md for a CI job summary: first line pass/fail and versions, then a table per scenario. Pure. */
export function toMarkdown(run: RunRecord): string {
  const counts = checkCounts(run)
  const lines = [
    `**${runPassed(run) ? 'PASS' : 'FAIL'}**: ${counts.passed} checks passed, ${counts.failed} failed; ${versionLine(run)}`,
    '',
    `Run ${run.startedAt} to ${run.endedAt}, context \`${run.context}\`, node image \`${run.versions.nodeImage}\`, proxies ${run.versions.istioProxies.join(', ') || 'none seen'}.`,
    '',
    clusterModeLine(run),
  ]
  for (const s of run.scenarios) {
    lines.push('', `### ${s.passed ? 'PASS' : 'FAIL'} \`${s.id}\`: ${cell(s.title)} (${s.section})`, '')
    if (s.error) lines.push(`Stopped: ${cell(s.error)}`, '')
    lines.push('| check | result | cause | key numbers |', '|---|---|---|---|')
    for (const c of s.checks)
      lines.push(
        `| ${c.check} | ${c.passed ? 'pass' : '**FAIL**'} | ${cell(c.cause)} | ${cell(keyNumbers(c))} |`,
      )
    if (s.cleanup.errors.length) lines.push(`| cleanup | **FAIL** | ${cell(s.cleanup.errors.join('; '))} | |`)
    const hints = s.checks.filter((c) => !c.passed).map((c) => [c.check, c.hint] as const)
    if (hints.length)
      lines.push('', ...hints.filter(([, h]) => h).map(([id, h]) => `- hint for \`${id}\`: ${h}`))
  }
  for (const id of run.missingResults)
    lines.push(
      '',
      `### FAIL \`${id}\``,
      '',
      'No result was recorded: the e2e run stopped before it finished.',
    )
  return `${lines.join('\n')}\n`
}

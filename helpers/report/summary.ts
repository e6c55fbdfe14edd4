import { localizeCause } from '../i18n/causes.js'
import type { Lang } from '../i18n/lang.js'
import { t } from '../i18n/messages.js'
import { checkText, scenarioText } from '../i18n/scenario-texts.js'
import { forCluster } from '../learn/commands.js'
import { BOOK_NAMESPACE } from '../manifests/namespace.js'
import { markdownCode as code, markdownText as md } from '../text/escape.js'
import { baseLabText } from './base-lab-text.js'
import { boundText, checkCounts, type RunRecord, runPassed } from './model.js'
import { keyNumbers } from './numbers.js'
import { formatDuration, phaseName, phaseSeconds, runTimeline, scenarioWallMs } from './timeline.js'

/** A check's hint: its `command` spans stay code spans, everything else is escaped text. */
export function hintMarkdown(hint: string): string {
  return hint
    .split(/(`[^`\n]+`)/)
    .map((part) => (/^`[^`]+`$/.test(part) ? code(part.slice(1, -1)) : md(part)))
    .join('')
}

/** How many phase kinds the timeline table names per scenario (the ones that took longest). */
const TOP_PHASES = 3

/**
 * The timeline as a table: each scenario's wall time and the phase kinds that took longest,
 * after the run's total. None for a record without phases (schema 2).
 */
function timelineLines(run: RunRecord, lang: Lang): string[] {
  const timeline = runTimeline(run)
  if (!timeline) return []
  const rows = run.scenarios.map((s) => {
    const top = phaseSeconds(s)
      // What rounds to 0.0 s says nothing about where the time went.
      .filter((p) => p.seconds >= 0.05)
      .slice(0, TOP_PHASES)
      .map((p) => `${phaseName(p.kind, lang)} ${formatDuration(p.seconds * 1000, lang)}`)
      .join(', ')
    return `| ${code(s.id)} | ${md(formatDuration(scenarioWallMs(s), lang))} | ${md(top)} |`
  })
  return [
    '',
    `### ${md(t(lang, 'report.timeline'))}`,
    '',
    md(t(lang, 'report.timelineTotal', { duration: formatDuration(timeline.wallMs, lang) })),
    '',
    `| ${md(t(lang, 'report.col.scenario'))} | ${md(t(lang, 'report.col.wallTime'))} | ${md(t(lang, 'report.col.phases'))} |`,
    '|---|---|---|',
    ...rows,
  ]
}

/**
 * summary.md for a CI job summary: first line pass/fail and versions, the run's timeline as a
 * table (wall time and the slowest phase kinds per scenario), then a table per scenario.
 * Every value from the record is escaped (`md` for text, `code` for names in monospace), so a
 * string from the cluster cannot add markup, links, HTML or table columns. In a language
 * (English by default): causes translated from the record's English, hints naming the run's
 * context. Pure.
 */
export function toMarkdown(run: RunRecord, lang: Lang = 'en'): string {
  const counts = checkCounts(run)
  const proxies = run.versions.istioProxies.map(code).join(', ') || md(t(lang, 'report.noneSeen'))
  const verdict = (ok: boolean) => t(lang, ok ? 'word.pass' : 'word.fail')
  const versions = t(lang, 'report.versions', {
    istio: run.versions.istioControlPlane,
    kubernetes: run.versions.kubernetes,
    profile: run.profile,
    flagger: run.versions.flagger,
  })
  const mode = run.clusterMode === 'existing-cluster' ? 'existing-cluster' : 'suite-cluster'
  const lines = [
    `**${verdict(runPassed(run))}**${md(t(lang, 'report.summaryLine', { verdict: '', passed: counts.passed, failed: counts.failed, versions }))}`,
    '',
    // Placeholders take escaped record values; the catalogue's own words are plain text.
    t(lang, 'report.run', {
      from: md(run.startedAt),
      to: md(run.endedAt),
      context: code(run.context),
      nodeImage: code(run.versions.nodeImage),
      proxies,
    }),
    '',
    md(t(lang, `report.mode.${mode}`, { namespace: run.namespace ?? BOOK_NAMESPACE })),
    '',
    md(t(lang, 'report.errorRate', { bound: boundText(run) })),
    ...(run.baseLab ? ['', md(baseLabText(lang, run.baseLab))] : []),
    ...timelineLines(run, lang),
  ]
  const names = { context: run.context, ...(run.namespace ? { namespace: run.namespace } : {}) }
  for (const s of run.scenarios) {
    lines.push(
      '',
      `### ${verdict(s.passed)} ${code(s.id)}: ${md(scenarioText(lang, s.id, 'title', s.title))} (${md(s.section)})`,
      '',
    )
    if (s.error) lines.push(md(t(lang, 'report.stopped', { error: s.error })), '')
    lines.push(
      `| ${md(t(lang, 'report.col.check'))} | ${md(t(lang, 'report.col.result'))} | ${md(t(lang, 'report.col.cause'))} | ${md(t(lang, 'report.col.keyNumbers'))} |`,
      '|---|---|---|---|',
    )
    for (const c of s.checks)
      lines.push(
        `| ${md(c.check)} | ${c.passed ? (lang === 'en' ? 'pass' : verdict(true)) : `**${verdict(false)}**`} | ${md(localizeCause(c.cause, lang))} | ${md(keyNumbers(c))} |`,
      )
    if (s.cleanup.errors.length)
      lines.push(`| cleanup | **${verdict(false)}** | ${md(s.cleanup.errors.join('; '))} | |`)
    const hints = s.checks
      .filter((c) => !c.passed && c.hint)
      .map(
        (c) =>
          [
            c.check,
            forCluster(checkText(lang, s.id, c.check, 'hint', c.hint), {
              ...names,
              ...(s.namespace ? { namespace: s.namespace } : {}),
            }),
          ] as const,
      )
    if (hints.length)
      lines.push(
        '',
        ...hints.map(([id, h]) => `- ${t(lang, 'report.hintFor', { check: code(id) })}: ${hintMarkdown(h)}`),
      )
  }
  for (const id of run.missingResults)
    lines.push('', `### ${verdict(false)} ${code(id)}`, '', md(t(lang, 'report.noResult')))
  return `${lines.join('\n')}\n`
}

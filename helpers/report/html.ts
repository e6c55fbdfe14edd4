import type { AccessLogMatchEvidence } from '../evidence/access-logs.js'
import type { CanaryStepsEvidence, CanaryTimelineEvidence } from '../evidence/canary.js'
import type { MirrorCountEvidence } from '../evidence/mirror.js'
import { localizeCause } from '../i18n/causes.js'
import type { Lang } from '../i18n/lang.js'
import { MESSAGES, t } from '../i18n/messages.js'
import { checkText, scenarioText } from '../i18n/scenario-texts.js'
import { forCluster } from '../learn/commands.js'
import { BOOK_NAMESPACE } from '../manifests/namespace.js'
import { htmlAttribute as attr, htmlText as text } from '../text/escape.js'
import { percent } from '../text/format.js'
import { baseLabText } from './base-lab-text.js'
import {
  boundText,
  type CheckResult,
  checkCounts,
  PHASE_KINDS,
  type PhaseKind,
  type RunRecord,
  runPassed,
} from './model.js'
import { isShareVerdict, keyNumbers } from './numbers.js'
import { formatDuration, phaseName, type RunTimeline, runTimeline } from './timeline.js'

/**
 * index.html: one self-contained page (inline CSS and SVG; no script, font or image from the
 * network) that answers what passed, what failed, why, and on which versions. Pure.
 *
 * Every value from the record goes through `text` (element content) or `attr` (a quoted
 * attribute), numbers included: a record's types are a promise, not a guarantee, so a number
 * is made finite by `num` before it reaches an SVG coordinate.
 */

const W = 640
/** A finite number for SVG geometry; anything else (NaN, a string in a tampered record) is 0. */
const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0)
const pct = (x: unknown) => percent(num(x))

/** Observed share with its interval, against the expected share and the acceptance region. */
function ratioChart(c: CheckResult): string {
  const v = c.verdict
  if (!isShareVerdict(v) || v.procedure !== 'sequential') return ''
  const x = (p: unknown) => 40 + num(p) * (W - 80)
  const lo = Math.max(0, num(v.expectedShare) - num(v.delta))
  const hi = Math.min(1, num(v.expectedShare) + num(v.delta))
  const obs = num(v.observedShare)
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<line x1="${x(t)}" y1="70" x2="${x(t)}" y2="75" stroke="#555"/><text x="${x(t)}" y="88" text-anchor="middle">${t * 100}%</text>`,
    )
    .join('')
  return `<svg class="chart ratio" data-check="${attr(c.check)}" viewBox="0 0 ${W} 100" role="img" aria-label="v2 share: expected ${pct(v.expectedShare)}, observed ${pct(obs)}">
  <line x1="${x(0)}" y1="70" x2="${x(1)}" y2="70" stroke="#555"/>${ticks}
  <rect class="acceptance" x="${x(lo)}" y="20" width="${x(hi) - x(lo)}" height="40" fill="#d7ecd9"><title>indifference region ${pct(lo)}-${pct(hi)}</title></rect>
  <line class="expected" x1="${x(v.expectedShare)}" y1="12" x2="${x(v.expectedShare)}" y2="66" stroke="#1b6e2a" stroke-width="2" stroke-dasharray="4 3"/>
  <text x="${x(v.expectedShare)}" y="10" text-anchor="middle">expected ${pct(v.expectedShare)}</text>
  <line class="interval" x1="${x(v.interval[0])}" y1="40" x2="${x(v.interval[1])}" y2="40" stroke="#1f3b8f" stroke-width="3"/>
  <circle class="observed" cx="${x(obs)}" cy="40" r="6" fill="${c.passed ? '#1f3b8f' : '#b3261e'}"><title>observed ${pct(obs)}, interval ${pct(v.interval[0])}-${pct(v.interval[1])}</title></circle>
</svg>`
}

/** canaryWeight over time (a step line), each step's observed v2 share, and the phase changes. */
function canaryChart(timeline: CanaryTimelineEvidence, steps: CanaryStepsEvidence | undefined): string {
  const samples = timeline.samples
  if (samples.length < 2) return ''
  const t0 = Date.parse(samples[0]?.at ?? '')
  const t1 = Date.parse(samples.at(-1)?.at ?? '') || t0 + 1
  const H = 220
  const x = (at: string) => 50 + num((Date.parse(at) - t0) / Math.max(1, t1 - t0)) * (W - 80)
  const y = (share: number) => H - 30 - num(share) * (H - 60)
  const path = samples
    .map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.at).toFixed(1)},${y(s.weight / 100).toFixed(1)}`)
    .join(' ')
  const changes = samples.filter((s, i) => i === 0 || samples[i - 1]?.phase !== s.phase)
  // Labels alternate between two rows so brief phases (Promoting, Finalising) stay readable.
  const phaseMarks = changes
    .map((s, i) => {
      const right = x(s.at) > W - 90
      return `<line class="phase-change" x1="${x(s.at)}" y1="20" x2="${x(s.at)}" y2="${H - 30}" stroke="#999" stroke-dasharray="2 3"/><text x="${x(s.at) + (right ? -2 : 2)}" y="${i % 2 ? 30 : 16}" class="phase"${right ? ' text-anchor="end"' : ''}>${text(s.phase)}</text>`
    })
    .join('')
  const stepPoints = (steps?.steps ?? [])
    .map((st) => {
      const first = samples.find((s) => s.phase === 'Progressing' && s.weight === st.weight)
      const n = [...st.outcomes].filter((o) => o !== 'e').length
      const k = [...st.outcomes].filter((o) => o === '2').length
      if (!first || n === 0) return ''
      return `<circle class="step-share" cx="${x(first.at) + 6}" cy="${y(k / n)}" r="4" fill="#c25e00"><title>weight ${text(String(st.weight))}%: observed ${pct(k / n)} of ${n}</title></circle>`
    })
    .join('')
  const axis = [0, 0.25, 0.5]
    .map(
      (v) =>
        `<text x="44" y="${y(v) + 4}" text-anchor="end">${v * 100}%</text><line x1="48" y1="${y(v)}" x2="${W - 30}" y2="${y(v)}" stroke="#eee"/>`,
    )
    .join('')
  return `<svg class="chart canary-timeline" viewBox="0 0 ${W} ${H}" role="img" aria-label="canaryWeight and observed v2 share over time">
  ${axis}${phaseMarks}
  <path class="weight" d="${path}" fill="none" stroke="#1f3b8f" stroke-width="2"/>
  ${stepPoints}
  <text x="${W - 30}" y="${H - 8}" text-anchor="end">line: canaryWeight; dots: observed v2 share per step</text>
</svg>`
}

function mirrorChart(c: CheckResult, ev: MirrorCountEvidence): string {
  const mirrored = num((c.verdict as { details?: { mirrored?: unknown } }).details?.mirrored)
  const calls = num(ev.calls)
  const max = Math.max(calls, mirrored, 1)
  const bar = (label: string, value: number, row: number, color: string) =>
    `<text x="10" y="${row * 34 + 24}">${label}</text><rect x="140" y="${row * 34 + 8}" width="${(value / max) * (W - 220)}" height="22" fill="${color}"/><text x="${150 + (value / max) * (W - 220)}" y="${row * 34 + 24}">${value}</text>`
  return `<svg class="chart mirror-counts" viewBox="0 0 ${W} 80" role="img" aria-label="calls ${calls}, mirrored ${mirrored}">${bar('webapp calls', calls, 0, '#1f3b8f')}${bar('mirrored to v2', mirrored, 1, '#c25e00')}</svg>`
}

function evidenceLines(ev: AccessLogMatchEvidence): string {
  const shown = ev.lines
    .filter((l) => /BlackHoleCluster|block_all|PassthroughCluster|outbound\|/.test(l))
    .slice(0, 8)
  const exec = ev.exec ? `$ ${ev.exec.command.join(' ')}\n(exit ${ev.exec.exitCode}) ${ev.exec.stderr}\n` : ''
  return `<pre class="evidence-lines">${text(exec + (shown.length ? shown.join('\n') : '(no matching line)'))}</pre>`
}

/**
 * `up`'s phases, and each scenario's wall time unless the timeline shows it. Empty when there
 * is nothing to show.
 */
function timingsChart(run: RunRecord, withScenarios: boolean): string {
  const rows = [
    ...run.upTimings.map((t) => ({ label: `up: ${t.phase}`, seconds: num(t.seconds) })),
    ...(withScenarios ? run.scenarios : []).map((s) => ({
      label: s.id,
      seconds: num((Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000),
    })),
  ]
  if (rows.length === 0) return ''
  const max = Math.max(1, ...rows.map((r) => r.seconds))
  const bars = rows
    .map(
      (r, i) =>
        `<text x="10" y="${i * 22 + 16}">${text(r.label)}</text><rect x="220" y="${i * 22 + 4}" width="${(r.seconds / max) * (W - 300)}" height="16" fill="#6b7fb8"/><text x="${226 + (r.seconds / max) * (W - 300)}" y="${i * 22 + 16}">${r.seconds.toFixed(1)} s</text>`,
    )
    .join('')
  return `<svg class="chart timings" viewBox="0 0 ${W} ${rows.length * 22 + 10}" role="img" aria-label="phase timings">${bars}</svg>`
}

/** Each phase kind's colour; grey (OTHER) is a scenario's time between the lab's steps. */
const PHASE_COLOURS: Readonly<Record<PhaseKind, string>> = {
  apply: '#4e79a7',
  delete: '#9c755f',
  rollout: '#f28e2b',
  routes: '#76b7b2',
  converge: '#59a14f',
  measure: '#edc948',
  observe: '#b07aa1',
  watch: '#ff9da7',
  wait: '#a0cbe8',
  'stand-in': '#8cd17d',
  diagnostics: '#e15759',
  cleanup: '#79706e',
}
const OTHER = '#e3e3e3'
const colourOf = (kind: string) =>
  Object.hasOwn(PHASE_COLOURS, kind) ? PHASE_COLOURS[kind as PhaseKind] : '#333333'

/** Axis steps in seconds: the first that puts at most 8 ticks on the run's wall time is used. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400]

/**
 * The run as a timeline: one row per scenario, a bar from its start to its end relative to the
 * run's start, segmented by phase kind (hover: the step's kind, label and duration); an axis in
 * seconds or minutes; a legend of the kinds drawn.
 */
function timelineChart(timeline: RunTimeline, lang: Lang): string {
  const LEFT = 170
  const RIGHT = W - 20
  const ROW = 22
  const span = Math.max(1000, timeline.wallMs)
  const x = (ms: number) => LEFT + (num(ms) / span) * (RIGHT - LEFT)
  const width = (from: number, to: number) => Math.max(0.5, x(to) - x(from))
  const rows = timeline.rows
    .map((r, i) => {
      const y = 8 + i * ROW
      const segments = r.phases
        .map(
          (p) =>
            `<rect class="phase" data-kind="${attr(p.kind)}" x="${x(p.startMs).toFixed(1)}" y="${y + 3}" width="${width(p.startMs, p.endMs).toFixed(1)}" height="16" fill="${colourOf(p.kind)}"><title>${text(`${phaseName(p.kind, lang)}${p.label ? `: ${p.label}` : ''} (${formatDuration(p.endMs - p.startMs, lang)})`)}</title></rect>`,
        )
        .join('')
      return `<g class="scenario-row" data-scenario="${attr(r.id)}" data-result="${r.passed ? 'pass' : 'fail'}"><text x="8" y="${y + 15}">${text(r.id)}</text><rect class="bar" x="${x(r.startMs).toFixed(1)}" y="${y + 3}" width="${width(r.startMs, r.endMs).toFixed(1)}" height="16" fill="${OTHER}"${r.passed ? '' : ' stroke="#b3261e"'}><title>${text(`${r.id}: ${formatDuration(r.endMs - r.startMs, lang)}`)}</title></rect>${segments}</g>`
    })
    .join('\n')
  const axisY = 8 + timeline.rows.length * ROW + 6
  const step = TICK_STEPS.find((s) => span / 1000 / s <= 8) ?? Math.ceil(span / 1000 / 8)
  const ticks: string[] = []
  for (let s = 0; s * 1000 <= span; s += step) {
    const tick =
      step >= 60
        ? t(lang, 'duration.wholeMinutes', { minutes: s / 60 })
        : t(lang, 'duration.seconds', { seconds: s })
    ticks.push(
      `<line x1="${x(s * 1000).toFixed(1)}" y1="${axisY}" x2="${x(s * 1000).toFixed(1)}" y2="${axisY + 5}" stroke="#555"/><text class="tick" x="${x(s * 1000).toFixed(1)}" y="${axisY + 17}" text-anchor="middle">${text(tick)}</text>`,
    )
  }
  // The kinds drawn, in the order of PHASE_KINDS (the same legend for every run); unknown ones after.
  const drawn = new Set(timeline.rows.flatMap((r) => r.phases.map((p) => p.kind)))
  const kinds = [
    ...PHASE_KINDS.filter((k) => drawn.has(k)),
    ...[...drawn].filter((k) => !(PHASE_KINDS as readonly string[]).includes(k)),
  ]
  const legendY = axisY + 32
  const legend = [
    ...kinds.map((k) => ({ kind: k, colour: colourOf(k), name: phaseName(k, lang) })),
    { kind: 'other', colour: OTHER, name: t(lang, 'phase.other') },
  ]
    .map((item, i) => {
      const lx = 8 + (i % 4) * 155
      const ly = legendY + Math.floor(i / 4) * 18
      return `<g class="legend-item" data-kind="${attr(item.kind)}"><rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${item.colour}"/><text x="${lx + 17}" y="${ly}">${text(item.name)}</text></g>`
    })
    .join('')
  const height = legendY + Math.ceil((kinds.length + 1) / 4) * 18
  return `<svg class="chart timeline" viewBox="0 0 ${W} ${height}" role="img" aria-label="${attr(t(lang, 'report.timelineAria'))}">
${rows}
<line class="axis" x1="${LEFT}" y1="${axisY}" x2="${RIGHT}" y2="${axisY}" stroke="#555"/>${ticks.join('')}
${legend}
</svg>`
}

function timelineSection(timeline: RunTimeline, lang: Lang): string {
  return `<section class="timeline">
<h2>${text(t(lang, 'report.timeline'))}</h2>
<p class="wall-time">${text(t(lang, 'report.timelineTotal', { duration: formatDuration(timeline.wallMs, lang) }))} ${text(t(lang, 'report.timelineHow'))}</p>
${timelineChart(timeline, lang)}
</section>`
}

function checkExtras(c: CheckResult, scenario: RunRecord['scenarios'][number]): string {
  const ev = c.evidence
  if (ev.kind === 'ratio') return ratioChart(c)
  if (ev.kind === 'canary-timeline' && ev.aspect === 'weights') {
    const steps = scenario.checks.find((x) => x.evidence.kind === 'canary-steps')?.evidence as
      | CanaryStepsEvidence
      | undefined
    return canaryChart(ev, steps)
  }
  if (ev.kind === 'mirror-count') return mirrorChart(c, ev)
  if (ev.kind === 'access-log-match') return evidenceLines(ev)
  return ''
}

function hintHtml(hint: string, lang: Lang): string {
  if (!hint) return ''
  // Hints write commands as `code`: shown as <code>, the rest as text.
  const body = hint
    .split(/(`[^`\n]+`)/)
    .map((part) => (/^`[^`]+`$/.test(part) ? `<code>${text(part.slice(1, -1))}</code>` : text(part)))
    .join('')
  return `<div class="hint">${text(t(lang, 'word.hint'))}: ${body}</div>`
}

/** A catalogue template whose own words are escaped and whose {placeholders} take ready HTML. */
function fillHtml(template: string, html: Readonly<Record<string, string>>): string {
  return template
    .split(/(\{[A-Za-z][A-Za-z0-9]*\})/)
    .map((part) => {
      const name = /^\{([A-Za-z][A-Za-z0-9]*)\}$/.exec(part)?.[1]
      return name !== undefined && html[name] !== undefined ? html[name] : text(part)
    })
    .join('')
}

/** The words of the overview that model.ts gives in English, in the reader's language. */
function versionsIn(run: RunRecord, lang: Lang): string {
  return t(lang, 'report.versions', {
    istio: run.versions.istioControlPlane,
    kubernetes: run.versions.kubernetes,
    profile: run.profile,
    flagger: run.versions.flagger,
  })
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.6rem}.verdict.pass{color:#1b6e2a}.verdict.fail{color:#b3261e}
section.scenario{border:1px solid #ddd;border-radius:8px;padding:.5rem 1rem;margin:1rem 0}
section.scenario[data-result=fail]{border-color:#b3261e}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.3rem;text-align:left;vertical-align:top}
tr[data-result=fail] td:first-child{color:#b3261e;font-weight:600}.numbers{color:#555;font-size:.85rem}
.hint{background:#fff4e5;border-left:3px solid #c25e00;padding:.2rem .5rem;margin:.3rem 0;font-size:.9rem}
svg.chart{width:100%;height:auto;margin:.5rem 0;font-size:11px}pre{background:#f6f6f6;padding:.5rem;overflow-x:auto;font-size:12px}`

/**
 * The page in a language (English by default). Causes stay as run.json keeps them and are
 * translated here; a check's words are the catalogue's when they are the ones it was judged
 * with, else its own; hints' commands name the run's kube context.
 */
export function toHtml(run: RunRecord, lang: Lang = 'en'): string {
  const counts = checkCounts(run)
  const passed = runPassed(run)
  const timeline = runTimeline(run)
  // With a timeline the scenarios' wall times are on it; the timings keep `up`'s phases.
  const timings = timingsChart(run, timeline === undefined)
  const verdict = (ok: boolean) => text(t(lang, ok ? 'word.pass' : 'word.fail'))
  const names = { context: run.context, ...(run.namespace ? { namespace: run.namespace } : {}) }
  const scenarios = run.scenarios
    .map((s) => {
      const rows = s.checks
        .map((c) => {
          const hint = forCluster(checkText(lang, s.id, c.check, 'hint', c.hint), {
            ...names,
            ...(s.namespace ? { namespace: s.namespace } : {}),
          })
          return `<tr data-check="${attr(c.check)}" data-result="${c.passed ? 'pass' : 'fail'}"><td>${c.passed ? (lang === 'en' ? 'pass' : verdict(true)) : verdict(false)}</td><td><code>${text(c.check)}</code></td><td>${text(localizeCause(c.cause, lang))}<div class="numbers">${text(keyNumbers(c))}</div>${c.passed ? '' : hintHtml(hint, lang)}${checkExtras(c, s)}</td></tr>`
        })
        .join('\n')
      const cleanup = s.cleanup.errors.length
        ? `<p class="verdict fail">${text(t(lang, 'report.cleanupFailed', { errors: s.cleanup.errors.join('; ') }))}</p>`
        : ''
      const stopped = s.error
        ? `<p class="verdict fail">${text(t(lang, 'report.stopped', { error: s.error }))}</p>`
        : ''
      return `<section class="scenario" id="${attr(s.id)}" data-scenario="${attr(s.id)}" data-result="${s.passed ? 'pass' : 'fail'}">
<h2><span class="verdict ${s.passed ? 'pass' : 'fail'}">${verdict(s.passed)}</span> ${text(s.id)}: ${text(scenarioText(lang, s.id, 'title', s.title))} <small>(${text(t(lang, 'word.section', { section: s.section }))})</small></h2>${stopped}
<table><thead><tr><th>${text(t(lang, 'report.col.result'))}</th><th>${text(t(lang, 'report.col.check'))}</th><th>${text(t(lang, 'report.col.cause'))}</th></tr></thead><tbody>
${rows}
</tbody></table>${cleanup}
</section>`
    })
    .join('\n')
  const missing = run.missingResults
    .map(
      (id) =>
        `<section class="scenario" data-scenario="${attr(id)}" data-result="fail"><h2><span class="verdict fail">${verdict(false)}</span> ${text(id)}</h2><p>${text(t(lang, 'report.noResult'))}</p></section>`,
    )
    .join('\n')
  const overviewHtml = fillHtml(MESSAGES['report.overview'][lang], {
    versions: text(versionsIn(run, lang)),
    passed: String(counts.passed),
    failed: String(counts.failed),
    from: text(run.startedAt),
    to: text(run.endedAt),
    context: `<code>${text(run.context)}</code>`,
    nodeImage: `<code>${text(run.versions.nodeImage)}</code>`,
    proxies: text(run.versions.istioProxies.join(', ') || t(lang, 'report.noneSeen')),
  })
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>istio-traffic-conformance: ${passed ? 'PASS' : 'FAIL'}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>
<h1><span class="verdict ${passed ? 'pass' : 'fail'}" id="overall">${verdict(passed)}</span> ${text(t(lang, 'report.heading'))}</h1>
<p>${overviewHtml}</p>
<p class="cluster-mode">${text(t(lang, `report.mode.${run.clusterMode === 'existing-cluster' ? 'existing-cluster' : 'suite-cluster'}`, { namespace: run.namespace ?? BOOK_NAMESPACE }))}</p>
<p class="error-rate">${text(t(lang, 'report.errorRate', { bound: boundText(run) }))}</p>
${run.baseLab ? `<p class="base-lab">${text(baseLabText(lang, run.baseLab))}</p>` : ''}
<details><summary>${text(t(lang, 'report.howToRead'))}</summary><p>${text(t(lang, 'report.howToReadText'))}</p></details>
${scenarios}
${missing}
${timeline ? timelineSection(timeline, lang) : ''}
${timings ? `<h2>${text(t(lang, 'report.timings'))}</h2>\n${timings}` : ''}
</body></html>
`
}

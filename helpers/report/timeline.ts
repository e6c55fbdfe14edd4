import type { Lang } from '../i18n/lang.js'
import { type MessageKey, t } from '../i18n/messages.js'
import type { PhaseKind, RunRecord, ScenarioResult } from './model.js'

/**
 * The run's timeline, derived from the record (never stored twice): each scenario's start and
 * end relative to the run's start, its phase spans the same way, and seconds per phase kind.
 * The HTML and Markdown writers and the terminal summary read it. Pure.
 *
 * A record's types are a promise, not a guarantee: a time that does not parse or a duration
 * that is not a finite number counts as nothing, so a tampered record still renders.
 */

/** A phase span placed on the run's time axis (milliseconds since the run started). */
export interface PlacedPhase {
  /** A PhaseKind in any record this suite wrote; shown as given otherwise. */
  readonly kind: PhaseKind | string
  readonly label: string
  readonly startMs: number
  readonly endMs: number
}

export interface TimelineRow {
  readonly id: string
  readonly passed: boolean
  readonly startMs: number
  readonly endMs: number
  readonly phases: readonly PlacedPhase[]
}

export interface RunTimeline {
  /** The run's wall time: from its start to its end, or to the last scenario's end if later. */
  readonly wallMs: number
  readonly rows: readonly TimelineRow[]
}

const finite = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0)
const parsed = (at: unknown): number | undefined => {
  const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN
  return Number.isFinite(ms) ? ms : undefined
}

/** A scenario's wall time in milliseconds: its end minus its start (0 when either is unreadable). */
export function scenarioWallMs(s: Pick<ScenarioResult, 'startedAt' | 'endedAt'>): number {
  const start = parsed(s.startedAt)
  const end = parsed(s.endedAt)
  return start === undefined || end === undefined ? 0 : Math.max(0, end - start)
}

/** Whether the record has a timeline: schema 2 records have no phases, and draw none. */
export function hasTimeline(run: Pick<RunRecord, 'scenarios'>): boolean {
  return run.scenarios.some((s) => Array.isArray(s.phases))
}

/** The run's timeline, or undefined for a record without phases (schema 2). */
export function runTimeline(run: RunRecord): RunTimeline | undefined {
  if (!hasTimeline(run)) return undefined
  const starts = run.scenarios.map((s) => parsed(s.startedAt)).filter((x) => x !== undefined)
  const t0 = parsed(run.startedAt) ?? (starts.length ? Math.min(...starts) : 0)
  const at = (iso: unknown, fallback: number) => {
    const ms = parsed(iso)
    return ms === undefined ? fallback : ms - t0
  }
  const rows = run.scenarios.map((s): TimelineRow => {
    const startMs = at(s.startedAt, 0)
    const endMs = Math.max(startMs, at(s.endedAt, startMs))
    const phases = (s.phases ?? []).map((p): PlacedPhase => {
      const from = at(p.startedAt, startMs)
      return {
        kind: String(p.kind),
        label: String(p.label),
        startMs: from,
        endMs: from + Math.max(0, finite(p.durationMs)),
      }
    })
    return { id: s.id, passed: s.passed, startMs, endMs, phases }
  })
  const runEnd = parsed(run.endedAt)
  const wallMs = Math.max(
    0,
    runEnd === undefined ? 0 : runEnd - t0,
    ...rows.map((r) => r.endMs),
    ...rows.flatMap((r) => r.phases.map((p) => p.endMs)),
  )
  return { wallMs, rows }
}

/**
 * Seconds per phase kind of one scenario, most first (ties in the order the kinds first
 * appear). Empty for a scenario without phases.
 */
export function phaseSeconds(
  s: Pick<ScenarioResult, 'phases'>,
): readonly { readonly kind: PhaseKind | string; readonly seconds: number }[] {
  const totals = new Map<string, number>()
  for (const p of s.phases ?? [])
    totals.set(String(p.kind), (totals.get(String(p.kind)) ?? 0) + Math.max(0, finite(p.durationMs)))
  return [...totals].map(([kind, ms]) => ({ kind, seconds: ms / 1000 })).sort((a, b) => b.seconds - a.seconds)
}

/** A duration for people: "42.0 s" under a minute, "3 min 05 s" above, in a language. */
export function formatDuration(ms: number, lang: Lang): string {
  const seconds = Math.max(0, finite(ms)) / 1000
  if (seconds < 60) return t(lang, 'duration.seconds', { seconds: seconds.toFixed(1) })
  const whole = Math.round(seconds)
  return t(lang, 'duration.minutes', {
    minutes: Math.floor(whole / 60),
    seconds: String(whole % 60).padStart(2, '0'),
  })
}

/** The words for each phase kind: exhaustive by type, so a new kind cannot go unnamed. */
const PHASE_NAMES: Readonly<Record<PhaseKind, MessageKey>> = {
  apply: 'phase.apply',
  delete: 'phase.delete',
  rollout: 'phase.rollout',
  routes: 'phase.routes',
  converge: 'phase.converge',
  measure: 'phase.measure',
  observe: 'phase.observe',
  watch: 'phase.watch',
  wait: 'phase.wait',
  'stand-in': 'phase.stand-in',
  diagnostics: 'phase.diagnostics',
  cleanup: 'phase.cleanup',
}

/** A phase kind in a language; a kind this suite does not know (a tampered record) as given. */
export function phaseName(kind: string, lang: Lang): string {
  const key = Object.hasOwn(PHASE_NAMES, kind) ? PHASE_NAMES[kind as PhaseKind] : undefined
  return key ? t(lang, key) : kind
}

import type { ErrorBound } from '../stats/error-bound.js'

/**
 * Flagger Canary evidence: events and the status timeline. Pure.
 * Phases (Flagger's CanaryPhase): Initializing, Initialized, Waiting, Progressing,
 * WaitingPromotion, Promoting, Finalising, Succeeded, Failed, Terminating, Terminated;
 * status.canaryWeight is the current canary weight. Source: shared/reference/ch5-lab.md.
 *
 * Events are a hint, never a verdict: Kubernetes' event correlator (client-go
 * tools/record/events_cache.go, which Flagger's record.NewBroadcaster uses) rewrites the 10th and
 * later distinct messages of one object, type and reason within 10 minutes as
 * "(combined from similar events): <message>" into ONE event that each later message overwrites,
 * and drops events beyond a burst of 25 per object (refilled at one per 5 minutes). Every
 * Flagger event has reason "Synced", so a full canary run loses some of them.
 */
export type FlaggerEventKind =
  | 'initialized'
  | 'new-revision'
  | 'analysis-started'
  | 'advance'
  | 'advance-primary'
  | 'halt'
  | 'halt-no-values'
  | 'promotion-copy'
  | 'routing-to-primary'
  | 'promotion-completed'
  | 'rollback'
  | 'failed'
  | 'other'

export interface FlaggerEvent {
  readonly kind: FlaggerEventKind
  /** The message without the aggregation prefix. */
  readonly message: string
  readonly weight?: number
  readonly at?: string
  /** Kubernetes combined this message with similar ones: earlier messages of its kind may be lost. */
  readonly aggregated?: boolean
}

/** client-go EventAggregatorByReasonMessageFunc's prefix. */
export const AGGREGATED_PREFIX = '(combined from similar events): '

/**
 * Flagger's own wording, fluxcd/flagger v1.36.1 and v1.44.0, pkg/controller/scheduler.go,
 * scheduler_hooks.go and scheduler_metrics.go (recordEvent*f templates). Halt comes in two
 * forms: "Halt %s.%s advancement ..." (threshold, webhook and approval halts) and
 * "Halt advancement no values found for ..." (no metric data, no name in it).
 */
const PATTERNS: readonly [FlaggerEventKind, RegExp][] = [
  ['initialized', /^Initialization done! /],
  ['new-revision', /^New revision detected! /],
  ['analysis-started', /^Starting canary analysis for /],
  ['advance', /^Advance \S+ canary weight (\d+)/],
  ['advance-primary', /^Advance \S+ primary weight (\d+)/],
  ['halt-no-values', /^Halt advancement no values found /],
  ['halt', /^Halt (?:\S+\.\S+ )?advancement /],
  ['promotion-copy', /^Copying \S+ template spec to \S+/],
  ['routing-to-primary', /^Routing all traffic to primary/],
  ['promotion-completed', /^Promotion completed! /],
  ['rollback', /^Rolling back /],
  ['failed', /^Canary failed! /],
]

export function parseFlaggerEvent(raw: string, at?: string): FlaggerEvent {
  const trimmed = raw.trim()
  const aggregated = trimmed.startsWith(AGGREGATED_PREFIX)
  const message = aggregated ? trimmed.slice(AGGREGATED_PREFIX.length).trim() : trimmed
  const common = { message, ...(at ? { at } : {}), ...(aggregated ? { aggregated } : {}) }
  for (const [kind, re] of PATTERNS) {
    const m = re.exec(message)
    if (m) return { kind, ...common, ...(m[1] ? { weight: Number(m[1]) } : {}) }
  }
  return { kind: 'other', ...common }
}

export interface CanarySample {
  readonly at: string
  readonly phase: string
  readonly weight: number
}

export interface CanaryTimelineEvidence {
  readonly kind: 'canary-timeline'
  /** What this check judges: the weight progression, the phase order, or only the final phase. */
  readonly aspect: 'weights' | 'phases' | 'final'
  readonly stepWeight: number
  readonly maxWeight: number
  /** The final phase the check expects: Succeeded for a good revision, Failed for a bad one. */
  readonly expectFinal: 'Succeeded' | 'Failed'
  /** How long a weight may stay unchanged while Progressing before it counts as stalled. */
  readonly stallMs: number
  readonly samples: readonly CanarySample[]
  readonly events: readonly FlaggerEvent[]
}

/** Collapses consecutive equal values. */
function runs<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => i === 0 || v !== values[i - 1])
}

export interface CanaryTimelineVerdict {
  readonly passed: boolean
  readonly cause: string
  readonly details: {
    readonly phases: readonly string[]
    readonly weights: readonly number[]
    /** What the events said, for people: never part of the decision (they can be lost). */
    readonly events: { readonly read: number; readonly aggregated: number; readonly halts: number }
  }
}

/** An event for a cause line, saying when Kubernetes combined it with others. */
const describeEvent = (e: FlaggerEvent): string =>
  e.aggregated ? `${e.message} (combined by Kubernetes with similar events)` : e.message

/**
 * Weights rise by stepWeight to maxWeight, never back, never stalled; phases in order; final
 * phase as expected. Decided by the sampled status alone: the events only name the likely
 * reason in a cause, since Kubernetes aggregates and drops them.
 */
export function judgeCanaryTimeline(ev: CanaryTimelineEvidence): CanaryTimelineVerdict {
  const phases = runs(ev.samples.map((s) => s.phase))
  const progressing = ev.samples.filter((s) => s.phase === 'Progressing' && s.weight > 0)
  const weights = runs(progressing.map((s) => s.weight))
  const halts = ev.events.filter((e) => e.kind === 'halt' || e.kind === 'halt-no-values')
  const details = {
    phases,
    weights,
    events: {
      read: ev.events.length,
      aggregated: ev.events.filter((e) => e.aggregated).length,
      halts: halts.length,
    },
  }
  const final = phases.at(-1) ?? 'none'
  const last = ev.events.filter((e) => e.kind !== 'other').at(-1)
  const lastEvent = last ? describeEvent(last) : undefined
  const lastHalt = halts.at(-1)
  const fail = (cause: string): CanaryTimelineVerdict => ({ passed: false, cause, details })

  if (final !== ev.expectFinal) {
    return fail(
      `ended ${final}, expected ${ev.expectFinal} (phases ${phases.join(' > ') || 'none'}${lastEvent ? `; last event: ${lastEvent}` : ''})`,
    )
  }
  if (ev.aspect === 'final') {
    if (!phases.includes('Progressing'))
      return fail(`ended ${final} without analysing (phases ${phases.join(' > ')})`)
    return {
      passed: true,
      cause:
        ev.expectFinal === 'Failed'
          ? `rolled back after weights ${weights.join(', ') || 'none'}: ${lastEvent ?? 'Failed'}`
          : `ended ${final} after weights ${weights.join(', ')}`,
      details,
    }
  }
  if (ev.aspect === 'phases') {
    const order = ['Progressing', 'Promoting', 'Finalising', 'Succeeded']
    const seen = phases.filter((p) => order.includes(p))
    return seen.join(',') === order.join(',')
      ? { passed: true, cause: `phases ${phases.join(' > ')}`, details }
      : fail(`phases ${phases.join(' > ')} do not go Progressing > Promoting > Finalising > Succeeded`)
  }
  if (weights.length === 0) return fail('canaryWeight never rose above 0 while Progressing')
  if (weights[0] !== ev.stepWeight) return fail(`canaryWeight started at ${weights[0]}, not ${ev.stepWeight}`)
  for (let i = 1; i < weights.length; i++) {
    const prev = weights[i - 1] as number
    const cur = weights[i] as number
    if (cur < prev) return fail(`canaryWeight went back from ${prev} to ${cur}`)
    if (cur !== prev + ev.stepWeight)
      return fail(`canaryWeight skipped from ${prev} to ${cur} (stepWeight ${ev.stepWeight})`)
  }
  let since = progressing[0]
  for (const s of progressing) {
    if (!since || s.weight !== since.weight) since = s
    else if (Date.parse(s.at) - Date.parse(since.at) > ev.stallMs) {
      return fail(
        `stalled at canaryWeight ${s.weight} for more than ${Math.round(ev.stallMs / 1000)} s${lastHalt ? ` (last halt event: ${describeEvent(lastHalt)})` : ''}`,
      )
    }
  }
  if (weights.at(-1) !== ev.maxWeight)
    return fail(`reached canaryWeight ${weights.at(-1)}, not maxWeight ${ev.maxWeight}, before promotion`)
  return { passed: true, cause: `canaryWeight ${weights.join(', ')} by ${ev.stepWeight}`, details }
}

/**
 * Splits the background load into canaryWeight steps: for each run of Progressing samples at
 * weight w > 0, the responses sent from settleMs after the first sample showing w until the
 * last sample showing it. Not until the next sample: Flagger sets the next weight's routes
 * before it writes the status (runCanary in pkg/controller/scheduler.go, fluxcd/flagger
 * 2944581a), so a response after the last poll at w may already see the next weight. The
 * window therefore loses up to two polls (canary-steps.ts, stepWindowMs). Pure.
 */
export function stepsFromTimeline(
  samples: readonly CanarySample[],
  load: readonly { at: string; class: 'v1' | 'v2' | 'error' }[],
  settleMs: number,
): CanaryStep[] {
  const steps: CanaryStep[] = []
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as CanarySample
    const prev = samples[i - 1]
    if (
      s.phase !== 'Progressing' ||
      s.weight === 0 ||
      (prev && prev.phase === s.phase && prev.weight === s.weight)
    )
      continue
    let j = i
    while (j + 1 < samples.length && samples[j + 1]?.phase === s.phase && samples[j + 1]?.weight === s.weight)
      j++
    const from = Date.parse(s.at) + settleMs
    const to = Date.parse((samples[j] ?? s).at)
    const outcomes = load
      .filter((r) => Date.parse(r.at) >= from && Date.parse(r.at) < to)
      .map((r) => (r.class === 'v1' ? '1' : r.class === 'v2' ? '2' : 'e'))
      .join('')
    steps.push({ weight: s.weight, outcomes })
  }
  return steps
}

/** The load's responses during one canaryWeight step, in request order ('1' v1, '2' v2, 'e' error). */
export interface CanaryStep {
  readonly weight: number
  readonly outcomes: string
}

/** Evidence recorded before issue 12: each step judged by a bare two-sided exact test at alpha. */
export interface CanaryStepsEvidenceV1 {
  readonly kind: 'canary-steps'
  readonly design?: undefined
  readonly alpha: number
  /** Responses this long after a weight change are skipped: the new weights are still propagating. */
  readonly settleMs: number
  readonly steps: readonly CanaryStep[]
}

/**
 * Since issue 12: each step's last n counted responses are judged by the smallest fixed-n
 * exact test that fails a share off by min(delta, w/200, (1 - w/100)/2) with probability
 * >= 1 - beta at false-failure alpha per step (helpers/stats/canary-steps.ts); a step with
 * fewer responses is judged on what it has and its verdict says what that could catch. The
 * steps' errors, pooled, are held to errorBound.
 */
export interface CanaryStepsEvidenceV2 {
  readonly kind: 'canary-steps'
  readonly design: 'fixed-exact-v2'
  readonly alpha: number
  readonly beta: number
  readonly delta: number
  readonly settleMs: number
  readonly errorBound: ErrorBound
  readonly steps: readonly CanaryStep[]
}

export type CanaryStepsEvidence = CanaryStepsEvidenceV1 | CanaryStepsEvidenceV2

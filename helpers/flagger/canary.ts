import type { CanaryStep } from '../evidence/canary.js'

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
